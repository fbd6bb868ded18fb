"""glassnet — a see-through deep-learning toolkit: PyTorch's API on NumPy, readable line by line.

    import glassnet as gn
    net = gn.nn.Sequential(gn.nn.Linear(2, 8), gn.nn.Tanh(), gn.nn.Linear(8, 1))
"""
from .autograd import (
    Function, Tensor, arange, cat, concatenate, detect_anomaly, enable_grad, eye, from_numpy, full,
    get_rng_state, is_grad_enabled, manual_seed, no_grad, ones, ones_like, rand, randn,
    set_grad_enabled, set_rng_state, stack, tensor, where, zeros, zeros_like,
)
from . import autograd, nn, optim  # noqa: E402
from .interop.weights import load_torch_state_dict  # noqa: E402  (imports torch only when called)
from .io import load, save  # noqa: E402

float32 = __import__("numpy").float32
float64 = __import__("numpy").float64

__version__ = "0.1.0"
