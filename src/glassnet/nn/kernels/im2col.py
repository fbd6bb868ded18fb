"""im2col / col2im: turn a convolution into one matrix product, and back.

A 2-D convolution (as networks use it: cross-correlation, the kernel not flipped) of an image x with
C channels by O kernels of size KH×KW is

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q  W[o, c, p, q] · x[n, c, i·s + p·d, j·s + q·d]

(s the stride, d the dilation, x already zero-padded). im2col copies every receptive-field window
into one column of a matrix ``cols`` of shape (C·KH·KW, N·OH·OW); then Y = W · cols with W
reshaped to (O, C·KH·KW) — all the arithmetic in one GEMM. col2im is its adjoint: it adds every
column of a (C·KH·KW, N·OH·OW) matrix back onto the window it came from, which is how the gradient
∂L/∂x (and the transposed convolution) is made.

Strategy of the fast versions (measured on LeNet-5; see BENCHMARKS.md):

* Memory layout (C, N, H, W) — channel-major, then batch. The functional ops take and return
  (N, C, H, W) arrays, but what they return is an (N, C, H, W) *view* of (C, N, H, W) memory.
  The GEMM's output (O, N·OH·OW) then already is the next layer's input: no transpose copy between
  layers, and the views pass unchanged through ReLU and pooling (NumPy keeps the layout).
* The one copy, ``cols``, is made from a strided view (``sliding_window_view``, nothing copied) in
  the order (C, KH, KW, N, OH, OW): its inner runs are whole output rows (OW numbers, contiguous in
  the input when the stride is 1), so NumPy copies long runs instead of KW-long scraps. This is
  4-5x faster than the (N·OH·OW, C·KH·KW) order with channels-last input on the first LeNet layer.
  The row order (C, KH, KW) is PyTorch's weight order, so the weight is used as it is.
* Batch slices: the window matrix of a whole batch is large (5 MB for LeNet's first layer at
  batch 64, 25 times its input), so ``nn.functional.conv2d`` builds it for a slice of the batch at
  a time (``batch_slices``: at most ``WINDOW_ELEMENTS`` numbers), does that slice's GEMM, and lets
  it go; backward rebuilds it instead of keeping it. Peak memory stays near PyTorch's, and the
  slice stays in the cache between im2col and its GEMM. 1 MB slices (7 per LeNet layer) beat
  512 kB ones (13): fewer Python steps and longer GEMMs, for 0.5 MB more peak memory.
* Stride 1 (most layers): ``im2col_rows`` copies whole runs of image rows. In a row-major image
  the window of offset (p, q) for all output pixels of an image is one contiguous run of
  L = (OH−1)·W + OW numbers starting at p·d·W + q·d (W the padded width), if we accept W − OW junk
  numbers between output rows. So ``cols`` is (C·KH·KW, N·L): one long memcpy per (c, p, q, n)
  instead of OH runs of OW; the GEMM computes the junk columns too (W/OW more work, cheap at
  these sizes), and ``pixels`` drops them with a strided view. 2-3x faster copies on LeNet.
* ∂L/∂x of a stride-1 convolution (``input_grad_rows``) needs no (C·KH·KW, N·L) buffer: one small
  GEMM per kernel offset, added onto the rows it belongs to, for the whole batch at once.
* Layers with few input channels (LeNet's: 1 and 6) skip the window matrix where BLAS would run
  far below its peak: ``conv_direct`` computes the same sums on the same row-run layout as
  compiled loops (Numba), and these NumPy GEMMs are its reference in the tests.
* col2im loops over the KH·KW kernel offsets only (25 for a 5×5 kernel), each step one vectorized
  add of a strided slice: for a fixed offset (p, q) the windows hit distinct pixels, so ``+=`` on
  the slice is exact even when the windows overlap.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view


WINDOW_ELEMENTS = 2 ** 18  # the largest window matrix built at once (1 MB of float32)


def batch_slices(batch: int, per_image: int) -> list:
    """Slices of the batch whose window matrices have at most ``WINDOW_ELEMENTS`` numbers."""
    step = max(1, WINDOW_ELEMENTS // per_image)
    return [slice(start, min(start + step, batch)) for start in range(0, batch, step)]


def output_size(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Number of window positions along one axis of an already padded input."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Strided view (C, KH, KW, N, OH, OW) of every window of a channel-major image x (C, N, H, W).

    ``windows(x)[c, p, q, n, i, j] == x[c, n, i·s + p·d, j·s + q·d]``; nothing is copied.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(x, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return view.transpose(0, 4, 5, 1, 2, 3)


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Columns of receptive fields: (C·KH·KW, N·OH·OW) from x (C, N, H, W); one copy."""
    win = windows(x, kernel, stride, dilation)
    c, kh, kw = win.shape[:3]
    return win.reshape(c * kh * kw, -1)


def col2im(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple,
           out: np.ndarray | None = None) -> np.ndarray:
    """Adjoint of ``im2col``: add each column of ``cols`` onto its window of a zero (C, N, H, W)
    image (or of ``out``, added to in place)."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    c, n, h, w = shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    blocks = cols.reshape(c, kh, kw, n, oh, ow)
    image = np.zeros(shape, dtype=cols.dtype) if out is None else out
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (oh - 1) + 1, sh)
        for q in range(kw):
            image[:, :, rows, q * dw: q * dw + sw * (ow - 1) + 1: sw] += blocks[:, p, q]
    return image


def pitch(shape: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> int:
    """Distance between output rows in the columns of the window matrix: the padded width W for
    stride 1 (``im2col_rows``), OW otherwise (``im2col``)."""
    if stride == (1, 1):
        return shape[3]
    return output_size(shape[3], kernel[1], stride[1], dilation[1])


def positions(shape: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> int:
    """Columns per image of the window matrix: (OH−1)·pitch + OW."""
    oh, ow = (output_size(size, k, s, d) for size, k, s, d in zip(shape[2:], kernel, stride, dilation))
    return (oh - 1) * pitch(shape, kernel, stride, dilation) + ow


def im2col_rows(x: np.ndarray, kernel: tuple, dilation: tuple) -> np.ndarray:
    """Stride-1 window matrix (C·KH·KW, N·L) of x (C, N, H, W) whose last two axes are contiguous:
    column n·L + i·W + j is output pixel (n, i, j); the columns with j ≥ OW are junk."""
    (kh, kw), (dh, dw) = kernel, dilation
    c, n, h, w = x.shape
    flat = x.reshape(c, n, h * w)
    length = positions(x.shape, kernel, (1, 1), dilation)
    cs, ns, step = flat.strides
    runs = as_strided(flat, (c, kh, kw, n, length), (cs, dh * w * step, dw * step, ns, step), writeable=False)
    return runs.reshape(c * kh * kw, n * length)


def input_grad_rows(w: np.ndarray, g: np.ndarray, shape: tuple, kernel: tuple, dilation: tuple) -> np.ndarray:
    """∂L/∂x̃ (C, N, H, W) of a stride-1 convolution: the adjoint of ``im2col_rows`` applied to Wᵀ·G,
    without building Wᵀ·G. For each kernel offset (p, q) one GEMM W[:, :, p, q]ᵀ·G (C × N·L) is
    added onto the run of rows its windows read. w: (groups, O/groups, C/groups·KH·KW);
    g: (O, N, L), zero in the junk columns."""
    (kh, kw), (dh, dw) = kernel, dilation
    c, n, h, width = shape
    groups, group_out = w.shape[:2]
    taps = w.reshape(groups, group_out, c // groups, kh, kw)
    g3 = g.reshape(groups, group_out, -1)
    length = g.shape[2]
    image = np.zeros(shape, dtype=g.dtype)
    flat = image.reshape(c, n, h * width)
    for p in range(kh):
        for q in range(kw):
            start = p * dh * width + q * dw
            flat[:, :, start: start + length] += np.matmul(taps[..., p, q].transpose(0, 2, 1), g3).reshape(c, n, length)
    return image


def conv_windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """The window matrix (C·KH·KW, N·P) in the faster layout for this stride (see ``pitch``)."""
    if stride == (1, 1):
        return im2col_rows(x, kernel, dilation)
    return im2col(x, kernel, stride, dilation)


def pixels(y: np.ndarray, oh: int, ow: int, row_pitch: int) -> np.ndarray:
    """(O, N, P) GEMM output -> (O, N, OH, OW) view of its real output pixels (junk columns skipped)."""
    o, n, _ = y.shape
    step = y.strides[2]
    return as_strided(y, (o, n, oh, ow), (y.strides[0], y.strides[1], row_pitch * step, step))


def im2col_reference(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Loop version of ``im2col``: one window at a time, as drawn in the lecture."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    c, n, h, w = x.shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    cols = np.empty((c * kh * kw, n * oh * ow), dtype=x.dtype)
    column = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                field = x[:, b, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw]
                cols[:, column] = field.reshape(-1)  # (C, KH, KW) order
                column += 1
    return cols


def col2im_reference(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Loop version of ``col2im``: scatter-add one window at a time."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    c, n, h, w = shape
    oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
    image = np.zeros(shape, dtype=cols.dtype)
    column = 0
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                field = cols[:, column].reshape(c, kh, kw)
                image[:, b, i * sh: i * sh + dh * (kh - 1) + 1: dh, j * sw: j * sw + dw * (kw - 1) + 1: dw] += field
                column += 1
    return image
