"""2×2 max pooling (stride 2, the usual one) that marks where each maximum was, compiled with Numba
(the ``fast`` extra), float32.

    forward:   y[i, j] = max(x[2i, 2j], x[2i, 2j+1], x[2i+1, 2j], x[2i+1, 2j+1])
               mask[r, s] = 1 at the one pixel of each window that gets its gradient, else 0
    backward:  ∂L/∂x[r, s] = mask[r, s] · g[r // 2, s // 2]

for every image plane. The pixel is the window's first maximum; in a window holding a NaN, y is
NaN and the pixel the last NaN — PyTorch's rule ``val > max || isnan(val)``. Rows or columns
past the last whole window get mask 0. The NumPy kernels of ``pooling.py`` stay the readable
reference for every window shape (the tests hold the two equal).

Why (LeNet-5, batch 64, 1 thread; BENCHMARKS.md): the NumPy backward must find each window's
first maximum again — for each of the 4 offsets compare with the saved output, then mask out the
windows already routed: 0.8 ms for LeNet's first pool, and the input (1.2 MB) is kept for it.
Here the forward writes the mask (a quarter of the input's bytes) for little more than NumPy's
maximum alone (0.35 against 0.26 ms) and the backward is one pass (0.2 against 0.8-1.1 ms).
The loops run over image rows; the work per pixel is selects and bit operations, not branches,
so that LLVM vectorizes it (a running argmax with branches was 5x slower than NumPy).
``prange`` runs the planes on Numba's threads (``backends.threads.kernel_threads``: one for LeNet's).
"""
from __future__ import annotations

import numpy as np

from ...backends import compiled
from ...backends.threads import kernel_threads

numba = compiled.numba


def fits(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple) -> bool:
    """Whether this pooling runs these kernels: the compiled kernels are on (``glassnet.backends.compiled``)
    and it is the 2×2, stride-2 one (float32, no padding or dilation)."""
    return (compiled.active() and x.dtype == np.float32 and kernel == (2, 2) and stride == (2, 2)
            and padding == (0, 0) and dilation == (1, 1))


def _planes(a: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> the (A, B, H, W) view whose two leading axes are in memory order (C, N for
    the channel-major activations of a convolution), so that each (a, b) image is contiguous."""
    return a.transpose(1, 0, 2, 3) if a.strides[1] > a.strides[0] else a


def max_pool_2x2(x: np.ndarray) -> tuple:
    """(y, mask) of x (N, C, H, W): y (N, C, H//2, W//2) and mask (uint8, the shape of x) in the
    memory layout of x."""
    planes = _planes(x)
    y = np.empty(planes.shape[:2] + (planes.shape[2] // 2, planes.shape[3] // 2), dtype=x.dtype)
    odd = planes.shape[2] % 2 or planes.shape[3] % 2  # the last row or column keeps mask 0
    mask = (np.zeros if odd else np.empty)(planes.shape, dtype=np.uint8)
    with kernel_threads(x.size):
        _forward(planes, y, mask)
    if planes is x:
        return y, mask
    return y.transpose(1, 0, 2, 3), mask.transpose(1, 0, 2, 3)


def max_pool_2x2_backward(g: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """∂L/∂x (N, C, H, W), in the layout of the mask, from g (N, C, H//2, W//2) and the forward's mask."""
    marks = _planes(mask)
    flipped = marks is not mask
    grad_out = np.ascontiguousarray(g.transpose(1, 0, 2, 3) if flipped else g)
    grad = np.empty(marks.shape, dtype=g.dtype)
    with kernel_threads(grad.size):
        _backward(grad_out.view(np.int32), marks, grad.view(np.int32))
    return grad.transpose(1, 0, 2, 3) if flipped else grad


if numba is not None:
    jit = numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")  # no fastmath: NaN rules

    @jit
    def _forward(x, y, mask):
        planes_a, planes_b, oh, ow = y.shape
        for plane in numba.prange(planes_a * planes_b):
            a, b = plane // planes_b, plane % planes_b
            for i in range(oh):
                top, bottom, best = x[a, b, 2 * i], x[a, b, 2 * i + 1], y[a, b, i]
                mask_top, mask_bottom = mask[a, b, 2 * i], mask[a, b, 2 * i + 1]
                for j in range(ow):
                    v0, v1, v2, v3 = top[2 * j], top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1]
                    n0, n1, n2, n3 = v0 != v0, v1 != v1, v2 != v2, v3 != v3
                    nan = n0 | n1 | n2 | n3
                    m = max(max(v0, v1), max(v2, v3))
                    best[j] = np.float32(np.nan) if nan else m
                    e0 = v0 == m  # the first maximum ...
                    e1 = (v1 == m) & ~e0
                    e2 = (v2 == m) & ~(e0 | e1)
                    e3 = ~(e0 | e1 | e2)
                    l3 = n3  # ... or the last NaN
                    l2 = n2 & ~n3
                    l1 = n1 & ~(n2 | n3)
                    l0 = n0 & ~(n1 | n2 | n3)
                    mask_top[2 * j] = l0 if nan else e0
                    mask_top[2 * j + 1] = l1 if nan else e1
                    mask_bottom[2 * j] = l2 if nan else e2
                    mask_bottom[2 * j + 1] = l3 if nan else e3

    @jit
    def _backward(g, mask, grad):
        """g and grad as int32 bit patterns: g & −mask keeps g where the mask is 1 and gives +0
        elsewhere, NaN or not (a select was 6x slower, a product would spread NaN and ∞)."""
        planes_a, planes_b, oh, ow = g.shape
        height, width = grad.shape[2:]
        for plane in numba.prange(planes_a * planes_b):
            a, b = plane // planes_b, plane % planes_b
            for i in range(oh):
                grad_out = g[a, b, i]
                for r in range(2 * i, 2 * i + 2):
                    row, marks = grad[a, b, r], mask[a, b, r]
                    for j in range(ow):
                        v = grad_out[j]
                        row[2 * j] = v & -np.int32(marks[2 * j])
                        row[2 * j + 1] = v & -np.int32(marks[2 * j + 1])
                    if width % 2:
                        row[width - 1] = 0
            if height % 2:
                grad[a, b, height - 1, :] = 0
