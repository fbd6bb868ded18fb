"""Pooling windows: max and average pooling of (N, C, H, W) images, forward and backward.

    max:  y[n,c,i,j] = max_{p,q} x[n, c, i·s+p·d, j·s+q·d],   ∂L/∂x = g at the (first) maximum, else 0
    avg:  y[n,c,i,j] = 1/K Σ_{p,q} x[n, c, i·s+p, j·s+q],     ∂L/∂x = g / K spread over the window

Strategy of the fast versions: ``sliding_window_view`` gives all windows as one strided view
(N, C, OH, OW, KH, KW); a loop over the KH·KW kernel offsets (4 for the usual 2×2) does the work,
each step one vectorized operation on a strided slice — no copy of the windows, no Python loop over
pixels. Arrays keep the memory layout of their input (``order='K'``), so the channel-major
activations of a convolution stay channel-major. Max pooling keeps no index array: the backward
finds each window's first maximum again by comparing the saved input with the saved output (the
same pixel PyTorch picks). For a fixed offset the windows hit distinct pixels, so the backward
``+=`` on a window view is exact even when windows overlap. The usual 2×2, stride-2 max pool of
float32 runs a compiled kernel instead when Numba is installed (``pool_direct``: it marks the
maxima in forward, so that the backward is one pass); these kernels are its reference.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .im2col import output_size


def pad_hw(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    """(N, C, H, W) padded by (ph, pw) on both sides of H and W; the copy is channel-major."""
    ph, pw = padding
    if not ph and not pw:
        return x
    padded = np.pad(x.transpose(1, 0, 2, 3), ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)
    return padded.transpose(1, 0, 2, 3)


def pool_windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple = (1, 1),
                 writeable: bool = False) -> np.ndarray:
    """Strided view (N, C, OH, OW, KH, KW) of the windows of x (N, C, H, W); nothing is copied."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    view = sliding_window_view(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3), writeable=writeable)
    return view[:, :, ::sh, ::sw, ::dh, ::dw]


def max_pool(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """The maximum of every window, (N, C, OH, OW), in the layout of x."""
    win = pool_windows(x, kernel, stride, dilation)
    y = win[..., 0, 0].copy(order="K")
    for p in range(kernel[0]):
        for q in range(kernel[1]):
            if p or q:
                np.maximum(y, win[..., p, q], out=y)
    return y


def max_pool_backward(g: np.ndarray, x: np.ndarray, y: np.ndarray, kernel: tuple, stride: tuple,
                      dilation: tuple) -> np.ndarray:
    """∂L/∂x of ``max_pool``: each g goes to its window's first pixel equal to the maximum y."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    apart = sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1  # windows do not overlap
    tiled = apart and (kh, kw) == (sh, sw) and x.shape[2] % kh == 0 and x.shape[3] % kw == 0
    grad = np.empty_like(x) if tiled else np.zeros_like(x)  # tiled: every pixel is written below
    win = pool_windows(x, kernel, stride, dilation)
    grad_win = pool_windows(grad, kernel, stride, dilation, writeable=True)
    routed = np.equal(win[..., 0, 0], y)  # windows whose maximum has been found
    first = routed  # at offset (0, 0): wherever x equals the maximum
    for k in range(kh * kw):
        p, q = divmod(k, kw)
        if k:
            first = np.equal(win[..., p, q], y, out=None if k == 1 else first)
            np.greater(first, routed, out=first)  # equal to the maximum and not routed yet
            if k < kh * kw - 1:
                routed |= first
        if apart:  # each pixel in one window only: write instead of add
            np.multiply(g, first, out=grad_win[..., p, q])
        else:
            grad_win[..., p, q] += g * first
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


def max_pool_reference(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Loop version of ``max_pool``: one window at a time."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    y = np.empty((n, c, oh, ow), dtype=x.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    y[b, ch, i, j] = x[b, ch, i * sh: i * sh + dh * (kh - 1) + 1: dh,
                                       j * sw: j * sw + dw * (kw - 1) + 1: dw].max()
    return y


def max_pool_backward_reference(g: np.ndarray, x: np.ndarray, kernel: tuple, stride: tuple,
                                dilation: tuple) -> np.ndarray:
    """Loop version of ``max_pool_backward``: g to the first maximum (``argmax``) of each window."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    grad = np.zeros_like(x)
    n, c, oh, ow = g.shape
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[b, ch, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    grad[b, ch, i * sh + p * dh, j * sw + q * dw] += g[b, ch, i, j]
    return grad


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
