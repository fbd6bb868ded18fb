"""``Tensor``: a NumPy array that remembers the operation that made it.

The array lives in one internal slot, ``t._array``: that is what Functions and kernels read.
The public face is PyTorch's: ``t.data`` is a detached Tensor sharing that memory, ``t.grad`` the
accumulated gradient (a Tensor, or None), ``t.grad_fn`` the ``Function`` node that produced it (None
for a leaf), ``t.numpy()`` the array itself, without a copy. ``t._version`` counts in-place changes, so
that backward can refuse a value it saved that was changed since.

The methods live in three mixins: arithmetic, math and reductions (``tensor_math.py``), shapes and
indexing (``tensor_shape.py``), in-place updates (``tensor_inplace.py``). Each differentiable method
is one ``Function.apply`` call.
"""
from __future__ import annotations

import copy

import numpy as np

from . import graph
from .device import CPU, check_device, device
from .dtypes import as_dtype, dtype, get_default_dtype, is_supported, numpy_dtype
from .grad_mode import STATE
from .tensor_inplace import TensorInPlace
from .tensor_math import TensorMath
from .tensor_shape import TensorShape


class Size(tuple):
    """A tensor's shape: a tuple of ints (``torch.Size``), with ``numel()``."""

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


def _is_sizes(args: tuple) -> bool:
    return all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and isinstance(args[0], Size))


def array_from(data, dtype=None) -> np.ndarray:
    """An ndarray for ``data`` as ``gn.tensor`` reads it: NumPy arrays and scalars keep their dtype,
    Python floats become the default float dtype (float32), ints int64, bools bool."""
    if isinstance(data, Tensor):
        data = data._array
    if dtype is not None:
        array = np.asarray(data, dtype=numpy_dtype(dtype))
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype == np.float64:
            array = array.astype(get_default_dtype().dtype)
    if not is_supported(array.dtype):
        raise TypeError(f"glassnet tensors hold numbers or booleans; got data of NumPy dtype {array.dtype} "
                        f"(e.g. strings or mixed objects): {_preview(data)}")
    return array


def _preview(data) -> str:
    text = repr(data)
    return text if len(text) < 80 else text[:77] + "..."


class Tensor(TensorMath, TensorShape, TensorInPlace):
    """An n-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(data)`` makes a float tensor of the default dtype (as ``torch.Tensor``); ``Tensor(2, 3)`` a
    zero-filled one of shape (2, 3). ``gn.tensor(data)`` keeps the data's own dtype.
    """

    __slots__ = ("_array", "_grad", "requires_grad", "_ctx", "_version", "_hooks", "__weakref__")
    __hash__ = object.__hash__  # tensors are dict keys by identity (optimizer state)

    def __init__(self, *args, requires_grad: bool = False, dtype=None, device=None):
        check_device(device)
        if not args:
            args = (0,)
        if len(args) == 1 and not _is_sizes(args):
            data = args[0]
            array = data._array if isinstance(data, Tensor) and dtype is None else \
                array_from(data, dtype if dtype is not None else get_default_dtype())
        else:
            shape = tuple(args[0]) if len(args) == 1 else tuple(int(a) for a in args)
            array = np.zeros(shape, dtype=numpy_dtype(dtype if dtype is not None else get_default_dtype()))
        self._array, self._grad, self._ctx, self._version, self._hooks = array, None, None, 0, None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array: np.ndarray, requires_grad: bool, ctx) -> "Tensor":
        """Fast constructor for op outputs (no conversion)."""
        t = object.__new__(Tensor)
        t._array, t._grad, t.requires_grad, t._ctx, t._version, t._hooks = array, None, requires_grad, ctx, 0, None
        return t

    # ----- what it is -----
    @property
    def data(self) -> "Tensor":
        """This tensor's values as a new tensor outside the graph, sharing memory (changes through it
        are not tracked by autograd: prefer ``detach()`` or ``with gn.no_grad()``)."""
        return Tensor._make(self._array, False, None)

    @data.setter
    def data(self, value) -> None:
        self._array = value._array if isinstance(value, Tensor) else np.asarray(value)

    @property
    def grad(self) -> "Tensor | None":
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(value).__name__} (wrap an array with glassnet.as_tensor)")
        if value is not None and value.shape != self.shape:
            raise RuntimeError(f"assigned grad has shape {tuple(value.shape)}, the tensor {tuple(self.shape)}")
        self._grad = value

    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    @property
    def dtype(self) -> dtype:
        return dtype._by_numpy[self._array.dtype]

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    def size(self, dim: int | None = None):
        return Size(self._array.shape) if dim is None else self._array.shape[dim]

    def numel(self) -> int:
        return self._array.size

    nelement = numel

    def element_size(self) -> int:
        return self._array.itemsize

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._array.itemsize for s in self._array.strides)
        return strides if dim is None else strides[dim]

    def is_contiguous(self) -> bool:
        return self._array.flags.c_contiguous

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def data_ptr(self) -> int:
        return self._array.ctypes.data

    # ----- the graph -----
    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self._array.dtype.kind not in "fc":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed; a returned
        tensor replaces the gradient. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            hooks = self._ctx.__dict__.setdefault("output_hooks", [])
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep theirs)."""
        if self._ctx is None or self.retains_grad:
            return

        def keep(grad):
            if self._grad is None:
                self._grad = Tensor._make(grad._array.copy(), False, None)
            else:
                self._grad._array += grad._array
        keep.retains_grad = True
        self.register_hook(keep)

    @property
    def retains_grad(self) -> bool:
        hooks = self._ctx.__dict__.get("output_hooks", ()) if self._ctx is not None else ()
        return any(getattr(h, "retains_grad", False) for h in hooks)

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, adding it to ``leaf.grad``."""
        graph.backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def detach(self) -> "Tensor":
        return Tensor._make(self._array, False, None)

    def detach_(self) -> "Tensor":
        self._ctx, self.requires_grad = None, False
        return self

    # ----- leaving for Python and NumPy -----
    def numpy(self, force: bool = False) -> np.ndarray:
        """The array behind this tensor (no copy: changing one changes the other)."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._array

    def item(self):
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar "
                               f"(item() needs exactly one element; shape {tuple(self.shape)})")
        return self._array.item()

    def tolist(self):
        return self._array.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors of a single element can be converted to an index, "
                            f"got dtype {self.dtype}")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous "
                               f"(shape {tuple(self.shape)}); use .any() or .all()")
        return bool(self._array.item())

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._array)

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._array)))

    def __array__(self, dtype=None, copy=None):
        array = self._array if dtype is None else self._array.astype(dtype, copy=False)
        return array.copy() if copy and array is self._array else array

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy meeting a tensor: arithmetic and comparisons (``ndarray + t``, ``ndarray < t``) stay
        tensor operations, keeping the graph; any other ufunc (``np.exp(t)``) works on the arrays and
        returns an array."""
        operator = _GRAPH_UFUNCS.get(ufunc)
        if operator is not None and method == "__call__" and not kwargs:
            first, *rest = [x if isinstance(x, Tensor) else as_tensor(x) for x in inputs]
            return getattr(first, operator)(*rest)
        arrays = [x._array if isinstance(x, Tensor) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x._array if isinstance(x, Tensor) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __format__(self, spec: str) -> str:
        if spec and self._array.size == 1:
            return format(self._array.item(), spec)
        return format(str(self), spec)

    def __repr__(self) -> str:
        body = np.array2string(self._array, separator=", ", prefix="tensor(")
        extra = "" if self._array.dtype in (np.float32, np.int64, np.bool_) else f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __deepcopy__(self, memo):
        if self._ctx is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol; use .detach() first")
        new = object.__new__(type(self))
        new._array, new._ctx, new._version, new._hooks = self._array.copy(), None, 0, None
        new._grad = None if self._grad is None else copy.deepcopy(self._grad, memo)
        new.requires_grad = self.requires_grad
        memo[id(self)] = new
        return new

    # ----- dtype and device -----
    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; returns self when nothing
        changes (``copy=True`` forces a new tensor)."""
        target_dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        force_copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                target_dtype = arg.dtype
            elif isinstance(arg, (str, device, int)) and not isinstance(arg, bool):
                check_device(arg)
            elif arg is not None and not isinstance(arg, bool):
                target_dtype = arg
        result = self if target_dtype is None else self.type(target_dtype)
        return result.clone() if force_copy and result is self else result

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, device=None, non_blocking: bool = False) -> "Tensor":
        check_device("cuda" if device is None else device)
        return self  # pragma: no cover - check_device always raises for CUDA

    def type(self, dtype=None, non_blocking: bool = False):
        """Without an argument, the type name ('glassnet.FloatTensor'); with a dtype (or a legacy type such
        as ``gn.FloatTensor``, or its name), this tensor converted to it."""
        if dtype is None:
            return f"glassnet.{_LEGACY_NAMES.get(self._array.dtype, 'Tensor')}"
        if isinstance(dtype, str) and dtype.removeprefix("torch.").removeprefix("glassnet.") in _BY_LEGACY_NAME:
            dtype = _BY_LEGACY_NAME[dtype.removeprefix("torch.").removeprefix("glassnet.")]
        legacy = getattr(dtype, "dtype", None)  # gn.FloatTensor and the like carry their dtype
        target = numpy_dtype(legacy if isinstance(legacy, type(self.dtype)) else dtype)
        if target == self._array.dtype:
            return self
        from .ops import Cast
        if self.requires_grad and target.kind in "fc":
            return Cast.apply(self, dtype=target)
        return Tensor._make(self._array.astype(target), False, None)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.type(other.dtype)

    def float(self) -> "Tensor":
        return self.type(np.float32)

    def double(self) -> "Tensor":
        return self.type(np.float64)

    def half(self) -> "Tensor":
        return self.type(np.float16)

    def long(self) -> "Tensor":
        return self.type(np.int64)

    def int(self) -> "Tensor":
        return self.type(np.int32)

    def short(self) -> "Tensor":
        return self.type(np.int16)

    def byte(self) -> "Tensor":
        return self.type(np.uint8)

    def bool(self) -> "Tensor":
        return self.type(np.bool_)

    astype = type

    def clone(self, *, memory_format=None) -> "Tensor":
        from .ops import Copy
        return Copy.apply(self)

    def contiguous(self, memory_format=None) -> "Tensor":
        return self if self._array.flags.c_contiguous else self.clone()

    # ----- new tensors like this one -----
    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        check_device(device)
        return Tensor._make(np.array(array_from(data), dtype=numpy_dtype(dtype or self.dtype)), False,
                            None).requires_grad_(requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        check_device(device)
        array = np.full(tuple(size), fill_value, dtype=numpy_dtype(dtype or self.dtype))
        return Tensor._make(array, False, None).requires_grad_(requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        return self.new_full(_sizes(size), 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> "Tensor":
        return self.new_full(_sizes(size), 1, dtype, device, requires_grad)

    new_empty = new_zeros

    # ----- indexing -----
    def __getitem__(self, index):
        from .shape_ops import GetItem
        return GetItem.apply(self, index=index_arrays(index))

    def __setitem__(self, index, value) -> None:
        """``t[index] = value``: written in place; recorded in the graph when either side needs grad."""
        index = index_arrays(index)
        if self._records_with(value):
            from .shape_ops import SetItem
            value = value if isinstance(value, Tensor) else as_tensor(value, dtype=self._array.dtype)
            self._become(SetItem.apply(self._snapshot(), value, index=index))
            return
        self._check_inplace_allowed()
        self._array[index] = value._array if isinstance(value, Tensor) else value
        self._version += 1

    # ----- in place: the one mechanism behind add_, __setitem__, ... -----
    def _records_with(self, *others) -> bool:
        """Whether an in-place change of this tensor with ``others`` must be recorded in the graph."""
        return STATE.grad_enabled and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in others))

    def _check_inplace_allowed(self) -> None:
        if self.requires_grad and self._ctx is None and STATE.grad_enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation "
                               "(do the update inside `with glassnet.no_grad():`, or on .data)")

    def _snapshot(self) -> "Tensor":
        """This tensor's current value and place in the graph, as a separate tensor: an in-place op is
        recorded as an ordinary op on the snapshot, whose result this tensor then becomes."""
        return Tensor._make(self._array.copy(), self.requires_grad, self._ctx)

    def _become(self, result: "Tensor") -> "Tensor":
        """Write ``result`` into this tensor's memory, and take its place in the graph if it has one."""
        self._check_inplace_allowed()
        if result._array.shape != self._array.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        if not np.can_cast(result._array.dtype, self._array.dtype, casting="same_kind"):
            raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {self.dtype}")
        np.copyto(self._array, result._array, casting="same_kind")
        self._version += 1
        if result._ctx is not None:
            self._ctx, self.requires_grad = result._ctx, True
        return self


_GRAPH_UFUNCS = {
    np.add: "__add__", np.subtract: "__sub__", np.multiply: "__mul__", np.true_divide: "__truediv__",
    np.power: "__pow__", np.matmul: "__matmul__", np.negative: "__neg__", np.less: "__lt__",
    np.less_equal: "__le__", np.greater: "__gt__", np.greater_equal: "__ge__", np.equal: "__eq__",
    np.not_equal: "__ne__",
}


def index_arrays(index):
    """An index with its Tensors replaced by their arrays (masks, positions)."""
    if isinstance(index, Tensor):
        return index._array
    if isinstance(index, tuple):
        return tuple(i._array if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return [i._array if isinstance(i, Tensor) else i for i in index]
    return index


def _sizes(size: tuple) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


class _HookHandle:
    def __init__(self, hooks: list, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


_LEGACY_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
                 np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
                 np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
                 np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
                 np.dtype(np.bool_): "BoolTensor"}
_BY_LEGACY_NAME = {name: dtype for dtype, name in _LEGACY_NAMES.items()}


def as_array(x) -> np.ndarray:
    """The ndarray behind a Tensor (no copy), or ``np.asarray(x)`` for anything else."""
    return x._array if isinstance(x, Tensor) else np.asarray(x)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a Tensor without copying when it can: a Tensor is returned as it is (converted if
    ``dtype`` differs), an ndarray is shared, anything else is converted as ``gn.tensor`` does."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return Tensor._make(array_from(data, dtype), False, None)
