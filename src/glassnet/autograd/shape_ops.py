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


class SetItem(Function):
    """y = x with y[index] = v;  ∂L/∂x = g with zeros at index,  ∂L/∂v = g[index]"""

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index = index
        out = x.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_v = ctx.needs_input_grad
        gx = None
        if need_x:
            gx = g.copy()
            gx[ctx.index] = 0
        return gx, (g[ctx.index] if need_v else None)


def along_axis(index: np.ndarray, axis: int) -> tuple:
    """The full index tuple that picks ``x[..., index[...], ...]`` along ``axis`` (take_along_axis's)."""
    axis %= index.ndim
    grids = np.ogrid[tuple(slice(n) for n in index.shape)]
    return tuple(index if a == axis else grids[a] for a in range(index.ndim))


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] (for dim 0; likewise for any dim);  ∂L/∂x adds g back at the picked
    places (a place picked twice gets both)"""

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape, ctx.where = x.shape, along_axis(index, dim)
        return x[ctx.where]

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(grad, ctx.where, g)
        return grad


class Scatter(Function):
    """y = x with y[index[i][j]][j] = src[i][j] (dim 0);  ∂L/∂x = g with zeros where written,
    ∂L/∂src = g at the written places. With ``add``, the values are added instead (scatter_add)."""

    @staticmethod
    def forward(ctx, x, src, index, dim, add):
        ctx.where, ctx.add = along_axis(index, dim), add
        src = np.broadcast_to(src, index.shape) if src.ndim == 0 else src[tuple(slice(n) for n in index.shape)]
        out = x.copy()
        if add:
            np.add.at(out, ctx.where, src)
        else:
            out[ctx.where] = src
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_src = ctx.needs_input_grad
        gx = None
        if need_x:
            gx = g if ctx.add else g.copy()
            if not ctx.add:
                gx[ctx.where] = 0
        return gx, (g[ctx.where] if need_src else None)


class Expand(Function):
    """y = x broadcast to ``shape`` (no copy);  the engine sums g back over the broadcast axes"""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g


class Repeat(Function):
    """y = x tiled ``reps`` times along each axis;  ∂L/∂x = the sum of g over the copies"""

    @staticmethod
    def forward(ctx, x, reps):
        padded = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.x_shape, ctx.padded, ctx.reps = x.shape, padded, reps
        return np.tile(x.reshape(padded), reps)

    @staticmethod
    def backward(ctx, g):
        split = [n for pair in zip(ctx.reps, ctx.padded) for n in pair]
        summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.x_shape)


class RepeatInterleave(Function):
    """y = each element of x repeated ``repeats`` times along ``dim``;  ∂L/∂x sums g over each run"""

    @staticmethod
    def forward(ctx, x, repeats, dim):
        ctx.repeats, ctx.dim, ctx.length = repeats, dim, x.shape[dim]
        return np.repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx, g):
        starts = np.concatenate([[0], np.cumsum(np.broadcast_to(ctx.repeats, (ctx.length,)))[:-1]])
        return np.add.reduceat(g, starts, axis=ctx.dim)


class Flip(Function):
    """y = x reversed along ``dims``;  ∂L/∂x = g reversed back"""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims)

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims)


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims``;  ∂L/∂x = g shifted back"""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return np.roll(g, back, axis=ctx.dims)


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
