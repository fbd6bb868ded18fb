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
