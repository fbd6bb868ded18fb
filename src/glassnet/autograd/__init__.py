"""glassnet.autograd — Tensor, Function and the reverse-mode engine (NumPy only).
Also the graph-level helpers: no_grad, detect_anomaly, gradcheck, and the tensor factories."""
from .tensor import (  # first: the op modules it loads build on Tensor
    Tensor, arange, as_array, eye, from_numpy, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like,
)
from .function import Function
from .grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .random import get_rng, get_rng_state, manual_seed, set_rng_state
from .shape_ops import Concatenate, Stack, Where


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat`` / ``np.concatenate``)."""
    return Concatenate.apply(*tensors, axis=dim if axis is None else axis)


concatenate = cat


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along a new axis."""
    return Stack.apply(*tensors, axis=dim if axis is None else axis)


def where(condition, a, b) -> Tensor:
    """Elementwise ``a if condition else b``; the gradient flows to the chosen side only."""
    condition = as_array(condition)
    return Where.apply(a, b, condition=condition)


__all__ = [
    "Function", "GradcheckError", "Tensor", "arange", "as_array", "cat", "concatenate", "detect_anomaly",
    "enable_grad", "eye", "from_numpy", "full", "get_rng", "get_rng_state", "gradcheck",
    "is_grad_enabled", "manual_seed", "no_grad", "ones", "ones_like", "rand", "randn",
    "set_grad_enabled", "set_rng_state", "stack", "tensor", "where", "zeros", "zeros_like",
]
