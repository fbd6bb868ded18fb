"""glassnet.nn — Module, Parameter, layers, activations, losses and initializers.
Built on glassnet.autograd only; ``nn.functional`` holds the stateless ops."""
from . import functional, init, utils
from .containers import ModuleDict, ModuleList, Sequential
from .layers.activation import (
    ELU, GELU, LeakyReLU, LogSoftmax, Maxout, NoisyReLU, ReLU, Sigmoid, Softmax, Softplus, Step, Tanh,
)
from .layers.linear import Dropout, Flatten, GaussianNoise, Identity, Linear, Unflatten
from .layers.loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
)
from .module import LayerInputError, Module, Parameter
from .layers.conv import Conv1d, Conv2d, ConvTranspose2d
from .layers.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .layers.pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .layers.upsample import Upsample
from .layers import graph
from .layers.graph import EdgeConv, MessagePassing
from .layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .layers.attention import AdditiveAttention, MultiheadAttention
from .layers.embedding import Embedding
from .layers.transformer import (
    PositionalEncoding, Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
    TransformerEncoderLayer,
)
