"""``Tensor``: a NumPy array that remembers the operation that made it.

``t.data`` is the ndarray, ``t.grad`` the accumulated gradient (an ndarray, or None), ``t._ctx`` the
``Function`` node that produced it (None for a leaf). Every differentiable method below is one
``Function.apply`` call from ``ops.py``; ``backward()`` hands the graph to ``graph.backward``.
"""
from __future__ import annotations

import numpy as np

from . import graph
from .random import get_rng

DEFAULT_FLOAT = np.float32


def _as_array(data, dtype=None) -> np.ndarray:
    """Array of ``data``: ndarrays keep their dtype, Python floats become float32 (as in PyTorch)."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, np.ndarray):
        return data
    arr = np.asarray(data)
    if arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(DEFAULT_FLOAT)
    return arr


def as_array(x) -> np.ndarray:
    """The ndarray behind a Tensor, or ``np.asarray(x)`` (not ``x.data``: an ndarray's ``.data`` is
    its raw memoryview)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _reduce_axis(axis, dim):
    if dim is not None:
        if axis is not None:
            raise TypeError("pass either axis= or dim=, not both")
        axis = dim
    return tuple(axis) if isinstance(axis, list) else axis


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation."""

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_retain_grad", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__, keeping the graph

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._retain_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, ctx) -> "Tensor":
        """Fast constructor for op outputs (no conversion)."""
        t = object.__new__(Tensor)
        t.data, t.grad, t.requires_grad, t._ctx, t._retain_grad = data, None, requires_grad, ctx, False
        return t

    # ----- attributes -----
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise RuntimeError(f"only floating-point tensors can require gradients, got dtype {self.data.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad can only be turned off on a leaf tensor; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep theirs)."""
        self._retain_grad = True

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = f", dtype={self.data.dtype}" if self.data.dtype not in (np.float32, np.int64, np.bool_) else ""
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    __hash__ = object.__hash__

    # ----- leaving the graph -----
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, adding it to ``leaf.grad``."""
        graph.backward(self, gradient, retain_graph)

    def detach(self) -> "Tensor":
        return Tensor._make(self.data, False, None)

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def clone(self) -> "Tensor":
        return Copy.apply(self)

    def astype(self, dtype) -> "Tensor":
        return Cast.apply(self, dtype=np.dtype(dtype))

    def float(self) -> "Tensor":
        return self.astype(np.float32)

    def double(self) -> "Tensor":
        return self.astype(np.float64)

    def long(self) -> "Tensor":
        return Tensor(self.data.astype(np.int64))

    # ----- arithmetic -----
    def _lift(self, other) -> "Tensor":
        """Wrap a Python number or array as a constant; numbers take this tensor's float dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)) and np.issubdtype(self.data.dtype, np.floating):
            return Tensor._make(np.asarray(other, dtype=self.data.dtype), False, None)
        return Tensor(other)

    def __add__(self, other):
        return Add.apply(self, self._lift(other))

    def __radd__(self, other):
        return Add.apply(self._lift(other), self)

    def __sub__(self, other):
        return Sub.apply(self, self._lift(other))

    def __rsub__(self, other):
        return Sub.apply(self._lift(other), self)

    def __mul__(self, other):
        return Mul.apply(self, self._lift(other))

    def __rmul__(self, other):
        return Mul.apply(self._lift(other), self)

    def __truediv__(self, other):
        return Div.apply(self, self._lift(other))

    def __rtruediv__(self, other):
        return Div.apply(self._lift(other), self)

    def __pow__(self, other):
        if isinstance(other, (int, float)):
            return PowScalar.apply(self, exponent=other)
        return Pow.apply(self, self._lift(other))

    def __rpow__(self, other):
        return Pow.apply(self._lift(other), self)

    def __matmul__(self, other):
        return MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other):
        return MatMul.apply(self._lift(other), self)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    # comparisons give plain boolean arrays (masks), as they have no gradient
    def __lt__(self, other):
        return self.data < _as_array(other)

    def __le__(self, other):
        return self.data <= _as_array(other)

    def __gt__(self, other):
        return self.data > _as_array(other)

    def __ge__(self, other):
        return self.data >= _as_array(other)

    def __eq__(self, other):
        return self.data == _as_array(other)

    def __ne__(self, other):
        return self.data != _as_array(other)

    # ----- elementwise math -----
    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def abs(self):
        return Abs.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def clip(self, min=None, max=None):
        return Clip.apply(self, low=min, high=max)

    clamp = clip

    # ----- reductions (NumPy's axis=, or PyTorch's dim=) -----
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Sum.apply(self, axis=_reduce_axis(axis, dim), keepdims=keepdims or bool(keepdim))

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Mean.apply(self, axis=_reduce_axis(axis, dim), keepdims=keepdims or bool(keepdim))

    def var(self, axis=None, keepdims=False, *, dim=None, keepdim=None, unbiased=False):
        """Variance; ``unbiased=False`` divides by N (as BatchNorm does), True by N - 1."""
        axis = _reduce_axis(axis, dim)
        keep = keepdims or bool(keepdim)
        centered = self - self.mean(axis=axis, keepdims=True)
        n = self.data.size if axis is None else np.prod([self.shape[a] for a in np.atleast_1d(axis)])
        return (centered * centered).sum(axis=axis, keepdims=keep) / (n - 1 if unbiased else n)

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Largest values along ``axis`` (values only; use ``argmax`` for the positions)."""
        return Max.apply(self, axis=_reduce_axis(axis, dim), keepdims=keepdims or bool(keepdim))

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return Min.apply(self, axis=_reduce_axis(axis, dim), keepdims=keepdims or bool(keepdim))

    def argmax(self, axis=None, *, dim=None) -> np.ndarray:
        return self.data.argmax(axis=_reduce_axis(axis, dim))

    def argmin(self, axis=None, *, dim=None) -> np.ndarray:
        return self.data.argmin(axis=_reduce_axis(axis, dim))

    # ----- shape -----
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Reshape.apply(self, shape=tuple(shape))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        shape = self.shape
        start, end = start_dim % max(len(shape), 1), end_dim % max(len(shape), 1)
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def unsqueeze(self, dim: int):
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim: int | None = None):
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        if self.shape[dim] != 1:
            return self
        dim %= self.ndim
        return self.reshape(self.shape[:dim] + self.shape[dim + 1:])

    def transpose(self, *axes):
        """NumPy style ``transpose(axes)`` / reversed axes, or PyTorch style ``transpose(dim0, dim1)``."""
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            perm = list(range(self.ndim))
            perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
            axes = tuple(perm)
        elif len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=axes or None)

    def permute(self, *dims):
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return Transpose.apply(self, axes=tuple(dims))

    @property
    def T(self):
        return Transpose.apply(self, axes=None)

    def __getitem__(self, index):
        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        return GetItem.apply(self, index=index)


# ----- factories -----
def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """``gn.tensor([[1., 2.]])`` — Python floats become float32, NumPy arrays keep their dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _shape(shape) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def zeros(*shape, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape, fill_value, dtype=DEFAULT_FLOAT, requires_grad=False) -> Tensor:
    return Tensor(np.full(shape, fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t, requires_grad=False) -> Tensor:
    return Tensor(np.zeros_like(_as_array(t)), requires_grad=requires_grad)


def ones_like(t, requires_grad=False) -> Tensor:
    return Tensor(np.ones_like(_as_array(t)), requires_grad=requires_grad)


def arange(*args, dtype=None) -> Tensor:
    return Tensor(np.arange(*args, dtype=dtype))


def eye(n: int, m: int | None = None, dtype=DEFAULT_FLOAT) -> Tensor:
    return Tensor(np.eye(n, m, dtype=dtype))


def randn(*shape, dtype=DEFAULT_FLOAT, requires_grad=False, rng=None) -> Tensor:
    """Standard normal samples from glassnet's generator (``gn.manual_seed``) or ``rng``."""
    data = get_rng(rng).standard_normal(_shape(shape), dtype=np.float64).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, dtype=DEFAULT_FLOAT, requires_grad=False, rng=None) -> Tensor:
    data = get_rng(rng).random(_shape(shape)).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    return Tensor(np.asarray(array))


from .ops import (  # noqa: E402  (the ops are Functions, which build on Tensor)
    Abs, Add, Cast, Clip, Copy, Cos, Div, Exp, GetItem, Log, MatMul, Max, Mean, Min, Mul, Neg, Pow,
    PowScalar, Reshape, Sigmoid, Sin, Sqrt, Sub, Sum, Tanh, Transpose,
)
