"""glassnet.models — Ready-made networks (MLP, LeNet5, CharRNN, Seq2Seq, AutoEncoder, GAN, EventMPNN, ...).
Built on nn."""
from .autoencoder import VAE, AutoEncoder, ConvAutoEncoder
from .cnn import LeNet5, SmallVGG
from .gan import GAN, GANTrainer
from .event_mpnn import EventDNN, EventMPNN
from .char_rnn import CharRNN
from .seq2seq import Seq2Seq
from .memory_tasks import LastStepRegressor, memory_curve, train_adding_problem
from .hopfield import Hopfield
from .rbm import DBN, RBM
from .transformer_seq2seq import TransformerSeq2Seq
