"""In-place tensor methods: ``add_``, ``mul_``, ``zero_``, ``normal_``, ``x -= y``, ...

Each one computes the out-of-place result and writes it into the tensor's own memory
(``Tensor._become``). When the graph must record it (the tensor or an argument requires grad), the
op is recorded on a snapshot of the tensor's old value, and the tensor becomes that op's output, as
in PyTorch. A leaf that requires grad can only be changed in place under ``no_grad``.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE
from .random import get_rng


def _in_place(name: str):
    """The in-place twin of the out-of-place method ``name``."""

    def method(self, *args, **kwargs):
        source = self._snapshot() if self._records_with(*args, *kwargs.values()) else self
        return self._become(getattr(source, name)(*args, **kwargs))

    method.__name__ = name + "_"
    method.__doc__ = f"In-place ``{name}``: the result is written into this tensor, which is returned."
    return method


def _in_place_operator(name: str):
    method = _in_place(name)
    method.__name__ = f"__i{name.strip('_')}__"
    return method


class TensorInPlace:
    __slots__ = ()

    add_ = _in_place("add")
    sub_ = _in_place("sub")
    mul_ = _in_place("mul")
    div_ = _in_place("div")
    pow_ = _in_place("pow")
    neg_ = _in_place("neg")
    abs_ = _in_place("abs")
    exp_ = _in_place("exp")
    log_ = _in_place("log")
    sqrt_ = _in_place("sqrt")
    sigmoid_ = _in_place("sigmoid")
    tanh_ = _in_place("tanh")
    relu_ = _in_place("relu")
    clamp_ = clip_ = _in_place("clamp")
    floor_ = _in_place("floor")
    round_ = _in_place("round")
    masked_fill_ = _in_place("masked_fill")
    scatter_ = _in_place("scatter")
    scatter_add_ = _in_place("scatter_add")
    index_add_ = _in_place("index_add")
    lerp_ = _in_place("lerp")
    t_ = _in_place("t")

    __iadd__ = _in_place_operator("__add__")
    __isub__ = _in_place_operator("__sub__")
    __imul__ = _in_place_operator("__mul__")
    __itruediv__ = _in_place_operator("__truediv__")
    __ipow__ = _in_place_operator("__pow__")

    def copy_(self, src, non_blocking: bool = False):
        """Copy ``src``'s values (broadcast to this shape, converted to this dtype) into this tensor."""
        from .tensor import as_tensor
        src = as_tensor(src)
        if STATE.grad_enabled and src.requires_grad:
            return self._become(src.type(self.dtype).expand(self.shape))
        return self._fill(np.broadcast_to(src._array, self._array.shape))

    def fill_(self, value):
        return self._fill(value.item() if hasattr(value, "item") else value)

    def zero_(self):
        return self._fill(0)

    def _fill(self, values):
        """Overwrite every element with ``values`` (a number or an array of this shape). Recording
        the graph, the tensor then no longer depends on its history."""
        self._check_inplace_allowed()
        self._array[...] = values
        self._version += 1
        if STATE.grad_enabled and self._ctx is not None:
            self._ctx, self.requires_grad = None, False
        return self

    # ----- random refills (PyTorch's names; a glassnet or NumPy Generator as ``generator``) -----
    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
        return self._fill(get_rng(generator).normal(mean, std, self._array.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None):
        return self._fill(get_rng(generator).uniform(a, b, self._array.shape))

    def bernoulli_(self, p: float = 0.5, *, generator=None):
        return self._fill(get_rng(generator).random(self._array.shape) < np.asarray(p))

    def exponential_(self, lambd: float = 1.0, *, generator=None):
        return self._fill(get_rng(generator).exponential(1 / lambd, self._array.shape))

    def random_(self, low: int = 0, high: int | None = None, *, generator=None):
        if high is None:
            low, high = 0, low if low else 2 ** 24
        return self._fill(get_rng(generator).integers(low, high, self._array.shape))

    def fill_diagonal_(self, fill_value, wrap: bool = False):
        self._check_inplace_allowed()
        np.fill_diagonal(self._array, fill_value, wrap=wrap)
        self._version += 1
        return self
