"""Optional compiled gate math for the fused LSTM and GRU kernels (float32, Numba).

Each function is the elementwise part of one time step of ``recurrent.py``'s NumPy kernels, fused
into a single pass over the (B, H) arrays: the same equations (see ``LSTMSequence`` and
``GRUSequence``), the same storage layout, and ``keep`` (B,) = 1 on live rows, 0 on padded ones.
``tanh`` is a rational approximation (as in Eigen's float path, error ≈ 1e-7, far inside the 1e-4
agreement with PyTorch): NumPy's float32 ``tanh`` is not vectorized on every CPU and was the
largest cost of the NumPy kernels. Without Numba, or for float64, the NumPy kernels run.
"""
from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # the NumPy kernels are the fallback
    numba = None

F32 = np.float32
HALF, ONE, CLAMP = F32(0.5), F32(1), F32(7.90531110763549805)
# Eigen's coefficients: tanh(x) ≈ x·p(x²)/q(x²)
P0, P1, P2, P3, P4, P5, P6 = (F32(v) for v in (
    -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
    1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03))
Q0, Q1, Q2, Q3 = (F32(v) for v in (
    1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03))

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
            k, row, drow, tb, cp, dhb, dcb = keep[b], a[b], d[b], tanh_c[b], c_prev[b], d_h[b], d_c[b]
            for j in range(hidden):
                i, f = row[j], row[hidden + j]
                g, o = row[2 * hidden + j], row[3 * hidden + j]
                t = tb[j]
                dh = dhb[j] * k
                dc = dcb[j] * k + dh * o * (ONE - t * t)
                drow[j] = dc * g * i * (ONE - i)
                drow[hidden + j] = dc * cp[j] * f * (ONE - f)
                drow[2 * hidden + j] = dc * i * (ONE - g * g)
                drow[3 * hidden + j] = dh * t * o * (ONE - o)
                dcb[j] = dc * f + (ONE - k) * dcb[j]
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
            k, rzb, nb, mb, hp, dhb, dxb, dhwb = keep[b], rz[b], new[b], hw_n[b], h_prev[b], d_h[b], dx[b], dhw[b]
            for j in range(hidden):
                r, z, n = rzb[j], rzb[hidden + j], nb[j]
                dh = dhb[j] * k
                dn = dh * (ONE - z) * (ONE - n * n)
                dz = dh * (hp[j] - n) * z * (ONE - z)
                dr = dn * mb[j] * r * (ONE - r)
                dxb[j], dxb[hidden + j], dxb[2 * hidden + j] = dr, dz, dn
                dhwb[j], dhwb[hidden + j], dhwb[2 * hidden + j] = dr, dz, dn * r
                dhb[j] = dh * z + (ONE - k) * dhb[j]
