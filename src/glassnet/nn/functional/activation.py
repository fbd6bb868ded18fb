"""Activation functions f(z) and their derivatives f'(z), one ``Function`` each, stable for large |z|.

The lectures' table: step (threshold unit), sigmoid σ(z) = 1/(1+e^(-z)) with σ' = σ(1-σ),
tanh with tanh' = 1 - tanh², ReLU max(0, z) with ReLU' = [z > 0], leaky ReLU, ELU, softplus
log(1+eᶻ) (a smooth ReLU, softplus' = σ), noisy ReLU max(0, z + N(0, δ)), maxout, and the output
layer's softmax; and GELU z·Φ(z), the Transformer's.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_tensor, get_rng
from ...autograd.ops import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, stable_sigmoid  # noqa: F401


class Step(Function):
    """Threshold unit (perceptron): y = 1 if z > threshold else 0;  ∂y/∂z = 0 almost everywhere."""

    @staticmethod
    def forward(ctx, z, threshold):
        ctx.threshold = threshold
        return (z > threshold).astype(z.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)




class LeakyReLU(Function):
    """y = z for z ≥ 0, p·z for z < 0;  ∂y/∂z = 1 or p"""

    @staticmethod
    def forward(ctx, z, negative_slope):
        ctx.positive, ctx.slope = z > 0, negative_slope
        return np.where(ctx.positive, z, z * np.asarray(negative_slope, dtype=z.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * np.where(ctx.positive, 1, ctx.slope).astype(g.dtype)


class ELU(Function):
    """y = z for z > 0, α(eᶻ - 1) otherwise;  ∂y/∂z = 1 or y + α"""

    @staticmethod
    def forward(ctx, z, alpha):
        y = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)
        ctx.positive, ctx.y, ctx.alpha = z > 0, y, alpha
        return y

    @staticmethod
    def backward(ctx, g):
        return g * np.where(ctx.positive, 1, ctx.y + ctx.alpha).astype(g.dtype)


class Softplus(Function):
    """y = (1/β)·log(1 + e^(βz)), and y = z where βz > threshold;  ∂y/∂z = σ(βz)"""

    @staticmethod
    def forward(ctx, z, beta, threshold):
        bz = beta * z
        ctx.bz, ctx.linear, ctx.beta = bz, bz > threshold, beta
        y = np.where(ctx.linear, z, np.logaddexp(0, bz) / beta)
        return y.astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * np.where(ctx.linear, 1, stable_sigmoid(ctx.bz)).astype(g.dtype)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt, by Abramowitz and Stegun's formula 7.1.26
    (absolute error below 1.5·10⁻⁷, float32's resolution near 1; NumPy has no erf of its own)."""
    t = 1 / (1 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1 - poly * np.exp(-x * x))


class GELU(Function):
    """y = z·Φ(z), Φ the standard normal distribution function, Φ(z) = ½(1 + erf(z/√2));
    ∂y/∂z = Φ(z) + z·φ(z) with φ(z) = e^(−z²/2)/√(2π).
    ``approximate='tanh'``: Φ(z) ≈ ½(1 + tanh u), u = √(2/π)(z + 0.044715 z³), and
    ∂y/∂z = ½(1 + tanh u) + ½ z (1 − tanh² u) √(2/π)(1 + 3·0.044715 z²)."""

    @staticmethod
    def forward(ctx, z, approximate):
        ctx.z, ctx.approximate = z, approximate
        if approximate == "tanh":
            ctx.tanh = np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3))
            ctx.cdf = 0.5 * (1 + ctx.tanh)
        else:
            ctx.cdf = 0.5 * (1 + erf(z / np.sqrt(2)))
        return (z * ctx.cdf).astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        z = ctx.z
        if ctx.approximate == "tanh":
            slope = 0.5 * z * (1 - ctx.tanh ** 2) * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * z ** 2)
        else:
            slope = z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
        return (g * (ctx.cdf + slope)).astype(g.dtype, copy=False)


class NoisyReLU(ReLU):
    """y = max(0, z + n), n ~ N(0, δ²) drawn once per forward;  ∂y/∂z = [z + n > 0] (ReLU's backward)"""

    @staticmethod
    def forward(ctx, z, std, rng):
        scale = np.sqrt(stable_sigmoid(z)) if std == "sigmoid" else std
        noise = get_rng(rng).standard_normal(z.shape).astype(z.dtype) * scale
        return ReLU.forward(ctx, z + noise)






def step(z, threshold: float = 0.0):
    return Step.apply(z, threshold=threshold)


def sigmoid(z):
    return Sigmoid.apply(z)


def tanh(z):
    return Tanh.apply(z)


def relu(z):
    return ReLU.apply(z)


def leaky_relu(z, negative_slope: float = 0.01):
    return LeakyReLU.apply(z, negative_slope=negative_slope)


def elu(z, alpha: float = 1.0):
    return ELU.apply(z, alpha=alpha)


def softplus(z, beta: float = 1.0, threshold: float = 20.0):
    return Softplus.apply(z, beta=beta, threshold=threshold)


def gelu(z, approximate: str = "none"):
    """z·Φ(z), the Gaussian error linear unit (as ``torch.nn.functional.gelu``): the Transformer's
    feed-forward activation. ``approximate='tanh'`` uses the tanh form of Φ."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(z, approximate=approximate)


def noisy_relu(z, std=1.0, training: bool = True, rng=None):
    """max(0, z + N(0, δ²)) while training (δ = ``std``, or √σ(z) for ``std='sigmoid'`` as in
    Nair & Hinton 2010); plain ReLU in evaluation."""
    if not training:
        return ReLU.apply(z)
    if not (std == "sigmoid" or (isinstance(std, (int, float)) and std >= 0)):
        raise ValueError(f"noisy_relu: std must be a number >= 0 or 'sigmoid', got {std!r}")
    return NoisyReLU.apply(z, std=std, rng=rng)


def maxout(z, pool_size: int, dim: int = -1):
    """Maxout: split ``dim`` into groups of ``pool_size`` and keep each group's maximum."""
    z = as_tensor(z)
    dim %= z.ndim
    n = z.shape[dim]
    if n % pool_size:
        raise ValueError(f"maxout: size {n} of dim {dim} is not a multiple of pool_size {pool_size}")
    grouped = z.reshape(z.shape[:dim] + (n // pool_size, pool_size) + z.shape[dim + 1:])
    return grouped.max(axis=dim + 1)


def softmax(z, dim: int = -1):
    return Softmax.apply(z, dim=dim)


def log_softmax(z, dim: int = -1):
    return LogSoftmax.apply(z, dim=dim)
