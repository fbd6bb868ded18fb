"""Direct stride-1 convolution kernels, compiled with Numba (the ``fast`` extra), float32.

The same sums as the GEMMs of ``im2col.py`` (whose NumPy versions stay the readable reference;
the tests hold the two equal), on the same row-run layout: x is the zero-padded image as rows
(C, N, H·W), an output or gradient is (O, N, L) with L = (OH−1)·W + OW, column i·W + j holding
output pixel (i, j) and the columns with j ≥ OW junk (computed, never read; zero in gradients).
For kernel offset (p, q) every output pixel reads the input at the same shift
s = p·d_h·W + q·d_w, so each sum is a loop over shifted contiguous runs:

    forward        y[o, n, t]      = b[o] + Σ_{c,p,q} W[o,c,p,q] · x[c, n, t + s(p,q)]
    weight grad    ∂L/∂W[o,c,p,q] = Σ_{n,t} g[o, n, t] · x[c, n, t + s(p,q)]
    input grad     ∂L/∂x[c, n, t + s(p,q)] += Σ_o W[o,c,p,q] · g[o, n, t]

Why and where (measured on LeNet-5, batch 64, 1 thread; BENCHMARKS.md): a GEMM needs a window
matrix of C·KH·KW rows, a copy of the input KH·KW times over, rebuilt in backward (keeping it
would exceed the memory bound); with few input channels building it costs as much as the
arithmetic, and the products have few rows (O = 6 or 16 in forward and weight gradient, C = 1 or
6 per kernel offset in the input gradient), which runs BLAS far below its peak. The direct loops
need no window memory and are faster up to ``DIRECT_CHANNELS`` input channels:

    LeNet layer (C → O)   forward          weight gradient    input gradient
    1 → 6                 0.4 vs 0.8 ms    0.5 vs 1.2 ms      (not needed)
    6 → 16                0.8 vs 0.95 ms   0.8 vs 1.1-1.4 ms  1.0 vs 1.9 ms

(direct vs the NumPy GEMMs of ``im2col.py``, minimum of 30 calls.)

How the loops are written: the innermost loop runs over a contiguous run (``t``) so that LLVM
vectorizes it; indexing goes through slices taken outside that loop (an index ``off + t`` that
might be negative makes Numba add a wrap-around check that stops vectorization, 8x slower).
Each pass combines several terms that share the output run, so that every load feeds several
multiply-adds: in the forward four output channels times three taps (any (c, p, q), from a table
of shifts; 2x faster than three taps of one channel), in the input gradient four output times
two input channels (1.5x faster than one input channel), in the weight gradient four output
channels times two taps (2x faster than one channel times three taps). Blocks that run past the
last channel or tap repeat it with weight 0 or write to a spare row, never to a row of the same
pass twice (LLVM would then fall back to scalar code).
``prange`` splits the batch (forward, input gradient) or the blocks of (o, c) (weight gradient) over
Numba's threads (``numba.set_num_threads``); every thread writes its own part of the output.
But a kernel with less than ``backends.threads.SMALL_PRODUCT_FLOPS`` multiply-adds (all of LeNet's, 0.4-1 ms
each) runs on one thread (``backends.threads.kernel_threads``), the rule ``one_blas_thread`` applies
to BLAS: waking a second thread and waiting for it at the end cost more than it saved on the
shared 2-core machine, up to 16 ms per call when the other core was busy (BENCHMARKS.md).
"""
from __future__ import annotations

import numpy as np

from ...backends import compiled
from ...backends.threads import kernel_threads

numba = compiled.numba
DIRECT_CHANNELS = 8  # direct kernels up to this many input channels C


def use_direct(x_dtype, w_dtype, in_channels: int, stride: tuple, groups: int) -> bool:
    """Whether this layer runs the direct kernels (else the GEMMs of ``im2col.py``): the compiled
    kernels are on (``glassnet.backends.compiled``), float32, stride 1, no groups, few channels."""
    return (compiled.active() and x_dtype == w_dtype == np.float32 and stride == (1, 1) and groups == 1
            and in_channels <= DIRECT_CHANNELS)


def forward_rows(x, w, b, y, width: int, dilation_h: int, dilation_w: int) -> None:
    """y (O, N, L) = b + the convolution of the rows x (C, N, H·W) with w (O, C, KH, KW)."""
    with kernel_threads(y.size * w[0].size):
        _forward_rows(x, w, b, y, width, dilation_h, dilation_w)


def weight_grad_rows(x, g, grad_w, width: int, dilation_h: int, dilation_w: int) -> None:
    """grad_w (O, C, KH, KW) = Σ over batch and columns of g (O, N, L) times the shifted rows of
    x (C, N, H·W); g must be zero in the junk columns."""
    with kernel_threads(g.size * grad_w[0].size):
        _weight_grad_rows(x, g, grad_w, width, dilation_h, dilation_w)


def input_grad_rows(w, g, grad_x, width: int, dilation_h: int, dilation_w: int) -> None:
    """grad_x (C, N, H·W) = the adjoint of ``forward_rows`` applied to g (O, N, L), which must be
    zero in the junk columns (overwrites grad_x)."""
    with kernel_threads(g.size * w[0].size):
        _input_grad_rows(w, g, grad_x, width, dilation_h, dilation_w)


if numba is not None:
    jit = numba.njit(fastmath=True, cache=True, nogil=True, parallel=True, error_model="numpy")

    @jit
    def _forward_rows(x, w, b, y, width, dilation_h, dilation_w):
        out_channels, batch, length = y.shape
        channels, kh, kw = w.shape[1:]
        taps = channels * kh * kw  # tap k = (c, p, q) reads row c shifted by shift[k]
        weights = w.reshape(out_channels, taps)
        channel, shift = np.empty(taps, np.int64), np.empty(taps, np.int64)
        for k in range(taps):
            c, p, q = k // (kh * kw), k // kw % kh, k % kw
            channel[k], shift[k] = c, p * dilation_h * width + q * dilation_w
        for n in numba.prange(batch):
            spare = np.empty((3, length), y.dtype)  # outputs of the channels past the last one
            for o0 in range(0, out_channels, 4):
                # four output channels times three taps per pass; a block past the last tap
                # repeats it with weight 0
                last = out_channels - 1
                o1, o2, o3 = min(o0 + 1, last), min(o0 + 2, last), min(o0 + 3, last)
                acc0 = y[o0, n]
                acc1 = y[o1, n] if o0 + 1 <= last else spare[0]
                acc2 = y[o2, n] if o0 + 2 <= last else spare[1]
                acc3 = y[o3, n] if o0 + 3 <= last else spare[2]
                acc0[:], acc1[:], acc2[:], acc3[:] = b[o0], b[o1], b[o2], b[o3]
                row0, row1, row2, row3 = weights[o0], weights[o1], weights[o2], weights[o3]
                for k0 in range(0, taps, 3):
                    k1, k2 = min(k0 + 1, taps - 1), min(k0 + 2, taps - 1)
                    m1, m2 = np.float32(k0 + 1 < taps), np.float32(k0 + 2 < taps)
                    x0 = x[channel[k0], n, shift[k0]:shift[k0] + length]
                    x1 = x[channel[k1], n, shift[k1]:shift[k1] + length]
                    x2 = x[channel[k2], n, shift[k2]:shift[k2] + length]
                    w00, w01, w02 = row0[k0], m1 * row0[k1], m2 * row0[k2]
                    w10, w11, w12 = row1[k0], m1 * row1[k1], m2 * row1[k2]
                    w20, w21, w22 = row2[k0], m1 * row2[k1], m2 * row2[k2]
                    w30, w31, w32 = row3[k0], m1 * row3[k1], m2 * row3[k2]
                    for t in range(length):
                        u, v, z = x0[t], x1[t], x2[t]
                        acc0[t] += w00 * u + w01 * v + w02 * z
                        acc1[t] += w10 * u + w11 * v + w12 * z
                        acc2[t] += w20 * u + w21 * v + w22 * z
                        acc3[t] += w30 * u + w31 * v + w32 * z

    @jit
    def _weight_grad_rows(x, g, grad_w, width, dilation_h, dilation_w):
        out_channels, channels, kh, kw = grad_w.shape
        batch, length = g.shape[1:]
        blocks = (out_channels + 3) // 4
        for task in numba.prange(blocks * channels):
            # four output channels times two taps per pass: eight sums from six loads; a block past
            # the last channel or tap repeats it (the same sum, written twice)
            o0, c = 4 * (task // channels), task % channels
            last = out_channels - 1
            o1, o2, o3 = min(o0 + 1, last), min(o0 + 2, last), min(o0 + 3, last)
            for p in range(kh):
                for q0 in range(0, kw, 2):
                    q1 = min(q0 + 1, kw - 1)
                    s0, s1 = q0 * dilation_w, q1 * dilation_w
                    a0 = a1 = b0 = b1 = c0 = c1 = d0 = d1 = np.float32(0)
                    for n in range(batch):
                        ga, gb, gc, gd = g[o0, n], g[o1, n], g[o2, n], g[o3, n]
                        row = x[c, n, p * dilation_h * width:]
                        x0, x1 = row[s0:s0 + length], row[s1:s1 + length]
                        for t in range(length):
                            u, v = x0[t], x1[t]
                            a0 += ga[t] * u
                            a1 += ga[t] * v
                            b0 += gb[t] * u
                            b1 += gb[t] * v
                            c0 += gc[t] * u
                            c1 += gc[t] * v
                            d0 += gd[t] * u
                            d1 += gd[t] * v
                    grad_w[o0, c, p, q0], grad_w[o0, c, p, q1] = a0, a1
                    grad_w[o1, c, p, q0], grad_w[o1, c, p, q1] = b0, b1
                    grad_w[o2, c, p, q0], grad_w[o2, c, p, q1] = c0, c1
                    grad_w[o3, c, p, q0], grad_w[o3, c, p, q1] = d0, d1

    @jit
    def _input_grad_rows(w, g, grad_x, width, dilation_h, dilation_w):
        out_channels, channels, kh, kw = w.shape
        batch, length = g.shape[1:]
        for n in numba.prange(batch):
            spare = np.zeros(length, grad_x.dtype)  # the rows of a channel past the last one
            for c in range(channels):
                grad_x[c, n, :] = 0
            for c0 in range(0, channels, 2):  # two input channels per pass share the loads of g
                c1 = min(c0 + 1, channels - 1)
                for p in range(kh):
                    for q in range(kw):
                        shift = p * dilation_h * width + q * dilation_w
                        acc0 = grad_x[c0, n, shift:shift + length]
                        acc1 = grad_x[c1, n, shift:shift + length] if c0 + 1 < channels else spare
                        o = 0
                        while o < out_channels:  # four output channels per pass (fewer at the end)
                            if o + 3 < out_channels:
                                g0, g1, g2, g3 = g[o, n], g[o + 1, n], g[o + 2, n], g[o + 3, n]
                                u0, u1, u2, u3 = (w[o, c0, p, q], w[o + 1, c0, p, q],
                                                  w[o + 2, c0, p, q], w[o + 3, c0, p, q])
                                v0, v1, v2, v3 = (w[o, c1, p, q], w[o + 1, c1, p, q],
                                                  w[o + 2, c1, p, q], w[o + 3, c1, p, q])
                                for t in range(length):
                                    x0, x1, x2, x3 = g0[t], g1[t], g2[t], g3[t]
                                    acc0[t] += u0 * x0 + u1 * x1 + u2 * x2 + u3 * x3
                                    acc1[t] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3
                                o += 4
                            else:
                                g0, u0, v0 = g[o, n], w[o, c0, p, q], w[o, c1, p, q]
                                for t in range(length):
                                    acc0[t] += u0 * g0[t]
                                    acc1[t] += v0 * g0[t]
                                o += 1
