"""glassnet.models — Ready-made networks (MLP, LeNet5, CharRNN, Seq2Seq, AutoEncoder, GAN, EventMPNN, ...).
Built on nn."""
from .autoencoder import VAE, AutoEncoder
from .gan import GAN, GANTrainer
