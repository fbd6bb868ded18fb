"""Pooling windows: max and average pooling of (N, C, H, W) images, forward and backward.

    max:  y[n,c,i,j] = max_{p,q} x[n, c, i·s+p·d, j·s+q·d],   ∂L/∂x = g at the (first) maximum, else 0
    avg:  y[n,c,i,j] = 1/K Σ_{p,q} x[n, c, i·s+p, j·s+q],     ∂L/∂x = g / K spread over the window

Strategy of the fast versions: ``sliding_window_view`` gives all windows as one strided view
(N, C, OH, OW, KH, KW); a loop over the KH·KW kernel offsets (4 for the usual 2×2) does the work,
each step one vectorized operation on a strided slice — no copy of the windows, no Python loop over
pixels. Arrays keep the memory layout of their input (``order='K'``), so channels-last activations
from a convolution stay channels-last. For a fixed offset the windows hit distinct pixels, so the
backward ``+=`` on a window view is exact even when windows overlap.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .im2col import output_size


def pad_hw(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    """(N, C, H, W) padded by (ph, pw) on both sides of H and W; the copy is channels-last."""
    ph, pw = padding
    if not ph and not pw:
        return x
    padded = np.pad(x.transpose(0, 2, 3, 1), ((0, 0), (ph, ph), (pw, pw), (0, 0)), constant_values=value)
    return padded.transpose(0, 3, 1, 2)


def pool_windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple = (1, 1),
                 writeable: bool = False) -> np.ndarray:
    """Strided view (N, C, OH, OW, KH, KW) of the windows of x (N, C, H, W); nothing is copied."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    view = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3), writeable=writeable)
    return view[:, :, ::sh, ::sw, ::dh, ::dw]


def max_pool(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """(y, index): the window maxima and, for each, the offset k = p·KW + q of the first maximum."""
    win = pool_windows(x, kernel, stride, dilation)
    y = win[..., 0, 0].copy(order="K")
    index = np.zeros(y.shape, dtype=np.int32)
    kw = kernel[1]
    for k in range(1, kernel[0] * kw):
        candidate = win[..., k // kw, k % kw]
        better = candidate > y
        np.copyto(y, candidate, where=better)
        index[better] = k
    return y, index


def max_pool_backward(g: np.ndarray, index: np.ndarray, shape_like: np.ndarray, kernel: tuple,
                      stride: tuple, dilation: tuple) -> np.ndarray:
    """∂L/∂x of ``max_pool``: each g goes to the pixel its window's maximum came from."""
    grad = np.zeros_like(shape_like)
    win = pool_windows(grad, kernel, stride, dilation, writeable=True)
    kw = kernel[1]
    zero = np.zeros((), dtype=g.dtype)
    for k in range(kernel[0] * kw):
        win[..., k // kw, k % kw] += np.where(index == k, g, zero)
    return grad


def avg_pool(x: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """Window sums divided by KH·KW."""
    win = pool_windows(x, kernel, stride)
    y = win[..., 0, 0].copy(order="K")
    kw = kernel[1]
    for k in range(1, kernel[0] * kw):
        y += win[..., k // kw, k % kw]
    y /= kernel[0] * kw
    return y


def avg_pool_backward(g: np.ndarray, shape_like: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """∂L/∂x of the window sums divided by KH·KW: g / (KH·KW) added to every pixel of its window."""
    grad = np.zeros_like(shape_like)
    win = pool_windows(grad, kernel, stride, writeable=True)
    share = g / np.asarray(kernel[0] * kernel[1], dtype=g.dtype)
    for p in range(kernel[0]):
        for q in range(kernel[1]):
            win[..., p, q] += share
    return grad


def max_pool_reference(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """Loop version of ``max_pool``: one window at a time."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    y = np.empty((n, c, oh, ow), dtype=x.dtype)
    index = np.empty((n, c, oh, ow), dtype=np.int32)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[b, ch, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw]
                    index[b, ch, i, j] = np.argmax(window)  # the first maximum
                    y[b, ch, i, j] = window.reshape(-1)[index[b, ch, i, j]]
    return y, index


def avg_pool_reference(x: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """Loop version of ``avg_pool``."""
    (kh, kw), (sh, sw) = kernel, stride
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, sh, 1), output_size(w, kw, sw, 1)
    y = np.empty((n, c, oh, ow), dtype=x.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    y[b, ch, i, j] = x[b, ch, i * sh: i * sh + kh, j * sw: j * sw + kw].mean()
    return y
