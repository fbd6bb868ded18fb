"""Tensor methods for arithmetic, elementwise math, comparisons and reductions.

Binary operations follow PyTorch's type promotion: a Python number takes the tensor's dtype (a float
number with an integer tensor gives the default float dtype), two tensors of different dtypes meet at
the wider one, and dividing integers gives floats. Reductions take PyTorch's ``dim=``/``keepdim=``
and NumPy's ``axis=``/``keepdims=``.
"""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .dtypes import get_default_dtype, promote_types
from .ops import (
    Abs, Add, Clip, Cos, Cumsum, Div, Exp, Expm1, Log, Log1p, LogSoftmax, MatMul, Maximum, Minimum, Mul, Neg,
    Norm, Pow, PowScalar, Prod, ReLU, Rounding, Sigmoid, Sin, Softmax, Sqrt, Sub, Tan, Tanh,
)
from .reduce_ops import Max, Mean, Min, Sum

ValuesIndices = namedtuple("ValuesIndices", "values indices")
ValuesIndices.__doc__ = "(values, indices), as returned by max(dim), min(dim), sort, topk, median, ..."


def reduce_dims(dim, axis):
    """The axes to reduce: PyTorch's ``dim`` or NumPy's ``axis`` (an int, a tuple/list, or None for all)."""
    if axis is not None:
        if dim is not None:
            raise TypeError("pass either dim= or axis=, not both")
        dim = axis
    return tuple(dim) if isinstance(dim, list) else dim


def _number_tensor(value, dtype):
    from .tensor import Tensor
    return Tensor._make(np.asarray(value, dtype=dtype), False, None)


class TensorMath:
    __slots__ = ()

    # ----- operands with PyTorch's promotion -----
    def _pair(self, other):
        """(self, other) as two tensors of the dtype PyTorch's promotion gives them."""
        from .tensor import Tensor, as_tensor
        a = self
        if isinstance(other, Tensor):
            b = other
        elif isinstance(other, (builtins.bool, builtins.int, builtins.float, np.number, np.bool_)):
            kind = a._array.dtype.kind
            if kind in "biu" and isinstance(other, (builtins.float, np.floating)):
                a = a.type(get_default_dtype())
            elif kind == "b" and not isinstance(other, (builtins.bool, np.bool_)):
                a = a.type(np.int64)
            return a, _number_tensor(other, a._array.dtype)
        else:
            b = as_tensor(other)
        if a._array.dtype != b._array.dtype:
            common = promote_types(a._array.dtype, b._array.dtype)
            a, b = a.type(common), b.type(common)
        return a, b

    def _floats(self):
        """This tensor as a float tensor (integer division and math functions give floats)."""
        return self if self._array.dtype.kind in "fc" else self.type(get_default_dtype())

    # ----- arithmetic -----
    def __add__(self, other):
        return Add.apply(*self._pair(other))

    def __radd__(self, other):
        a, b = self._pair(other)
        return Add.apply(b, a)

    def __sub__(self, other):
        return Sub.apply(*self._pair(other))

    def __rsub__(self, other):
        a, b = self._pair(other)
        return Sub.apply(b, a)

    def __mul__(self, other):
        return Mul.apply(*self._pair(other))

    def __rmul__(self, other):
        a, b = self._pair(other)
        return Mul.apply(b, a)

    def __truediv__(self, other):
        a, b = self._pair(other)
        return Div.apply(a._floats(), b._floats())

    def __rtruediv__(self, other):
        a, b = self._pair(other)
        return Div.apply(b._floats(), a._floats())

    def __floordiv__(self, other):
        return self.div(other, rounding_mode="floor")

    def __rfloordiv__(self, other):
        a, b = self._pair(other)
        return b.div(a, rounding_mode="floor")

    def __mod__(self, other):
        return self.remainder(other)

    def __pow__(self, other):
        if isinstance(other, (builtins.int, builtins.float)) and not isinstance(other, builtins.bool):
            base = self if isinstance(other, builtins.int) and other >= 0 else self._floats()
            return PowScalar.apply(base, exponent=other)
        return Pow.apply(*self._pair(other))

    def __rpow__(self, other):
        a, b = self._pair(other)
        return Pow.apply(b, a)

    def __matmul__(self, other):
        return MatMul.apply(*self._pair(other))

    def __rmatmul__(self, other):
        a, b = self._pair(other)
        return MatMul.apply(b, a)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return Abs.apply(self)

    def add(self, other, *, alpha=1):
        """self + alpha · other"""
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other, *, alpha=1):
        """self − alpha · other"""
        return self - (other * alpha if alpha != 1 else other)

    subtract = sub

    def mul(self, other):
        return self * other

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        """self / other; ``rounding_mode='floor'`` or ``'trunc'`` rounds the quotient (no gradient)."""
        if rounding_mode is None:
            return self / other
        a, b = self._pair(other)
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                             f"'{rounding_mode}'")
        rounding = np.floor_divide if rounding_mode == "floor" else (
            lambda x, y: np.trunc(x / y).astype(np.result_type(x, y)) if x.dtype.kind == "f" else
            (np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))).astype(x.dtype))
        return Rounding.apply(a, b, fn=rounding)

    divide = true_divide = div

    def remainder(self, other):
        """self − floor(self/other)·other (the sign of the divisor, as Python's %)"""
        a, b = self._pair(other)
        return a - a.div(b, rounding_mode="floor") * b

    def fmod(self, other):
        """self − trunc(self/other)·other (the sign of the dividend, as C's fmod)"""
        a, b = self._pair(other)
        return a - a.div(b, rounding_mode="trunc") * b

    def pow(self, exponent):
        return self ** exponent

    def matmul(self, other):
        return self @ other

    def mm(self, other):
        if self.ndim != 2 or getattr(other, "ndim", 2) != 2:
            raise RuntimeError(f"mm: self must be a matrix and mat2 a matrix, got {self.ndim}-D and "
                               f"{getattr(other, 'ndim', '?')}-D (use matmul for other shapes)")
        return self @ other

    def bmm(self, other):
        if self.ndim != 3 or other.ndim != 3 or self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm expects two 3-D tensors with the same batch size, got shapes "
                               f"{tuple(self.shape)} and {tuple(other.shape)}")
        return self @ other

    def mv(self, vec):
        return self @ vec

    def dot(self, other):
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        return self @ other

    def outer(self, other):
        return self.reshape(-1, 1) * other.reshape(1, -1)

    # ----- elementwise math -----
    def neg(self):
        return -self

    negative = neg

    def abs(self):
        return Abs.apply(self)

    absolute = abs

    def exp(self):
        return Exp.apply(self._floats())

    def expm1(self):
        return Expm1.apply(self._floats())

    def log(self):
        return Log.apply(self._floats())

    def log1p(self):
        return Log1p.apply(self._floats())

    def log2(self):
        return self.log() / np.log(2.0)

    def log10(self):
        return self.log() / np.log(10.0)

    def sqrt(self):
        return Sqrt.apply(self._floats())

    def rsqrt(self):
        return 1 / self.sqrt()

    def square(self):
        return self * self

    def reciprocal(self):
        return 1 / self._floats()

    def sin(self):
        return Sin.apply(self._floats())

    def cos(self):
        return Cos.apply(self._floats())

    def tan(self):
        return Tan.apply(self._floats())

    def tanh(self):
        return Tanh.apply(self._floats())

    def sigmoid(self):
        return Sigmoid.apply(self._floats())

    def relu(self):
        return ReLU.apply(self)

    def softmax(self, dim, dtype=None):
        x = self if dtype is None else self.type(dtype)
        return Softmax.apply(x._floats(), dim=dim)

    def log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.type(dtype)
        return LogSoftmax.apply(x._floats(), dim=dim)

    def clamp(self, min=None, max=None):  # noqa: A002  (PyTorch's argument names)
        """min(max(x, min), max); ``min``/``max`` may be numbers or tensors."""
        from .tensor import Tensor
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            result = self if min is None else self.maximum(min)
            return result if max is None else result.minimum(max)
        return Clip.apply(self, low=min, high=max)

    clip = clamp

    def maximum(self, other):
        return Maximum.apply(*self._pair(other))

    def minimum(self, other):
        return Minimum.apply(*self._pair(other))

    def sign(self):
        return Rounding.apply(self, fn=np.sign)

    def floor(self):
        return Rounding.apply(self, fn=np.floor)

    def ceil(self):
        return Rounding.apply(self, fn=np.ceil)

    def trunc(self):
        return Rounding.apply(self, fn=np.trunc)

    def round(self, decimals: int = 0):
        return Rounding.apply(self, fn=lambda x: np.round(x, decimals))

    def frac(self):
        return self - self.trunc()

    def lerp(self, end, weight):
        return self + (end - self) * weight

    def isnan(self):
        return _bool(np.isnan(self._array))

    def isinf(self):
        return _bool(np.isinf(self._array))

    def isfinite(self):
        return _bool(np.isfinite(self._array))

    def nan_to_num(self, nan: float = 0.0, posinf=None, neginf=None):
        from .shape_ops import Where
        filled = np.nan_to_num(self._array, nan=nan, posinf=posinf, neginf=neginf)
        return Where.apply(self, filled, condition=np.isfinite(self._array))

    # ----- comparisons and logic (bool tensors, no gradient) -----
    def _compare(self, other, compare):
        if not isinstance(other, _COMPARABLE):
            return NotImplemented  # let the other side answer (e.g. pytest.approx), else False for ==
        a, b = self._pair(other)
        return _bool(compare(a._array, b._array))

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def eq(self, other):
        return self._compare(other, np.equal)

    def ne(self, other):
        return self._compare(other, np.not_equal)

    def lt(self, other):
        return self._compare(other, np.less)

    def le(self, other):
        return self._compare(other, np.less_equal)

    def gt(self, other):
        return self._compare(other, np.greater)

    def ge(self, other):
        return self._compare(other, np.greater_equal)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def equal(self, other) -> builtins.bool:
        """True if both tensors have the same shape and elements."""
        other = np.asarray(other)
        return self._array.shape == other.shape and builtins.bool(np.array_equal(self._array, other))

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> builtins.bool:
        return builtins.bool(np.allclose(self._array, np.asarray(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
        return _bool(np.isclose(self._array, np.asarray(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def __and__(self, other):
        return self._compare(other, np.bitwise_and)

    def __or__(self, other):
        return self._compare(other, np.bitwise_or)

    def __xor__(self, other):
        return self._compare(other, np.bitwise_xor)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self):
        return _bool(~self._array)

    def logical_and(self, other):
        return self._compare(other, np.logical_and)

    def logical_or(self, other):
        return self._compare(other, np.logical_or)

    def logical_xor(self, other):
        return self._compare(other, np.logical_xor)

    def logical_not(self):
        return _bool(np.logical_not(self._array))

    # ----- reductions -----
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False, out=None):
        x = self if dtype is None else self.type(dtype)
        if x._array.dtype.kind == "b" or (dtype is None and x._array.dtype.kind in "iu"):
            x = x.type(np.int64)  # PyTorch sums booleans and integers as int64
        return Sum.apply(x, axis=reduce_dims(dim, axis), keepdims=keepdim or keepdims)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False, out=None):
        x = self if dtype is None else self.type(dtype)
        if x._array.dtype.kind not in "fc":
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {x.dtype} (use .float().mean())")
        return Mean.apply(x, axis=reduce_dims(dim, axis), keepdims=keepdim or keepdims)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=False,
            ddof=None, out=None):
        """Variance Σ(x − x̄)²/(N − correction); PyTorch's default correction is 1 (unbiased)."""
        if isinstance(dim, builtins.bool) and unbiased is None:  # var(False): the old positional unbiased
            dim, unbiased = None, dim
        if ddof is not None:  # np.var(t) passes NumPy's ddof (default 0)
            correction = ddof
        correction = correction if correction is not None else (0 if unbiased is False else 1)
        axes = reduce_dims(dim, axis)
        keep = keepdim or keepdims
        centered = self - self.mean(dim=axes, keepdim=True)
        count = self._array.size if axes is None else int(np.prod([self.shape[a] for a in np.atleast_1d(axes)]))
        return (centered * centered).sum(dim=axes, keepdim=keep) / builtins.max(count - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=False,
            ddof=None, out=None):
        """Standard deviation, the square root of ``var`` (same arguments)."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims,
                        ddof=ddof).sqrt()

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        x = self if dtype is None else self.type(dtype)
        return Prod.apply(x, axis=dim, keepdims=keepdim)

    def cumsum(self, dim, *, dtype=None):
        x = self if dtype is None else self.type(dtype)
        return Cumsum.apply(x, axis=dim)

    def amax(self, dim=None, keepdim=False):
        """Largest values along ``dim`` (the gradient is shared between ties)."""
        return Max.apply(self, axis=reduce_dims(dim, None) if dim != () else None, keepdims=keepdim)

    def amin(self, dim=None, keepdim=False):
        return Min.apply(self, axis=reduce_dims(dim, None) if dim != () else None, keepdims=keepdim)

    def _extreme(self, dim, keepdim, axis, keepdims, largest: builtins.bool, other):
        from .tensor import Tensor
        if isinstance(dim, Tensor) or other is not None:  # max(other): elementwise
            return self.maximum(dim if other is None else other) if largest else \
                self.minimum(dim if other is None else other)
        keep = keepdim or keepdims
        if axis is not None or isinstance(dim, (tuple, list)):  # NumPy style (axis=): the values only
            return (Max if largest else Min).apply(self, axis=reduce_dims(dim, axis), keepdims=keep)
        if dim is None:
            return (Max if largest else Min).apply(self, axis=None, keepdims=False)
        indices = (np.argmax if largest else np.argmin)(self._array, axis=dim, keepdims=True)
        values = self.gather(dim, indices)
        if not keep:
            values, indices = values.squeeze(dim), np.squeeze(indices, axis=dim)
        return ValuesIndices(values, _long(indices))

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=False, other=None, out=None):
        """``max()`` the largest value; ``max(dim)`` the (values, indices) along dim, as PyTorch;
        ``max(axis=...)`` the values only, as NumPy; ``max(other)`` the elementwise maximum."""
        return self._extreme(dim, keepdim, axis, keepdims, True, other)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=False, other=None, out=None):
        """``min()`` the smallest value; ``min(dim)`` the (values, indices) along dim; ``min(other)``
        the elementwise minimum."""
        return self._extreme(dim, keepdim, axis, keepdims, False, other)

    def argmax(self, dim=None, keepdim=False, *, axis=None, out=None):
        """Index of the largest value (of the flattened tensor when ``dim`` is None), as int64."""
        dim = reduce_dims(dim, axis)
        return _long(np.argmax(self._array, axis=dim, keepdims=keepdim and dim is not None))

    def argmin(self, dim=None, keepdim=False, *, axis=None, out=None):
        dim = reduce_dims(dim, axis)
        return _long(np.argmin(self._array, axis=dim, keepdims=keepdim and dim is not None))

    def logsumexp(self, dim, keepdim=False):
        """log Σ exp(x) along ``dim``, shifted by the maximum so that no exp overflows"""
        shift = np.max(self._array, axis=dim, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0)
        out = (self - shift).exp().sum(dim=dim, keepdim=True).log() + shift
        return out if keepdim else out.squeeze(dim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """‖x‖_p = (Σ|x|^p)^(1/p) over ``dim`` (all elements by default; 'fro' is p = 2)."""
        p = 2 if p in ("fro", None) else p
        return Norm.apply(self._floats(), p=float(p), axis=reduce_dims(dim, None), keepdims=keepdim)

    def all(self, dim=None, keepdim=False, *, axis=None, out=None, keepdims=False):
        return _bool(np.all(self._array, axis=reduce_dims(dim, axis), keepdims=keepdim or keepdims))

    def any(self, dim=None, keepdim=False, *, axis=None, out=None, keepdims=False):
        return _bool(np.any(self._array, axis=reduce_dims(dim, axis), keepdims=keepdim or keepdims))

    def count_nonzero(self, dim=None):
        return _long(np.count_nonzero(self._array, axis=dim))

    # ----- ordering -----
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        """(values, indices) sorted along ``dim``; ties keep their order."""
        key = -self._array if descending and self._array.dtype.kind != "b" else self._array
        indices = np.argsort(key, axis=dim, kind="stable")
        if descending and self._array.dtype.kind == "b":
            indices = np.flip(np.argsort(self._array, axis=dim, kind="stable"), axis=dim)
        return ValuesIndices(self.gather(dim, indices), _long(indices))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return self.sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
        if not 0 <= k <= self.size(dim):
            raise RuntimeError(f"selected index k out of range: k = {k}, dimension {dim} has size {self.size(dim)}")
        order = self.sort(dim, descending=largest).indices._array
        indices = np.take(order, np.arange(k), axis=dim)
        return ValuesIndices(self.gather(dim, indices), _long(indices))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        """The k-th smallest element (1-based) along ``dim`` and its index."""
        values, indices = self.sort(dim)
        index = np.take(indices._array, [k - 1], axis=dim)
        picked = self.gather(dim, index)
        if not keepdim:
            picked, index = picked.squeeze(dim), np.squeeze(index, axis=dim)
        return ValuesIndices(picked, _long(index))

    def median(self, dim=None, keepdim: bool = False):
        """The lower median (of all elements, or ``(values, indices)`` along ``dim``), as PyTorch."""
        if dim is None:
            flat = self.reshape(-1)
            return flat.kthvalue((flat.numel() + 1) // 2, 0).values
        return self.kthvalue((self.size(dim) + 1) // 2, dim, keepdim)


_COMPARABLE = (TensorMath, np.ndarray, np.number, np.bool_, builtins.int, builtins.float, builtins.bool,
               list, tuple)


def _bool(array):
    from .tensor import Tensor
    return Tensor._make(np.asarray(array, dtype=np.bool_), False, None)


def _long(array):
    from .tensor import Tensor
    return Tensor._make(np.asarray(array, dtype=np.int64), False, None)
