"""PyTorch's custom-function API: ``glassnet.autograd.Function`` with forward and backward on Tensors.

    class Cube(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    y = Cube.apply(x)

forward runs without recording a graph; its result becomes one node whose backward is yours.
glassnet's own operations use the array-level ``function.Function`` underneath.
"""
from __future__ import annotations

import numpy as np

from . import function
from .grad_mode import STATE, no_grad
from .tensor import Tensor


class FunctionCtx:
    """What ``ctx`` offers in a custom Function (the node itself is an instance of it)."""

    def save_for_backward(self, *tensors) -> None:
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        return getattr(self, "to_save", ())

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *outputs) -> None:
        self.non_differentiable = {id(o) for o in outputs}

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch code that changes inputs in place in forward (nothing else to do here)."""

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class Function(FunctionCtx, function.Function):
    """Base class of custom differentiable functions written on Tensors, as ``torch.autograd.Function``."""

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls.__new__(cls)
        tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            if _overrides(cls, "setup_context"):
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        several = isinstance(output, tuple)
        outputs = output if several else (output,)
        if not all(isinstance(o, Tensor) for o in outputs):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple of Tensors, got "
                            f"{type(output).__name__}")
        if not (STATE.grad_enabled and any(ctx.needs_input_grad)):
            return output
        ctx.arg_positions = tensor_positions
        ctx.output_shapes = [tuple(o.shape) for o in outputs]
        inputs = tuple(args[i] for i in tensor_positions)
        packed = np.concatenate([o._array.reshape(-1) for o in outputs]) if several else outputs[0]._array
        node_output = Tensor._make(packed, True, ctx)
        kept = [t._array for t in ctx.saved_tensors if isinstance(t, Tensor)]
        ctx.record(inputs, tuple(t.requires_grad for t in inputs), node_output, kept)
        if not several:
            return _mark(node_output, ctx, outputs[0])
        return tuple(_mark(piece, ctx, o) for piece, o in zip(_unpack(node_output, ctx.output_shapes), outputs))

    def run_backward(self, grad: np.ndarray) -> tuple:
        shapes = self.output_shapes
        pieces = [grad] if len(shapes) == 1 else [
            p._array for p in _unpack(Tensor._make(grad, False, None), shapes)]
        grads = self.backward(self, *[Tensor._make(p.reshape(s), False, None) for p, s in zip(pieces, shapes)])
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < max(self.arg_positions, default=-1) + 1:
            raise RuntimeError(f"function {type(self).__name__}.backward returned {len(grads)} gradients, "
                               f"but forward took {max(self.arg_positions) + 1} arguments")
        return tuple(None if grads[i] is None else np.asarray(getattr(grads[i], "_array", grads[i]))
                     for i in self.arg_positions)

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError("a custom Function defines forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):  # pragma: no cover - abstract
        raise NotImplementedError("a custom Function defines backward(ctx, *grad_outputs)")


def _overrides(cls, name: str) -> bool:
    return any(name in vars(klass) for klass in cls.__mro__ if klass not in (Function, FunctionCtx))


def _unpack(packed: Tensor, shapes: list) -> list:
    """The outputs of a several-output function, cut back out of its one packed node output."""
    bounds = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
    return [packed[int(a):int(b)].reshape(s) for a, b, s in zip(bounds[:-1], bounds[1:], shapes)]


def _mark(piece: Tensor, ctx, original: Tensor) -> Tensor:
    if id(original) in getattr(ctx, "non_differentiable", ()):
        return original
    return piece
