"""im2col / col2im: turn a convolution into one matrix product, and back.

A 2-D convolution (as networks use it: cross-correlation, the kernel not flipped) of an image x with
C channels by O kernels of size KH×KW is

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q  W[o, c, p, q] · x[n, c, i·s + p·d, j·s + q·d]

(s the stride, d the dilation, x already zero-padded). im2col copies every receptive-field window
x[n, :, i·s + p·d, j·s + q·d] into one row of a matrix ``cols`` of shape (N·OH·OW, C·KH·KW); then
y = cols · Wᵀ with W reshaped to (O, C·KH·KW) — all the arithmetic in one GEMM. col2im is its
adjoint: it adds every row of a (N·OH·OW, C·KH·KW) matrix back onto the window it came from, which
is how the gradient ∂L/∂x (and the transposed convolution) is made.

Strategy of the fast versions (what made LeNet-5 as fast as PyTorch on a CPU):

* Channels-last memory. The images are handled as (N, H, W, C) arrays; ``nn.functional.conv2d``
  hands back an (N, C, H, W) *view* of channels-last memory. Then the GEMM's output (N·OH·OW, O)
  already is the next layer's input, with no transpose copy in between, and the next im2col reads
  rows of C contiguous numbers.
* No Python loop over pixels: ``sliding_window_view`` gives every window as a strided view
  (N, OH, OW, C, KH, KW) without copying; one ``reshape`` makes the single copy, ``cols``. The
  order (C, KH, KW) inside a row is the order of PyTorch's weight (O, C, KH, KW), so the weight
  needs no reordering.
* col2im loops over the KH·KW kernel offsets only (25 for a 5×5 kernel), each step one vectorized
  add of a strided slice: for a fixed offset (p, q) the windows hit distinct pixels, so ``+=`` on
  the view is exact even when the windows overlap.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_size(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Number of window positions along one axis of an already padded input."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Strided view (N, OH, OW, C, KH, KW) of every window of a channels-last image x (N, H, W, C).

    ``windows(x)[n, i, j, c, p, q] == x[n, i·s + p·d, j·s + q·d, c]``; nothing is copied.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(x, span, axis=(1, 2))
    return view[:, ::sh, ::sw, :, ::dh, ::dw]


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Rows of receptive fields: (N·OH·OW, C·KH·KW) from channels-last x (N, H, W, C); one copy."""
    win = windows(x, kernel, stride, dilation)
    n, oh, ow = win.shape[:3]
    return win.reshape(n * oh * ow, -1)


def col2im(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Adjoint of ``im2col``: add each row of ``cols`` onto its window of a zero (N, H, W, C) image."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, h, w, c = shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    blocks = cols.reshape(n, oh, ow, c, kh, kw)
    image = np.zeros(shape, dtype=cols.dtype)
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
        for q in range(kw):
            image[:, rows, q * dw: q * dw + sw * (ow - 1) + 1: sw, :] += blocks[..., p, q]
    return image


def im2col_reference(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Loop version of ``im2col``: one window at a time, as drawn in the lecture."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, h, w, c = x.shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    cols = np.empty((n * oh * ow, c * kh * kw), dtype=x.dtype)
    row = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                field = x[b, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw, :]
                cols[row] = field.transpose(2, 0, 1).reshape(-1)  # (C, KH, KW) order
                row += 1
    return cols


def col2im_reference(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Loop version of ``col2im``: scatter-add one window at a time."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    n, h, w, c = shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    image = np.zeros(shape, dtype=cols.dtype)
    row = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                field = cols[row].reshape(c, kh, kw).transpose(1, 2, 0)
                image[b, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw, :] += field
                row += 1
    return image
