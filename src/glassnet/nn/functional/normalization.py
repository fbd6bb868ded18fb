"""Normalization as one ``Function``: batch_norm (over the batch and the positions of each channel)
and layer_norm (over the last dims of each sample), with PyTorch's arguments."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_array, as_tensor


class Normalize(Function):
    """x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β   (μ, σ² over ``axes``; γ, β broadcast, optional).

    With the statistics taken from x itself (training batch norm, layer norm), m values per mean:
        ∂L/∂x = (1/√(σ²+ε)) · (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   ĝ = g·γ
    With fixed statistics (batch norm in eval mode): ∂L/∂x = ĝ / √(σ²+ε).
    ∂L/∂γ = Σ g·x̂,  ∂L/∂β = Σ g  (the engine sums over the broadcast axes).
    """

    @staticmethod
    def forward(ctx, x, *affine, axes, eps, mean, var, batch_stats):
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        x_hat = (x - mean) * inv_std
        ctx.x_hat, ctx.inv_std, ctx.axes, ctx.batch_stats = x_hat, inv_std, axes, batch_stats
        ctx.mean, ctx.eps = mean, eps
        ctx.weight = affine[0] if affine else None
        if not affine:
            return x_hat
        weight, bias = affine
        return x_hat * weight + bias

    @staticmethod
    def backward(ctx, g):
        need_x, *need_affine = ctx.needs_input_grad
        x_hat, axes = ctx.x_hat, ctx.axes
        g_hat = g if ctx.weight is None else g * ctx.weight
        grad_x = None
        if need_x:
            if ctx.batch_stats:
                grad_x = ctx.inv_std * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                                        - x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True))
            else:
                grad_x = g_hat * ctx.inv_std
        if not need_affine:
            return grad_x
        return grad_x, (g * x_hat if need_affine[0] else None), (g if need_affine[1] else None)


def _affine(weight, bias, shape, dtype) -> tuple:
    """γ and β reshaped to broadcast against the input: both, or neither (a missing one is 1 or 0)."""
    if weight is None and bias is None:
        return ()
    weight = np.ones(shape, dtype) if weight is None else weight
    bias = np.zeros(shape, dtype) if bias is None else bias
    return tuple(t.reshape(shape) if isinstance(t, Tensor) else np.reshape(t, shape) for t in (weight, bias))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization of (N, C) or (N, C, *) over every axis but the channel axis 1.

    In training the batch's mean and (biased) variance normalize, and the running statistics
    (tensors, updated in place; may be None) move towards the batch's:
    r ← (1 − momentum)·r + momentum·batch, the variance unbiased (·m/(m−1)) as in PyTorch.
    Otherwise the running statistics normalize.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expects (N, C) or (N, C, *), got {tuple(x.shape)}")
    axes = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        count = x.numel() // x.shape[1]
        if count < 2:
            raise ValueError(f"batch_norm in training needs more than 1 value per channel, got input "
                             f"{tuple(x.shape)}")
        mean = x._array.mean(axis=axes, keepdims=True)
        var = x._array.var(axis=axes, keepdims=True)
        if running_mean is not None:
            moving = as_array(running_mean)
            moving *= 1 - momentum
            moving += momentum * mean.reshape(-1)
        if running_var is not None:
            moving = as_array(running_var)
            moving *= 1 - momentum
            moving += momentum * count / (count - 1) * var.reshape(-1)
    else:
        mean, var = np.reshape(as_array(running_mean), shape), np.reshape(as_array(running_var), shape)
    return Normalize.apply(x, *_affine(weight, bias, shape, x.dtype), axes=axes, eps=eps, mean=mean, var=var,
                           batch_stats=training)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over its last len(normalized_shape) dims (as ``torch.nn.functional.layer_norm``)."""
    x = as_tensor(input)
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(x.shape[x.ndim - k:]) != normalized_shape or x.ndim < k:
        raise ValueError(f"layer_norm over {normalized_shape} expects (*, {', '.join(map(str, normalized_shape))}), "
                         f"got {tuple(x.shape)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean = x._array.mean(axis=axes, keepdims=True)
    var = x._array.var(axis=axes, keepdims=True)
    return Normalize.apply(x, *_affine(weight, bias, normalized_shape, x.dtype), axes=axes, eps=eps, mean=mean,
                           var=var, batch_stats=True)
