"""Reductions over axes. Backward spreads g back over the reduced axes: evenly for the mean,
to the winning elements for max/min (split evenly between ties, as PyTorch's amax)."""
from __future__ import annotations

import numpy as np

from .function import Function


def _expand(g: np.ndarray, shape: tuple, axis, keepdims: bool) -> np.ndarray:
    """Give g back the reduced axes (size 1) so that it broadcasts against the input."""
    if axis is None:
        return g.reshape((1,) * len(shape))
    if not keepdims:
        axes = (axis,) if np.isscalar(axis) else axis
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    return g


class Sum(Function):
    """y = Σ x over ``axis``;  ∂y/∂x = 1"""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return np.asarray(x.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        return np.broadcast_to(_expand(g, ctx.shape, ctx.axis, ctx.keepdims), ctx.shape)


class Mean(Function):
    """y = (1/N) Σ x over ``axis``;  ∂y/∂x = 1/N"""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        out = np.asarray(x.mean(axis=axis, keepdims=keepdims))
        ctx.n = x.size // max(out.size, 1) if x.size else 1
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        g = _expand(g, ctx.shape, ctx.axis, ctx.keepdims) / np.asarray(ctx.n, dtype=g.dtype)
        return np.broadcast_to(g, ctx.shape)


class _Extreme(Function):
    """Shared backward of Max and Min: ∂y/∂x = 1/(number of ties) at the extreme elements, else 0."""

    reduce = None

    @classmethod
    def forward(cls, ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError(f"{cls.__name__.lower()}() of an empty tensor (shape {x.shape})")
        ctx.x, ctx.axis, ctx.keepdims = x, axis, keepdims
        ctx.y = np.asarray(cls.reduce(x, axis=axis, keepdims=True))
        return ctx.y if keepdims else np.asarray(cls.reduce(x, axis=axis, keepdims=False))

    @staticmethod
    def backward(ctx, g):
        mask = ctx.x == ctx.y
        count = mask.sum(axis=ctx.axis, keepdims=True)
        return _expand(g, ctx.x.shape, ctx.axis, ctx.keepdims) * mask / count.astype(g.dtype)


class Max(_Extreme):
    """y = max x over ``axis``"""

    reduce = staticmethod(np.max)


class Min(_Extreme):
    """y = min x over ``axis``"""

    reduce = staticmethod(np.min)


class Prod(Function):
    """y = Π x over ``axis``;  ∂y/∂xᵢ = Π_{j≠i} xⱼ (from the products left and right of i, so zeros are safe)"""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        flat = x.reshape(-1) if axis is None else x
        ctx.x, ctx.along = flat, 0 if axis is None else axis
        return np.asarray(np.prod(x, axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        x, along = ctx.x, ctx.along
        ones = np.ones_like(np.take(x, [0], axis=along))
        left = np.cumprod(np.concatenate([ones, np.take(x, np.arange(x.shape[along] - 1), axis=along)], along),
                          axis=along)
        reversed_x = np.flip(x, along)
        right = np.flip(np.cumprod(np.concatenate(
            [ones, np.take(reversed_x, np.arange(x.shape[along] - 1), axis=along)], along), axis=along), along)
        grad = _expand(g, ctx.shape, ctx.axis, ctx.keepdims) if ctx.axis is not None else g.reshape(1)
        return (grad * left * right).reshape(ctx.shape)


class Cumsum(Function):
    """yᵢ = Σ_{j≤i} xⱼ along ``axis``;  ∂L/∂xⱼ = Σ_{i≥j} gᵢ (a cumulative sum from the end)"""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return np.flip(np.cumsum(np.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)


class Norm(Function):
    """y = ‖x‖_p = (Σ|x|^p)^(1/p);  ∂y/∂x = sign(x)·|x|^(p−1) / y^(p−1)  (0 where y = 0);
    p = ∞ is max |x|"""

    @staticmethod
    def forward(ctx, x, p, axis=None, keepdims=False):
        ctx.x, ctx.p, ctx.axis, ctx.keepdims = x, p, axis, keepdims
        a = np.abs(x)
        if np.isinf(p):
            y = np.max(a, axis=axis, keepdims=True) if p > 0 else np.min(a, axis=axis, keepdims=True)
        elif p == 2:
            y = np.sqrt(np.sum(x * x, axis=axis, keepdims=True))
        else:
            y = np.sum(a ** p, axis=axis, keepdims=True) ** (1 / p)
        ctx.y = y
        return y if keepdims else (np.squeeze(y, axis=axis) if axis is not None else y.reshape(()))

    @staticmethod
    def backward(ctx, g):
        x, y, p = ctx.x, ctx.y, ctx.p
        g = _expand(g, x.shape, ctx.axis, ctx.keepdims)
        safe_y = np.where(y == 0, 1, y)
        if np.isinf(p):
            a = np.abs(x)
            mask = a == y
            share = mask / mask.sum(axis=ctx.axis, keepdims=True).astype(x.dtype)
            local = np.sign(x) * share
        elif p == 2:
            local = x / safe_y
        else:
            local = np.sign(x) * np.abs(x) ** (p - 1) / safe_y ** (p - 1)
        return g * np.where(y == 0, 0, local).astype(x.dtype, copy=False)
