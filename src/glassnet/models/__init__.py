"""glassnet.models — Ready-made networks (MLP, LeNet5, CharRNN, Seq2Seq, AutoEncoder, GAN, EventMPNN, ...).
Built on nn."""
from .event_mpnn import EventDNN, EventMPNN
