"""Elementwise arithmetic, math functions and the matrix product, one ``Function`` each.

Every docstring gives the forward formula and the local derivative that backward multiplies the
incoming gradient g = ∂L/∂y with (the chain rule, ∂L/∂x = g · ∂y/∂x). Broadcast shapes are summed
back by the engine.
"""
from __future__ import annotations

import numpy as np

from .function import Function
from .shape_ops import Concatenate, GetItem, Reshape, Stack, Transpose, Where  # noqa: F401
from .reduce_ops import Cumsum, Max, Mean, Min, Norm, Prod, Sum  # noqa: F401


class Add(Function):
    """y = a + b;  ∂y/∂a = ∂y/∂b = 1"""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """y = a - b;  ∂y/∂a = 1, ∂y/∂b = -1"""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a · b;  ∂y/∂a = b, ∂y/∂b = a"""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # each gradient uses the other input
        return a * b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (g * ctx.b if need_a else None), (g * ctx.a if need_b else None)


class Div(Function):
    """y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = -a/b²"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = (a if ctx.needs_input_grad[1] else None), b
        return a / b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        ga = g / ctx.b if need_a else None
        gb = -g * ctx.a / (ctx.b * ctx.b) if need_b else None
        return ga, gb


class Neg(Function):
    """y = -x;  ∂y/∂x = -1"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class PowScalar(Function):
    """y = x^p for a constant p;  ∂y/∂x = p·x^(p-1)"""

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.x, ctx.p = x, exponent
        return x ** exponent

    @staticmethod
    def backward(ctx, g):
        x, p = ctx.x, ctx.p
        if p == 2:
            return g * (2 * x)
        return g * (p * x ** (p - 1))


class Pow(Function):
    """y = a^b;  ∂y/∂a = b·a^(b-1),  ∂y/∂b = a^b·ln a"""

    @staticmethod
    def forward(ctx, a, b):
        y = a ** b
        ctx.a, ctx.b, ctx.y = a, b, y
        return y

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        ga = g * b * a ** (b - 1) if need_a else None
        gb = g * ctx.y * np.log(np.where(a > 0, a, 1)) if need_b else None
        return ga, gb


class Exp(Function):
    """y = eˣ;  ∂y/∂x = y"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.exp(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.y


class Log(Function):
    """y = ln x;  ∂y/∂x = 1/x"""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.x


class Sqrt(Function):
    """y = √x;  ∂y/∂x = 1/(2y)"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.sqrt(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        return g / (2 * ctx.y)


class Abs(Function):
    """y = |x|;  ∂y/∂x = sign(x) (0 at x = 0, as PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * np.sign(ctx.x)


class Log1p(Function):
    """y = ln(1 + x);  ∂y/∂x = 1/(1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        return g / (1 + ctx.x)


class Expm1(Function):
    """y = eˣ − 1;  ∂y/∂x = y + 1"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.expm1(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.y + 1)


class Sin(Function):
    """y = sin x;  ∂y/∂x = cos x"""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * np.cos(ctx.x)


class Cos(Function):
    """y = cos x;  ∂y/∂x = −sin x"""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * np.sin(ctx.x)


class Tan(Function):
    """y = tan x;  ∂y/∂x = 1 + y²"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.tan(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        return g * (1 + ctx.y * ctx.y)


class Tanh(Function):
    """y = tanh x;  ∂y/∂x = 1 - y²"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.tanh(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        y = ctx.y
        return g * (1 - y * y)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1+e^(-x)), computed from e^(-|x|) so that no exp overflows for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Function):
    """y = σ(x) = 1/(1+e^(-x));  ∂y/∂x = y(1 - y)"""

    @staticmethod
    def forward(ctx, x):
        ctx.y = stable_sigmoid(x)
        return ctx.y

    @staticmethod
    def backward(ctx, g):
        y = ctx.y
        return g * y * (1 - y)


class ReLU(Function):
    """y = max(0, z);  ∂y/∂z = 1 for z > 0, else 0"""

    @staticmethod
    def forward(ctx, z):
        y = np.maximum(z, 0)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.y > 0)


class LogSoftmax(Function):
    """y = z - log Σ eᶻ (shifted by max z for stability);  ∂L/∂z = g - softmax(z)·Σ g"""

    @staticmethod
    def forward(ctx, z, dim):
        shifted = z - z.max(axis=dim, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.y, ctx.dim = y, dim
        return y

    @staticmethod
    def backward(ctx, g):
        return g - np.exp(ctx.y) * g.sum(axis=ctx.dim, keepdims=True)


class Softmax(Function):
    """yₖ = e^(zₖ) / Σⱼ e^(zⱼ);  ∂L/∂z = y ⊙ (g - Σ g ⊙ y)"""

    @staticmethod
    def forward(ctx, z, dim):
        e = np.exp(z - z.max(axis=dim, keepdims=True))
        y = e / e.sum(axis=dim, keepdims=True)
        ctx.y, ctx.dim = y, dim
        return y

    @staticmethod
    def backward(ctx, g):
        y = ctx.y
        return y * (g - (g * y).sum(axis=ctx.dim, keepdims=True))


class Maximum(Function):
    """y = max(a, b) elementwise;  the gradient goes to the larger input, split in half at ties"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        share_a = (ctx.a > ctx.b) + 0.5 * (ctx.a == ctx.b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Minimum(Function):
    """y = min(a, b) elementwise;  the gradient goes to the smaller input, split in half at ties"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        share_a = (ctx.a < ctx.b) + 0.5 * (ctx.a == ctx.b)
        return g * share_a.astype(g.dtype), g * (1 - share_a).astype(g.dtype)


class Rounding(Function):
    """y = fn(x, ...) for a step-like fn (floor, ceil, round, sign, floor division);  ∂y/∂x = 0"""

    @staticmethod
    def forward(ctx, *xs, fn):
        ctx.shapes = [x.shape for x in xs]
        return np.asarray(fn(*xs))

    @staticmethod
    def backward(ctx, g):
        return tuple(np.zeros(shape, dtype=g.dtype) for shape in ctx.shapes)


class Clip(Function):
    """y = min(max(x, low), high);  ∂y/∂x = 1 inside [low, high], 0 outside"""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.x, ctx.low, ctx.high = x, low, high
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx, g):
        inside = np.ones(ctx.x.shape, dtype=bool)
        if ctx.low is not None:
            inside &= ctx.x >= ctx.low
        if ctx.high is not None:
            inside &= ctx.x <= ctx.high
        return g * inside


class Cast(Function):
    """y = x converted to another dtype;  the gradient goes back in x's dtype"""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)


class Copy(Function):
    """y = x (a new array);  ∂y/∂x = 1"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class MatMul(Function):
    """Y = A @ B;  ∂L/∂A = G @ Bᵀ,  ∂L/∂B = Aᵀ @ G  (batched over leading axes; 1-D as in NumPy)"""

    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad
        ctx.a, ctx.b = (a if need_b else None), (b if need_a else None)  # each gradient uses the other input
        ctx.a_ndim, ctx.b_ndim = a.ndim, b.ndim
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b, a_ndim, b_ndim = ctx.a, ctx.b, ctx.a_ndim, ctx.b_ndim
        need_a, need_b = ctx.needs_input_grad
        if a_ndim == 1 and b_ndim == 1:  # inner product
            return (g * b if need_a else None), (g * a if need_b else None)
        # a 1-D operand acts as a row (left) or column (right) matrix, as in NumPy's matmul
        g2 = np.expand_dims(g, -2) if a_ndim == 1 else g
        g2 = np.expand_dims(g2, -1) if b_ndim == 1 else g2
        ga = gb = None
        if need_a:
            b2 = b[:, None] if b_ndim == 1 else b
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a_ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b:
            a2 = a[None, :] if a_ndim == 1 else a
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b_ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb
