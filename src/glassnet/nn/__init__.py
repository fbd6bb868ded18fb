"""glassnet.nn — Module, Parameter, layers, activations, losses and initializers.
Built on glassnet.autograd only; ``nn.functional`` holds the stateless ops."""
from . import functional, init, utils
from .containers import ModuleDict, ModuleList, Sequential
from .layers.activation import (
    ELU, LeakyReLU, LogSoftmax, Maxout, NoisyReLU, ReLU, Sigmoid, Softmax, Softplus, Step, Tanh,
)
from .layers.linear import Dropout, Flatten, GaussianNoise, Identity, Linear
from .layers.loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
)
from .module import LayerInputError, Module, Parameter
from .layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .layers.attention import AdditiveAttention, MultiheadAttention
from .layers.embedding import Embedding
