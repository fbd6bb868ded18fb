"""glassnet.models — Ready-made networks (MLP, LeNet5, CharRNN, Seq2Seq, AutoEncoder, GAN, EventMPNN, ...).
Built on nn."""
from .char_rnn import CharRNN
from .seq2seq import Seq2Seq
