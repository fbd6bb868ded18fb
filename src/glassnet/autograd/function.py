"""``Function``: the one pattern for a differentiable operation.

A subclass writes two static methods on plain NumPy arrays::

    class Mul(Function):
        '''z = x · y;  ∂L/∂x = g · y,  ∂L/∂y = g · x'''
        @staticmethod
        def forward(ctx, x, y):
            ctx.x, ctx.y = x, y          # keep what backward needs
            return x * y
        @staticmethod
        def backward(ctx, g):             # g = ∂L/∂z
            return g * ctx.y, g * ctx.x   # one gradient per input

and is used as ``Mul.apply(a, b)``. ``ctx`` is the graph node itself (an instance of the subclass).
Gradients may have the broadcast shape of the output: the engine sums them back to each input's
shape (``graph.unbroadcast``), so no op undoes broadcasting by itself. A backward returns new arrays,
views of ``g``, ``g`` itself, or ``None`` for an input that needs no gradient (see
``ctx.needs_input_grad``) — never an array saved from forward, which the engine may add to in place.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE
from .tensor import Tensor


class Function:
    """Base class of differentiable operations; an instance is one node of the graph."""

    inputs: tuple | None
    needs_input_grad: tuple

    @staticmethod
    def forward(ctx, *arrays, **options):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: a Function subclass defines forward")

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: a Function subclass defines backward")

    @classmethod
    def apply(cls, *inputs, **options) -> Tensor:
        """Run ``forward`` on the inputs' arrays and, if any input requires grad, record the node.

        ``inputs`` are Tensors (or arrays / numbers, taken as constants); ``options`` are passed to
        ``forward`` as they are (axes, shapes, flags).
        """
        tensors = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
        ctx = cls.__new__(cls)
        out = cls.forward(ctx, *[t.data for t in tensors], **options)
        if type(out) is not np.ndarray:  # NumPy turns 0-d results into scalars
            out = np.asarray(out)
        if STATE.anomaly:
            _check_forward(cls, tensors, out)
        if STATE.grad_enabled:
            needs = tuple(t.requires_grad for t in tensors)
            if True in needs:
                ctx.inputs = tensors
                ctx.needs_input_grad = needs
                return Tensor._make(out, True, ctx)
        return Tensor._make(out, False, None)

    def release(self) -> None:
        """Drop the arrays saved by forward and the links to the inputs (after backward)."""
        self.__dict__.clear()
        self.inputs = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _check_forward(cls, tensors, out) -> None:
    outputs = out if isinstance(out, tuple) else (out,)
    for arr in outputs:
        if np.issubdtype(np.asarray(arr).dtype, np.floating) and not np.all(np.isfinite(arr)):
            if all(np.all(np.isfinite(t.data)) for t in tensors
                   if np.issubdtype(t.data.dtype, np.floating)):
                shapes = ", ".join(str(t.shape) for t in tensors)
                raise FloatingPointError(
                    f"detect_anomaly: {cls.__name__} produced NaN/inf from finite inputs "
                    f"(input shapes {shapes})")
