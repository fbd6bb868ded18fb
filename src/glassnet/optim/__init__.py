"""glassnet.optim — optimizers (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW) and learning-rate
schedulers (``optim.lr_scheduler``), each with PyTorch's update rule. Built on autograd and nn."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import Adadelta, Adagrad, RMSprop
from .optimizer import Optimizer
from .sgd import SGD
