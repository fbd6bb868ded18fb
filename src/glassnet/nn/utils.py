"""Gradient clipping and explicit regularization penalties (the lectures' λ·Ω(θ))."""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, tensor


def _grads(parameters) -> list:
    """The gradient arrays of the parameters that have one."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad._array for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``; returns the
    norm before clipping (as ``torch.nn.utils.clip_grad_norm_``)."""
    grads = _grads(parameters)
    if not grads:
        return tensor(0.0)
    norm_type = float(norm_type)
    if norm_type == np.inf:
        total = max(float(np.abs(g).max()) for g in grads)
    else:
        total = float(sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                           f"{total}; set error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= g.dtype.type(coef)
    return tensor(total)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)


def l1_penalty(parameters, weight: float = 1.0) -> Tensor:
    """λ·Ω(θ) with Ω = Σ|θ| — add it to a loss for L1 regularization (sparse weights)."""
    return weight * sum(p.abs().sum() for p in parameters)


def l2_penalty(parameters, weight: float = 1.0) -> Tensor:
    """λ·Ω(θ) with Ω = ½Σθ² — add it to a loss for L2 regularization (weight decay)."""
    return weight * 0.5 * sum((p * p).sum() for p in parameters)


def parameters_to_vector(parameters) -> Tensor:
    """All parameters' values in one 1-D tensor (a copy)."""
    return tensor(np.concatenate([p._array.reshape(-1) for p in parameters]))


def vector_to_parameters(vector, parameters) -> None:
    """Copy the values of a 1-D tensor (as ``parameters_to_vector`` makes) back into the parameters."""
    vector = as_array(vector)
    start = 0
    for p in parameters:
        p._array[...] = vector[start:start + p.numel()].reshape(p.shape)
        start += p.numel()
