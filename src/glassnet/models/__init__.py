"""glassnet.models — Ready-made networks (MLP, LeNet5, CharRNN, Seq2Seq, AutoEncoder, GAN, EventMPNN, ...).
Built on nn."""
from .autoencoder import VAE, AutoEncoder, ConvAutoEncoder
from .cnn import LeNet5, SmallVGG
from .gan import GAN, GANTrainer
from .event_mpnn import EventDNN, EventMPNN
