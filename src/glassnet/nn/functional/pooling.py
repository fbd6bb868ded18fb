"""Pooling and resampling as ``Function``s: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool2d and
nearest-neighbour ``interpolate`` (as torch.nn.functional; ceil_mode is not offered)."""
from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_tensor
from ..kernels import pool_direct
from ..kernels.im2col import output_size
from ..kernels.pooling import avg_pool, avg_pool_backward, max_pool, max_pool_backward, pad_hw
from .conv import pair


class MaxPool2dFunction(Function):
    """y[n,c,i,j] = max_{p,q} x̃[n, c, i·s+p·d, j·s+q·d]  (x̃: x padded with −∞);
    ∂L/∂x = g routed to the position of each window's first maximum, 0 elsewhere.
    The 2×2, stride-2 pooling of float32 runs the compiled kernel that marks the maxima in
    forward (``nn.kernels.pool_direct``) when Numba is installed."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation):
        ctx.padding, ctx.options, ctx.mask = padding, (kernel, stride, dilation), None
        if pool_direct.fits(x, kernel, stride, padding, dilation):
            y, ctx.mask = pool_direct.max_pool_2x2(x)
            return y
        xp = pad_hw(x, padding, -np.inf)
        y = max_pool(xp, kernel, stride, dilation)
        ctx.xp, ctx.y = xp, y
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.mask is not None:
            return pool_direct.max_pool_2x2_backward(g, ctx.mask)
        grad = max_pool_backward(g, ctx.xp, ctx.y, *ctx.options)
        (ph, pw), (h, w) = ctx.padding, ctx.xp.shape[2:]
        return grad[:, :, ph: h - ph, pw: w - pw]


class AvgPool2dFunction(Function):
    """y[n,c,i,j] = Σ_{p,q} x̃[n, c, i·s+p, j·s+q] / K  (x̃: x zero-padded; K = KH·KW, or the number
    of real pixels in the window with count_include_pad=False);  ∂L/∂x = g / K over the window."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, count_include_pad):
        xp = pad_hw(x, padding)
        y = avg_pool(xp, kernel, stride)
        scale = None
        if not count_include_pad and any(padding):
            real = pad_hw(np.ones((1, 1, *x.shape[2:]), dtype=x.dtype), padding)
            scale = 1 / avg_pool(real, kernel, stride)  # K / (real pixels in the window)
            y *= scale
        ctx.xp, ctx.scale, ctx.padding, ctx.options = xp, scale, padding, (kernel, stride)
        return y

    @staticmethod
    def backward(ctx, g):
        grad = avg_pool_backward(g if ctx.scale is None else g * ctx.scale, ctx.xp, *ctx.options)
        (ph, pw), (h, w) = ctx.padding, ctx.xp.shape[2:]
        return grad[:, :, ph: h - ph, pw: w - pw]


class Resample2d(Function):
    """A separable linear map of the last two axes: y = A x Bᵀ (A: (OH, H), B: (OW, W));
    ∂L/∂x = Aᵀ g B. Adaptive average pooling (rows of A are 1/len over each bin) and nearest
    upsampling (rows of A are one-hot) are both of this form."""

    @staticmethod
    def forward(ctx, x, rows, cols):
        ctx.rows, ctx.cols = rows, cols
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx, g):
        return ctx.rows.T @ g @ ctx.cols


def _pool_options(name, x, kernel_size, stride, padding, dilation=1) -> tuple:
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == () else pair(stride, "stride")
    padding, dilation = pair(padding, "padding"), pair(dilation, "dilation")
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{name}: kernel_size, stride and dilation must be >= 1, got kernel_size={kernel}, "
                         f"stride={stride}, dilation={dilation}")
    for p, k, d in zip(padding, kernel, dilation):
        if not 0 <= p <= (d * (k - 1) + 1) // 2:
            raise ValueError(f"{name}: padding must be between 0 and half the kernel size, got padding="
                             f"{padding} for kernel_size={kernel}")
    problem = check_pool2d(tuple(np.shape(x)), kernel, stride, padding, dilation)
    if problem:
        raise ValueError(f"{name} {problem}")
    return kernel, stride, padding, dilation


def check_pool2d(shape: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple) -> str | None:
    """Why this input cannot be pooled, or None."""
    if len(shape) != 4:
        return f"expects a 4-D input (N, C, H, W), got {len(shape)}-D {shape}"
    for size, k, s, p, d in zip(shape[2:], kernel, stride, padding, dilation):
        if output_size(size + 2 * p, k, s, d) < 1:
            return (f"has a {kernel[0]}x{kernel[1]} window larger than the padded input: input {shape}, "
                    f"padding {padding}")
    return None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1) -> Tensor:
    """Max pooling over (N, C, H, W); stride defaults to kernel_size."""
    kernel, stride, padding, dilation = _pool_options("max_pool2d", input, kernel_size, stride, padding, dilation)
    return MaxPool2dFunction.apply(input, kernel=kernel, stride=stride, padding=padding, dilation=dilation)


def avg_pool2d(input, kernel_size, stride=None, padding=0, count_include_pad: bool = True) -> Tensor:
    """Average pooling over (N, C, H, W); stride defaults to kernel_size."""
    kernel, stride, padding, _ = _pool_options("avg_pool2d", input, kernel_size, stride, padding)
    return AvgPool2dFunction.apply(input, kernel=kernel, stride=stride, padding=padding,
                                   count_include_pad=count_include_pad)


def _as_2d(name: str, input) -> Tensor:
    x = as_tensor(input)
    if x.ndim != 3:
        raise ValueError(f"{name} expects a 3-D input (N, C, L), got {tuple(x.shape)}")
    return x.unsqueeze(2)


def _widen(value):
    """A 1-D size k as the 2-D (1, k)."""
    return None if value is None else (1, value if isinstance(value, (int, np.integer)) else value[0])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1) -> Tensor:
    """Max pooling over (N, C, L): ``max_pool2d`` on a height-1 image."""
    x = _as_2d("max_pool1d", input)
    padding, dilation = _widen(padding), _widen(dilation)
    return max_pool2d(x, _widen(kernel_size), _widen(stride), (0, padding[1]), dilation).squeeze(2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, count_include_pad: bool = True) -> Tensor:
    """Average pooling over (N, C, L): ``avg_pool2d`` on a height-1 image."""
    x = _as_2d("avg_pool1d", input)
    return avg_pool2d(x, _widen(kernel_size), _widen(stride), (0, _widen(padding)[1]),
                      count_include_pad).squeeze(2)


def _bins(size: int, out: int, dtype) -> np.ndarray:
    """(out, size) averaging matrix of PyTorch's adaptive bins [⌊i·size/out⌋, ⌈(i+1)·size/out⌉)."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, math.ceil((i + 1) * size / out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling to a fixed output size (int, pair, None = keep that axis), any input size."""
    shape = tuple(np.shape(input))
    if len(shape) != 4:
        raise ValueError(f"adaptive_avg_pool2d expects a 4-D input (N, C, H, W), got {shape}")
    sizes = (output_size, output_size) if isinstance(output_size, (int, np.integer)) or output_size is None \
        else tuple(output_size)
    out_h, out_w = (s if o is None else int(o) for o, s in zip(sizes, shape[2:]))
    if out_h < 1 or out_w < 1:
        raise ValueError(f"adaptive_avg_pool2d needs a positive output size, got {output_size}")
    dtype = getattr(input, "dtype", np.float32)
    return Resample2d.apply(input, rows=_bins(shape[2], out_h, dtype), cols=_bins(shape[3], out_w, dtype))


def _nearest(size: int, out: int, scale: float | None, dtype) -> np.ndarray:
    """(out, size) one-hot matrix: output i takes input ⌊i·scale⌋ (scale = size/out, or 1/scale_factor)."""
    step = size / out if scale is None else 1.0 / scale
    source = np.minimum(np.floor(np.arange(out) * step).astype(int), size - 1)
    matrix = np.zeros((out, size), dtype=dtype)
    matrix[np.arange(out), source] = 1
    return matrix


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest") -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor`` (mode 'nearest' only)."""
    if mode != "nearest":
        raise ValueError(f"interpolate supports mode='nearest' only, got '{mode}'")
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"interpolate expects (N, C, L) or (N, C, H, W), got {tuple(x.shape)}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate needs exactly one of size and scale_factor")
    spatial = x.shape[2:]
    sizes = (size,) * len(spatial) if isinstance(size, (int, np.integer)) else size
    scales = (scale_factor,) * len(spatial) if isinstance(scale_factor, (int, float)) else scale_factor
    if size is None:
        sizes = tuple(int(math.floor(s * f)) for s, f in zip(spatial, scales))
    else:
        scales = (None,) * len(spatial)
    if len(sizes) != len(spatial) or min(sizes) < 1:
        raise ValueError(f"interpolate: bad output size {sizes} for input {tuple(x.shape)}")
    maps = [_nearest(s, o, f, x.dtype) for s, o, f in zip(spatial, sizes, scales)]
    if x.ndim == 3:
        return Resample2d.apply(x.unsqueeze(2), rows=np.ones((1, 1), dtype=x.dtype), cols=maps[0]).squeeze(2)
    return Resample2d.apply(x, rows=maps[0], cols=maps[1])
