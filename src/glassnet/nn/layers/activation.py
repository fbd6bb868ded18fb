"""Activation layers: module versions of ``nn.functional``'s activations (PyTorch's names)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module
from .linear import Linear


class _Elementwise(Module):
    """An activation with fixed arguments: forward(z) = fn(z, **args)."""

    fn = None
    args: tuple = ()

    def forward(self, z):
        return type(self).fn(z, **{name: getattr(self, name) for name in self.args})

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self.args)


class Step(_Elementwise):
    """Perceptron threshold unit: 1 if z > threshold else 0."""

    fn, args = staticmethod(F.step), ("threshold",)

    def __init__(self, threshold: float = 0.0):
        super().__init__()
        self.threshold = threshold


class Sigmoid(_Elementwise):
    fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    fn = staticmethod(F.tanh)


class ReLU(_Elementwise):
    fn = staticmethod(F.relu)


class GELU(_Elementwise):
    """y = z·Φ(z) (``approximate='tanh'``: Φ by its tanh form), as ``torch.nn.GELU``."""

    fn, args = staticmethod(F.gelu), ("approximate",)

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate


class LeakyReLU(_Elementwise):
    fn, args = staticmethod(F.leaky_relu), ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope


class ELU(_Elementwise):
    fn, args = staticmethod(F.elu), ("alpha",)

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha


class Softplus(_Elementwise):
    fn, args = staticmethod(F.softplus), ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold


class Softmax(_Elementwise):
    fn, args = staticmethod(F.softmax), ("dim",)

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim


class LogSoftmax(_Elementwise):
    fn, args = staticmethod(F.log_softmax), ("dim",)

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim


class NoisyReLU(Module):
    """max(0, z + N(0, δ²)) in training (δ = std, or √σ(z) with std='sigmoid'); ReLU in eval."""

    def __init__(self, std=1.0, rng=None):
        super().__init__()
        self.std, self.rng = std, rng

    def forward(self, z):
        return F.noisy_relu(z, self.std, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"std={self.std}"


class Maxout(Module):
    """Maxout unit (Goodfellow et al. 2013): k linear pieces per output, y_j = max_k (x W_kᵀ + b_k)_j.

    Holds one Linear(in_features, out_features · pool_size) whose outputs are grouped k at a time.
    """

    def __init__(self, in_features: int, out_features: int, pool_size: int = 2):
        super().__init__()
        self.pool_size = pool_size
        self.linear = Linear(in_features, out_features * pool_size)

    def forward(self, x):
        return F.maxout(self.linear(x), self.pool_size)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}"
