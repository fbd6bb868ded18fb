"""Operations that move elements without changing them: reshape, transpose, indexing, joining,
selection. Their backward puts each gradient element back where its value came from."""
from __future__ import annotations

import numpy as np

from .function import Function


class Reshape(Function):
    """y = x viewed with another shape;  ∂L/∂x = g reshaped back"""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                             f"into shape {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Transpose(Function):
    """y = x with permuted axes;  ∂L/∂x = g with the inverse permutation"""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        if ctx.axes is None:
            return g.transpose()
        return g.transpose(np.argsort(ctx.axes))


def _is_basic_index(index) -> bool:
    """True when indexing cannot pick one element twice (slices, ints, None, ..., boolean masks)."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, (slice, int, np.integer)) or item is None or item is Ellipsis:
            continue
        if isinstance(item, np.ndarray) and item.dtype == bool:
            continue
        return False
    return True


class GetItem(Function):
    """y = x[index];  ∂L/∂x is zero except at the picked places, where picked-twice places add up"""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        return x[index]

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        if _is_basic_index(ctx.index):
            grad[ctx.index] = g
        else:
            np.add.at(grad, ctx.index, g)
        return grad


class Concatenate(Function):
    """y = [x₁, x₂, …] joined along ``axis``;  ∂L/∂xₖ = the slice of g that xₖ filled"""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        ctx.splits = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """y = [x₁, x₂, …] stacked along a new ``axis``;  ∂L/∂xₖ = g[..., k, ...]"""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.axis, 0))


class Where(Function):
    """y = a where cond else b;  ∂L/∂a = g·[cond],  ∂L/∂b = g·[not cond]"""

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        zero = np.zeros((), dtype=g.dtype)
        return (np.where(ctx.condition, g, zero) if need_a else None,
                np.where(ctx.condition, zero, g) if need_b else None)
