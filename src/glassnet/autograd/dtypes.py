"""Data types with PyTorch's names (``gn.float32``, ``gn.long``, ...) and its promotion rules.

A ``dtype`` wraps a NumPy dtype: NumPy accepts it wherever it takes a dtype (it reads the ``.dtype``
attribute), and it compares equal to the NumPy dtype it stands for (``gn.float32 == np.float32``).
"""
from __future__ import annotations

import builtins

import numpy as np


class dtype:  # noqa: N801  (PyTorch's name)
    """One element type: ``gn.float32``, ``gn.int64``, ... (``np.dtype(gn.float32)`` is NumPy's)."""

    __slots__ = ("dtype", "name")
    _by_numpy: dict = {}

    def __init__(self, numpy_dtype):
        self.dtype = np.dtype(numpy_dtype)
        self.name = self.dtype.name
        dtype._by_numpy[self.dtype] = self

    @property
    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.dtype.kind in "ifc"

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self is other
        try:
            return self.dtype == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"glassnet.{self.name}"

    def __reduce__(self):  # copy.deepcopy keeps the one instance per type
        return (as_dtype, (self.name,))


float16 = half = dtype(np.float16)
float32 = float = dtype(np.float32)  # noqa: A001  (PyTorch's alias)
float64 = double = dtype(np.float64)
complex64 = cfloat = dtype(np.complex64)
complex128 = cdouble = dtype(np.complex128)
uint8 = dtype(np.uint8)
int8 = dtype(np.int8)
int16 = short = dtype(np.int16)
int32 = int = dtype(np.int32)  # noqa: A001
int64 = long = dtype(np.int64)
bool = dtype(np.bool_)  # noqa: A001

_default_float = float32


def as_dtype(value) -> dtype:
    """The glassnet dtype for ``value``: a dtype, a NumPy dtype or type, a name ('float32'), or a Python
    type (``float`` -> the default float dtype, ``int`` -> int64, ``bool`` -> bool)."""
    if isinstance(value, dtype):
        return value
    python_types = {builtins.float: _default_float, builtins.int: int64, builtins.bool: bool}
    if isinstance(value, type) and value in python_types:
        return python_types[value]
    if isinstance(value, str):
        value = value.removeprefix("torch.").removeprefix("glassnet.")
        value = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                 "int": "int32", "short": "int16", "bool": "bool"}.get(value, value)
    try:
        numpy_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"not a data type: {value!r} (use e.g. glassnet.float32 or glassnet.long)") from None
    found = dtype._by_numpy.get(numpy_dtype)
    if found is None:
        raise TypeError(f"glassnet has no tensors of NumPy dtype {numpy_dtype}")
    return found



def is_supported(numpy_dtype: np.dtype) -> bool:
    """Whether tensors can hold elements of this NumPy dtype (numbers and booleans)."""
    return numpy_dtype in dtype._by_numpy


def numpy_dtype(value) -> np.dtype:
    """The NumPy dtype behind any dtype-like ``value`` (see ``as_dtype``)."""
    return as_dtype(value).dtype


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (float32 unless ``set_default_dtype`` changed it)."""
    return _default_float


def set_default_dtype(value) -> None:
    """Make Python floats and the random/filled factories produce ``value`` (float32 or float64)."""
    global _default_float
    chosen = as_dtype(value)
    if not chosen.is_floating_point:
        raise TypeError(f"set_default_dtype needs a floating-point dtype, got {chosen}")
    _default_float = chosen


def is_floating_point(x) -> bool:
    """True for a tensor (or array) of a floating-point dtype."""
    return np.dtype(x.dtype).kind == "f"


def promote_types(a, b) -> dtype:
    """PyTorch's promotion of two tensor dtypes: bool < integers < floating; within a kind, the wider."""
    a, b = numpy_dtype(a), numpy_dtype(b)
    kinds = "biuf"
    if a.kind != b.kind and "f" in (a.kind, b.kind):
        return as_dtype(a if a.kind == "f" else b)  # an integer tensor joins the float one's dtype
    if "b" in (a.kind, b.kind) and a.kind != b.kind:
        return as_dtype(a if kinds.index(a.kind) > kinds.index(b.kind) else b)
    return as_dtype(np.promote_types(a, b))


class finfo:  # noqa: N801
    """Machine limits of a floating-point dtype (``gn.finfo(gn.float32).eps``), as ``np.finfo``."""

    def __init__(self, type=None):  # noqa: A002
        info = np.finfo(numpy_dtype(type if type is not None else _default_float))
        self.bits, self.eps, self.max, self.min = info.bits, *(builtins.float(v) for v in (info.eps, info.max, info.min))
        self.tiny = self.smallest_normal = builtins.float(info.tiny)
        self.resolution, self.dtype = builtins.float(info.resolution), str(info.dtype)


class iinfo:  # noqa: N801
    """Limits of an integer dtype (``gn.iinfo(gn.int64).max``), as ``np.iinfo``."""

    def __init__(self, type):  # noqa: A002
        info = np.iinfo(numpy_dtype(type))
        self.bits, self.max, self.min, self.dtype = info.bits, builtins.int(info.max), builtins.int(info.min), str(info.dtype)
