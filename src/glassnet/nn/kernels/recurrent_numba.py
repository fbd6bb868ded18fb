"""The fused recurrent kernels' time loops compiled with Numba (float32; the ``fast`` extra).

Every function here is the twin of the one of the same name in ``recurrent.py`` (same arguments,
same equations, same storage layout; ``keep`` = 1 on live rows, 0 on padded ones), which the
tests hold it equal to. The time loops (``lstm_forward_loop`` …) run a whole batch part in one call
that lets go of the GIL, so that the parts of a batch really run side by side on their threads;
inside, ``np.dot`` calls BLAS (SciPy's, which Numba uses) for h W_hhᵀ and δ W_hh on contiguous
rows, and each step's gate math is one fused pass over the (B, H) arrays instead of a dozen ufuncs.
``tanh`` is a rational approximation (as in Eigen's float path, error ≈ 1e-7, far inside the 1e-4
agreement with PyTorch): NumPy's float32 ``tanh`` is not vectorized on every CPU and was the
largest cost of the NumPy kernels. The backward loops read and write each gate block through its
own 1-D view (``row[:H]``, ``row[H:2H]`` …) rather than ``row[k·H + j]``: LLVM vectorizes those
loops, 2–3x faster per step (the forward passes are bound by ``tanh`` either way).
Without Numba (or SciPy), or for float64, ``recurrent.py``'s loops run.
"""
from __future__ import annotations

import numpy as np

from ...backends import threads
from ...backends.compiled import numba

F32 = np.float32
HALF, ONE, CLAMP = F32(0.5), F32(1), F32(7.90531110763549805)
# Eigen's coefficients: tanh(x) ≈ x·p(x²)/q(x²)
P0, P1, P2, P3, P4, P5, P6 = (F32(v) for v in (
    -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
    1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03))
Q0, Q1, Q2, Q3 = (F32(v) for v in (
    1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03))

_blas = {}


def available() -> bool:
    """Whether the compiled loops can run: Numba, and the BLAS its ``np.dot`` calls (SciPy's, loaded
    here once, and then put under the thread limits of ``backends.threads``)."""
    if numba is None:
        return False
    if "ready" not in _blas:
        try:
            import scipy.linalg.cython_blas  # noqa: F401
            _blas["ready"] = True
        except ImportError:
            _blas["ready"] = False
        threads.blas_loaded()
    return _blas["ready"]


if numba is not None:
    jit = numba.njit(fastmath=True, cache=True, nogil=True, error_model="numpy")

    @jit
    def fast_tanh(x):
        """tanh(x) ≈ x·p(x²)/q(x²) on [-7.9, 7.9] (±1 to float32 precision outside)."""
        x = min(max(x, -CLAMP), CLAMP)
        x2 = x * x
        p = ((((((x2 * P0 + P1) * x2 + P2) * x2 + P3) * x2 + P4) * x2 + P5) * x2 + P6)
        q = (((x2 * Q0 + Q1) * x2 + Q2) * x2 + Q3)
        return x * p / q

    @jit
    def lstm_step_forward(a, hw, h_prev, c_prev, h, c, tanh_c, keep):
        """a (B, 4H): input projection in, activations [i, f, g, o] of a + hw out; then
        c = f c_prev + i g,  h = o tanh c  (rows with keep 0 carry h_prev, c_prev)."""
        batch, hidden = h.shape
        scale = np.full(4 * hidden, HALF, dtype=F32)   # σ(x) = ½ tanh(x/2) + ½; g: tanh
        scale[2 * hidden:3 * hidden] = ONE
        shift = ONE - scale
        for b in range(batch):
            row, recurrent = a[b], hw[b]
            for j in range(4 * hidden):
                row[j] = scale[j] * fast_tanh(row[j] + recurrent[j]) + shift[j]
        for b in range(batch):
            k, row, cp, hp, cb, hb, tb = keep[b], a[b], c_prev[b], h_prev[b], c[b], h[b], tanh_c[b]
            for j in range(hidden):
                cell = row[hidden + j] * cp[j] + row[j] * row[2 * hidden + j]
                t = fast_tanh(cell)
                tb[j] = t
                cb[j] = k * cell + (ONE - k) * cp[j]
                hb[j] = k * (row[3 * hidden + j] * t) + (ONE - k) * hp[j]

    @jit
    def lstm_step_backward(a, tanh_c, c_prev, d_h, d_c, d, keep):
        """Gate gradients d (B, 4H) from ∂L/∂h_t (``d_h``) and ∂L/∂c_t (``d_c``, overwritten by
        ∂L/∂c_{t-1}); ``d_h`` is overwritten by the part of ∂L/∂h_{t-1} that skips W_hh."""
        batch, hidden = d_h.shape
        for b in range(batch):
            k = keep[b]
            row, drow = a[b], d[b]
            i, f, g, o = row[:hidden], row[hidden:2 * hidden], row[2 * hidden:3 * hidden], row[3 * hidden:]
            d_i, d_f, d_g, d_o = drow[:hidden], drow[hidden:2 * hidden], drow[2 * hidden:3 * hidden], drow[3 * hidden:]
            tb, cp, dhb, dcb = tanh_c[b], c_prev[b], d_h[b], d_c[b]
            for j in range(hidden):
                t = tb[j]
                dh = dhb[j] * k
                dc = dcb[j] * k + dh * o[j] * (ONE - t * t)
                d_i[j] = dc * g[j] * i[j] * (ONE - i[j])
                d_f[j] = dc * cp[j] * f[j] * (ONE - f[j])
                d_g[j] = dc * i[j] * (ONE - g[j] * g[j])
                d_o[j] = dh * t * o[j] * (ONE - o[j])
                dcb[j] = dc * f[j] + (ONE - k) * dcb[j]
                dhb[j] = (ONE - k) * dhb[j]

    @jit
    def gru_step_forward(hw, xw, b_hn, h_prev, rz, new, hw_n, h, keep):
        """hw (B, 3H) = h W_hhᵀ (r, z blocks half-scaled), xw the step's input projection:
        r, z = σ(…), n = tanh(x_n + r (hw_n + b_hn)), h = n + z (h_prev − n)."""
        batch, hidden = h.shape
        for b in range(batch):
            hwb, xwb, rzb = hw[b], xw[b], rz[b]
            for j in range(2 * hidden):
                rzb[j] = HALF * fast_tanh(hwb[j] + xwb[j]) + HALF
        for b in range(batch):
            k, hwb, xwb, rzb, nb, mb, hp, hb = keep[b], hw[b], xw[b], rz[b], new[b], hw_n[b], h_prev[b], h[b]
            for j in range(hidden):
                m = hwb[2 * hidden + j] + b_hn[j]
                n = fast_tanh(xwb[2 * hidden + j] + rzb[j] * m)
                nb[j], mb[j] = n, m
                hb[j] = k * (n + rzb[hidden + j] * (hp[j] - n)) + (ONE - k) * hp[j]

    @jit
    def gru_step_backward(rz, new, hw_n, h_prev, d_h, dx, dhw, keep):
        """Gate gradients w.r.t. the input projection (dx) and h W_hhᵀ + b_hh (dhw) from ∂L/∂h_t
        (``d_h``, overwritten by the part of ∂L/∂h_{t-1} that skips W_hh)."""
        batch, hidden = d_h.shape
        for b in range(batch):
            k = keep[b]
            r, z = rz[b, :hidden], rz[b, hidden:]
            d_r, d_z, d_n = dx[b, :hidden], dx[b, hidden:2 * hidden], dx[b, 2 * hidden:]
            dh_r, dh_z, dh_n = dhw[b, :hidden], dhw[b, hidden:2 * hidden], dhw[b, 2 * hidden:]
            nb, mb, hp, dhb = new[b], hw_n[b], h_prev[b], d_h[b]
            for j in range(hidden):
                n = nb[j]
                dh = dhb[j] * k
                dn = dh * (ONE - z[j]) * (ONE - n * n)
                dz = dh * (hp[j] - n) * z[j] * (ONE - z[j])
                dr = dn * mb[j] * r[j] * (ONE - r[j])
                d_r[j], d_z[j], d_n[j] = dr, dz, dn
                dh_r[j], dh_z[j], dh_n[j] = dr, dz, dn * r[j]
                dhb[j] = dh * z[j] + (ONE - k) * dhb[j]

    @jit
    def rnn_step_forward(a, hw, h_prev, h, keep, relu):
        """h = f(a + hw), f = relu or tanh; rows with keep 0 carry h_prev."""
        batch, hidden = h.shape
        for b in range(batch):
            k, ab, hwb, hp, hb = keep[b], a[b], hw[b], h_prev[b], h[b]
            for j in range(hidden):
                v = ab[j] + hwb[j]
                v = max(v, F32(0)) if relu else fast_tanh(v)
                hb[j] = k * v + (ONE - k) * hp[j]

    @jit
    def rnn_step_backward(h, d_h, d, keep, relu):
        """δ = ∂L/∂h ⊙ f' on live rows; ``d_h`` becomes the part of ∂L/∂h_{t-1} that skips W_hh."""
        batch, hidden = h.shape
        for b in range(batch):
            k, hb, dhb, db = keep[b], h[b], d_h[b], d[b]
            for j in range(hidden):
                slope = F32(hb[j] > 0) if relu else ONE - hb[j] * hb[j]
                db[j] = dhb[j] * k * slope
                dhb[j] = (ONE - k) * dhb[j]

    @jit
    def _add(a, b):
        """a += b for (B, H) arrays, without a temporary."""
        for i in range(a.shape[0]):
            ai, bi = a[i], b[i]
            for j in range(a.shape[1]):
                ai[j] += bi[j]

    @jit
    def rnn_forward_loop(xw, w_hh_t, states, keep, order, relu, first, last):
        hw = np.empty((last - first, w_hh_t.shape[1]), F32)
        for k in range(order.shape[0]):
            t, i, o = order[k, 0], order[k, 1], order[k, 2]
            np.dot(states[i, first:last], w_hh_t, hw)
            rnn_step_forward(xw[t, first:last], hw, states[i, first:last], states[o, first:last], keep[t, first:last],
                             relu)

    @jit
    def rnn_backward_loop(states, d_out, w_hh, d_pre, d_h, keep, order, relu, first, last):
        d_part = d_h[first:last]
        through = np.empty_like(d_part)
        for k in range(order.shape[0] - 1, -1, -1):
            t, o = order[k, 0], order[k, 2]
            _add(d_part, d_out[t, first:last])
            rnn_step_backward(states[o, first:last], d_part, d_pre[t, first:last], keep[t, first:last], relu)
            np.dot(d_pre[t, first:last], w_hh, through)
            _add(d_part, through)

    @jit
    def lstm_forward_loop(gates, w_hh_t, states, cells, tanh_c, keep, order, first, last):
        hw = np.empty((last - first, w_hh_t.shape[1]), F32)
        for k in range(order.shape[0]):
            t, i, o = order[k, 0], order[k, 1], order[k, 2]
            np.dot(states[i, first:last], w_hh_t, hw)
            lstm_step_forward(gates[t, first:last], hw, states[i, first:last], cells[i, first:last],
                              states[o, first:last], cells[o, first:last], tanh_c[t, first:last], keep[t, first:last])

    @jit
    def lstm_backward_loop(gates, tanh_c, cells, d_out, w_hh, d_gates, d_h, d_c, keep, order, first, last):
        d_h_part, d_c_part = d_h[first:last], d_c[first:last]
        through = np.empty_like(d_h_part)
        for k in range(order.shape[0] - 1, -1, -1):
            t, i = order[k, 0], order[k, 1]
            _add(d_h_part, d_out[t, first:last])
            lstm_step_backward(gates[t, first:last], tanh_c[t, first:last], cells[i, first:last], d_h_part, d_c_part,
                               d_gates[t, first:last], keep[t, first:last])
            np.dot(d_gates[t, first:last], w_hh, through)
            _add(d_h_part, through)

    @jit
    def gru_forward_loop(xw, w_hh_t, b_hn, states, rz, new, hw_n, keep, order, first, last):
        hw = np.empty((last - first, w_hh_t.shape[1]), F32)
        for k in range(order.shape[0]):
            t, i, o = order[k, 0], order[k, 1], order[k, 2]
            np.dot(states[i, first:last], w_hh_t, hw)
            gru_step_forward(hw, xw[t, first:last], b_hn, states[i, first:last], rz[t, first:last], new[t, first:last],
                             hw_n[t, first:last], states[o, first:last], keep[t, first:last])

    @jit
    def gru_backward_loop(rz, new, hw_n, states, d_out, w_hh, d_x_gates, d_h_gates, d_h, keep, order, first, last):
        d_part = d_h[first:last]
        through = np.empty_like(d_part)
        for k in range(order.shape[0] - 1, -1, -1):
            t, i = order[k, 0], order[k, 1]
            _add(d_part, d_out[t, first:last])
            gru_step_backward(rz[t, first:last], new[t, first:last], hw_n[t, first:last], states[i, first:last], d_part,
                              d_x_gates[t, first:last], d_h_gates[t, first:last], keep[t, first:last])
            np.dot(d_h_gates[t, first:last], w_hh, through)
            _add(d_part, through)
