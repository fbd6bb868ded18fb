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
``ctx.needs_input_grad``, set before forward runs) — never an array saved from forward, which the
engine may add to in place.

A recorded node knows, for each input, where that input's gradient goes next (``next_edges``: the
node that made the input, the leaf tensor that collects it, or None). The edges are taken when the
node is made, so changing a tensor in place later does not rewire what was recorded before.

PyTorch's own custom-function API (forward and backward on Tensors, ``ctx.save_for_backward``) is
``glassnet.autograd.Function``, in ``custom_function.py``; it builds on this class.
"""
from __future__ import annotations

import numpy as np

from . import tensor as tensor_module  # Tensor's methods import the ops: look Tensor up when called
from .grad_mode import STATE


class Function:
    """Base class of differentiable operations; an instance is one node of the graph."""

    inputs: tuple | None          # the input Tensors (their shapes undo broadcasting)
    next_edges: tuple | None      # where each input's gradient goes: a node, a leaf Tensor, or None
    needs_input_grad: tuple
    saved_versions: tuple         # (tensor, version) for each tensor whose array forward kept

    @staticmethod
    def forward(ctx, *arrays, **options):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: a Function subclass defines forward")

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: a Function subclass defines backward")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run ``forward`` on the inputs' arrays and, if any input requires grad, record the node.

        ``inputs`` are Tensors (or arrays / numbers, taken as constants); ``options`` are passed to
        ``forward`` as they are (axes, shapes, flags).
        """
        Tensor = tensor_module.Tensor
        tensors = tuple(x if isinstance(x, Tensor) else tensor_module.as_tensor(x) for x in inputs)
        ctx = cls.__new__(cls)
        recording = STATE.grad_enabled
        needs = tuple(t.requires_grad and recording for t in tensors)
        ctx.needs_input_grad = needs  # forward may keep only what the needed gradients use
        out = cls.forward(ctx, *[t._array for t in tensors], **options)
        if type(out) is not np.ndarray:  # NumPy turns 0-d results into scalars
            out = np.asarray(out)
        if STATE.anomaly:
            _check_forward(cls, tensors, out)
        if True in needs:
            kept = [value for value in ctx.__dict__.values() if type(value) is np.ndarray]
            result = Tensor._make(out, True, ctx)
            ctx.record(tensors, needs, result, kept)
            return result
        return Tensor._make(out, False, None)

    def record(self, tensors: tuple, needs: tuple, output, kept: list) -> None:
        """Link this node into the graph: its inputs, their edges, and the versions of the tensors whose
        arrays forward kept (``kept``), so that backward can tell if one was changed in place since."""
        self.inputs = tensors
        self.needs_input_grad = needs
        self.next_edges = tuple(t._ctx if t._ctx is not None else (t if t.requires_grad else None)
                                for t in tensors)
        self.saved_versions = tuple((t, t._version) for t in (*tensors, output)
                                    if any(array is t._array for array in kept)) if kept else ()

    def run_backward(self, grad: np.ndarray) -> tuple:
        """The engine's call: one gradient (or None) per input."""
        grads = self.backward(self, grad)
        return grads if isinstance(grads, tuple) else (grads,)

    def release(self) -> None:
        """Drop the arrays saved by forward and the links to the inputs (after backward)."""
        self.__dict__.clear()
        self.inputs = self.next_edges = None

    # ----- what PyTorch's grad_fn shows -----
    @property
    def next_functions(self) -> tuple:
        """((node, 0), ...) per input, as PyTorch's ``grad_fn.next_functions`` (leaves as AccumulateGrad)."""
        return tuple((AccumulateGrad(edge) if isinstance(edge, tensor_module.Tensor) else edge, 0)
                     for edge in (self.next_edges or ()))

    def name(self) -> str:
        return f"{type(self).__name__}Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """The end of a backward path: adds the gradient into the leaf tensor ``variable``'s ``.grad``."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _check_forward(cls, tensors, out) -> None:
    if np.issubdtype(out.dtype, np.floating) and not np.all(np.isfinite(out)):
        if all(np.all(np.isfinite(t._array)) for t in tensors if np.issubdtype(t._array.dtype, np.floating)):
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise FloatingPointError(f"detect_anomaly: {cls.__name__} produced NaN/inf from finite inputs "
                                     f"(input shapes {shapes})")
