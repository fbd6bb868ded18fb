"""Gradient clipping and explicit regularization penalties (the lectures' λ·Ω(θ))."""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor


def _params_with_grad(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so that their joint norm is at most ``max_norm``; returns the
    norm before clipping (as ``torch.nn.utils.clip_grad_norm_``)."""
    params = _params_with_grad(parameters)
    if not params:
        return 0.0
    if norm_type == np.inf:
        total = max(float(np.abs(p.grad).max()) for p in params)
    else:
        total = float(sum(float(np.sum(np.abs(p.grad) ** norm_type)) for p in params) ** (1.0 / norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                           f"{total}; set error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            p.grad *= p.grad.dtype.type(coef)
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    for p in _params_with_grad(parameters):
        np.clip(p.grad, -clip_value, clip_value, out=p.grad)


def l1_penalty(parameters, weight: float = 1.0) -> Tensor:
    """λ·Ω(θ) with Ω = Σ|θ| — add it to a loss for L1 regularization (sparse weights)."""
    return weight * sum(p.abs().sum() for p in parameters)


def l2_penalty(parameters, weight: float = 1.0) -> Tensor:
    """λ·Ω(θ) with Ω = ½Σθ² — add it to a loss for L2 regularization (weight decay)."""
    return weight * 0.5 * sum((p * p).sum() for p in parameters)


def parameters_to_vector(parameters) -> np.ndarray:
    return np.concatenate([p.data.reshape(-1) for p in parameters])


def vector_to_parameters(vector: np.ndarray, parameters) -> None:
    start = 0
    for p in parameters:
        p.data[...] = vector[start:start + p.data.size].reshape(p.shape)
        start += p.data.size
