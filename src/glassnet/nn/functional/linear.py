"""The affine map of a dense layer, fused into one op: y = x Wᵀ + b."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import get_rng


class LinearFunction(Function):
    """y = x Wᵀ + b  for x of shape (*, in), W (out, in), b (out,).

    Back-propagation (lecture: δ = W^T·e): ∂L/∂x = g W,  ∂L/∂W = gᵀ x,  ∂L/∂b = Σ_rows g.
    One op instead of matmul + add saves a temporary and a graph node per layer.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        need_x, need_w = ctx.needs_input_grad[:2]
        ctx.x, ctx.weight = (x if need_w else None), (weight if need_x else None)
        y = x @ weight.T
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.x, ctx.weight
        need_x, need_w, *need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1])
        grad_x = g @ weight if need_x else None
        grad_w = g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None
        grad_b = g2.sum(axis=0) if need_b and need_b[0] else None
        return grad_x, grad_w, grad_b


def linear(x, weight, bias=None):
    """y = x Wᵀ + b (as ``torch.nn.functional.linear``)."""
    if bias is None:
        return LinearFunction.apply(x, weight)
    return LinearFunction.apply(x, weight, bias)


class DropoutFunction(Function):
    """Inverted dropout: y = x · m / (1 - p), m ~ Bernoulli(1 - p);  ∂y/∂x = m / (1 - p)."""

    @staticmethod
    def forward(ctx, x, p, rng):
        keep = get_rng(rng).random(x.shape, dtype=np.float32) >= p
        ctx.mask = keep * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
        return x * ctx.mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask


def dropout(x, p: float = 0.5, training: bool = True, rng=None):
    """Zero each element with probability p in training, scaling the rest by 1/(1-p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    return DropoutFunction.apply(x, p=p, rng=rng)
