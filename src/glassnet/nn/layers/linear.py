"""Dense layers and shape helpers: Linear, Identity, Flatten, Unflatten, Dropout, GaussianNoise."""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor, as_tensor, get_rng
from .. import functional as F
from .. import init
from ..module import LayerInputError, Module, Parameter


def as_float_input(module: Module, x, dtype) -> Tensor:
    """The layer's input as a Tensor of the layer's float dtype, or a clear error."""
    if not isinstance(x, Tensor):
        x = as_tensor(np.asarray(x))
    if x.dtype != dtype:
        if not np.issubdtype(x.dtype, np.number):
            raise LayerInputError(module, f"expects numbers, got an input of dtype {x.dtype}")
        raise LayerInputError(module, f"has {np.dtype(dtype)} weights but got a {x._array.dtype} input of shape "
                                      f"{x.shape}; convert it with x.float() (or model.double())")
    return x


class Linear(Module):
    """Fully connected layer y = x Wᵀ + b: weight (out_features, in_features), bias (out_features,).

    Initialized as PyTorch's: W, b ~ U(-1/√in, 1/√in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32):
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(f"Linear needs positive sizes, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty(out_features, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x):
        x = as_float_input(self, x, self.weight.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise LayerInputError(self, f"expects (*, {self.in_features}), got {tuple(x.shape)}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """y = x"""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Merge dims start_dim..end_dim into one (default: all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = as_tensor(x)
        if not -x.ndim <= self.start_dim < x.ndim:
            raise LayerInputError(self, f"cannot flatten from dim {self.start_dim} an input of shape "
                                        f"{tuple(x.shape)}")
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size`` (the inverse of Flatten)."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        x = as_tensor(x)
        dim = self.dim % x.ndim
        if x.shape[dim] != int(np.prod(self.unflattened_size)):
            raise LayerInputError(self, f"cannot split dim {self.dim} of size {x.shape[dim]} into "
                                        f"{self.unflattened_size}")
        return x.reshape(x.shape[:dim] + self.unflattened_size + x.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """During training zero each element with probability p and scale the rest by 1/(1-p);
    identity in eval mode (the lectures' dropout regularization)."""

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout probability must be in [0, 1], got {p}")
        self.p, self.rng = p, rng

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class GaussianNoise(Module):
    """Input-noise regularization: y = x + N(0, σ²) in training, y = x in eval (as Keras')."""

    def __init__(self, stddev: float, rng=None):
        super().__init__()
        if stddev < 0:
            raise ValueError(f"GaussianNoise stddev must be >= 0, got {stddev}")
        self.stddev, self.rng = stddev, rng

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.stddev == 0:
            return x
        noise = get_rng(self.rng).standard_normal(x.shape).astype(x.dtype) * self.stddev
        return x + noise

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"
