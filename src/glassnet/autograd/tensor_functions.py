"""The functions of glassnet's top level that work on tensors, as PyTorch's: ``gn.sum(x, dim=1)``,
``gn.max(x, 1)``, ``gn.cat([a, b])``, ``gn.einsum("ij,jk->ik", a, b)``, ...

Most are the Tensor method of the same name called on the first argument (``gn.exp(x)`` is
``x.exp()``); an array or a number given as that argument is made a tensor first.
"""
from __future__ import annotations

import builtins

import numpy as np

from .function import Function
from .shape_ops import Concatenate, Stack, Where
from .tensor import Tensor, as_array, as_tensor


def _method_as_function(name: str):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):  # noqa: A002  (PyTorch's argument name)
        return getattr(as_tensor(input), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``glassnet.{name}(input, ...)`` is ``input.{name}(...)``."
                        + (f"\n\n{method.__doc__}" if method.__doc__ else ""))
    return function


METHODS_AS_FUNCTIONS = (
    "abs", "absolute", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "remainder", "fmod", "pow", "neg", "negative", "matmul", "mm", "bmm", "mv", "dot", "outer",
    "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "clamp", "clip",
    "sign", "floor", "ceil", "trunc", "round", "frac", "lerp", "isnan", "isinf", "isfinite", "nan_to_num",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "equal", "allclose", "isclose", "logical_and", "logical_or", "logical_xor", "logical_not",
    "sum", "mean", "var", "std", "prod", "cumsum", "amax", "amin", "argmax", "argmin", "logsumexp",
    "norm", "all", "any", "count_nonzero", "sort", "argsort", "topk", "kthvalue", "median",
    "reshape", "flatten", "ravel", "unflatten", "unsqueeze", "squeeze", "transpose", "swapaxes", "swapdims", "t",
    "permute", "movedim", "broadcast_to", "tile", "repeat_interleave", "flip", "fliplr", "flipud", "roll",
    "narrow", "split", "chunk", "tensor_split", "unbind", "index_select", "gather", "take_along_dim",
    "scatter", "scatter_add", "index_add", "masked_fill", "masked_select", "nonzero", "argwhere",
    "tril", "triu", "diagonal", "diag", "trace", "clone", "detach",
)
globals().update({name: _method_as_function(name) for name in METHODS_AS_FUNCTIONS})
__all__ = [*METHODS_AS_FUNCTIONS, "max", "min", "maximum", "minimum", "cat", "concatenate", "concat", "stack",
           "hstack", "vstack", "where", "is_tensor", "is_nonzero", "meshgrid", "cdist", "einsum"]


def max(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001  (PyTorch's names)
    """``max(x)`` the largest value; ``max(x, dim)`` (values, indices); ``max(x, other)`` elementwise."""
    return as_tensor(input).max(dim, keepdim)


def min(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """``min(x)`` the smallest value; ``min(x, dim)`` (values, indices); ``min(x, other)`` elementwise."""
    return as_tensor(input).min(dim, keepdim)


def maximum(input, other):  # noqa: A002
    return as_tensor(input).maximum(other)


def minimum(input, other):  # noqa: A002
    return as_tensor(input).minimum(other)


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``np.concatenate``); all must have the same dtype."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    return Concatenate.apply(*_common_dtype(tensors), axis=dim if axis is None else axis)


concatenate = concat = cat


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {sorted(shapes)}")
    return Stack.apply(*_common_dtype(tensors), axis=dim if axis is None else axis)


def hstack(tensors) -> Tensor:
    tensors = [as_tensor(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([as_tensor(t) if as_tensor(t).ndim > 1 else as_tensor(t).reshape(1, -1) for t in tensors], 0)


def _common_dtype(tensors: list) -> list:
    from .dtypes import promote_types
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            dtype = promote_types(dtype, t.dtype)
    return [t.type(dtype) for t in tensors]


def where(condition, input=None, other=None) -> Tensor:  # noqa: A002
    """Elementwise ``input if condition else other``; ``where(condition)`` alone is ``nonzero(as_tuple=True)``."""
    if input is None and other is None:
        return as_tensor(condition).nonzero(as_tuple=True)
    if isinstance(other, Tensor) and not isinstance(input, Tensor):
        b, a = other._pair(input)
    else:
        a, b = as_tensor(input)._pair(other)
    return Where.apply(a, b, condition=as_array(condition).astype(bool, copy=False))


def numel(input) -> int:  # noqa: A002
    return as_tensor(input).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_nonzero(input) -> bool:  # noqa: A002
    return bool(as_tensor(input))


def meshgrid(*tensors, indexing: str = "ij"):
    """Coordinate grids from 1-D tensors (``indexing='ij'`` as PyTorch's default, or 'xy')."""
    tensors = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    grids = np.meshgrid(*[as_array(t) for t in tensors], indexing=indexing)
    return tuple(as_tensor(g.copy()) for g in grids)


def cdist(x1, x2, p: float = 2.0) -> Tensor:
    """Pairwise distances ‖x1ᵢ − x2ⱼ‖_p between the rows of two (…, n, d) and (…, m, d) tensors."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


class Einsum(Function):
    """y = einsum(spec, *xs);  ∂L/∂xₖ = einsum of g with the other operands, written to xₖ's subscripts"""

    @staticmethod
    def forward(ctx, *xs, inputs_spec, output_spec):
        ctx.xs, ctx.inputs_spec, ctx.output_spec = xs, inputs_spec, output_spec
        return np.einsum(",".join(inputs_spec) + "->" + output_spec, *xs)

    @staticmethod
    def backward(ctx, g):
        grads = []
        for k, (x, spec) in enumerate(zip(ctx.xs, ctx.inputs_spec)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [s for i, s in enumerate(ctx.inputs_spec) if i != k]
            operands = [ctx.xs[i] for i in range(len(ctx.xs)) if i != k]
            summed = "".join(sorted(set(spec) - set(ctx.output_spec) - set("".join(others))))
            kept = "".join(c for c in spec if c not in summed)
            grad = np.einsum(",".join([ctx.output_spec] + others) + "->" + kept, g, *operands)
            if summed:  # indices only this operand has: the gradient is the same along them
                grad = np.broadcast_to(np.expand_dims(grad, [spec.index(c) for c in summed]), x.shape)
            grads.append(grad)
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum("bij,bjk->bik", a, b)`` (no ``...`` and no index repeated
    inside one operand)."""
    operands = operands[0] if len(operands) == 1 and isinstance(operands[0], (list, tuple)) else operands
    equation = equation.replace(" ", "")
    if "..." in equation:
        raise RuntimeError("glassnet's einsum does not take '...'; name every axis")
    inputs_part, _, output_spec = equation.partition("->")
    inputs_spec = inputs_part.split(",")
    if "->" not in equation:
        letters = "".join(inputs_spec)
        output_spec = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(inputs_spec) != len(operands):
        raise RuntimeError(f"einsum(): {len(inputs_spec)} operands in the equation, {len(operands)} given")
    if builtins.any(len(set(s)) != len(s) for s in inputs_spec):
        raise RuntimeError("glassnet's einsum does not take an index repeated inside one operand (diagonals)")
    tensors = _common_dtype([as_tensor(t) for t in operands])
    return Einsum.apply(*tensors, inputs_spec=tuple(inputs_spec), output_spec=output_spec)
