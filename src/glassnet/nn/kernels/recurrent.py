"""Fused recurrent kernels: one ``Function`` runs one layer direction over the whole sequence.

Each kernel follows the same plan (what cuDNN and PyTorch's CPU path do, written out in NumPy):

1. the input projection  X W_ihᵀ + b  for *all* time steps as one (stacked) GEMM before the loop;
2. per step, one GEMM  h W_hhᵀ  for all gates, then the gate math of the step;
3. back-propagation through time as one backward loop (iterative: memory linear in the sequence
   length), keeping only the per-step gate gradients;
4. the weight gradients once per sequence, as one GEMM each over all steps stacked.

Steps 1 and 4 and the threads are in ``recurrent_plumbing.py``. This file holds the ``Function``s,
the gate math of one step as plain NumPy (``lstm_step_forward`` …) and the time loops around it
(``lstm_forward_loop`` …): that is the version to read, and the reference. For float32, with the
compiled kernels on (``glassnet.backends.compiled``), the same loops run compiled with Numba
(``recurrent_numba.py``: the whole time loop in one call that lets go of the GIL, the gate math of
a step in one fused pass); the tests hold the two equal. Sigmoids are computed as
σ(a) = ½ tanh(a/2) + ½: the halving is folded into the weights (exact in floating point), so one
``tanh`` covers all gates. The loops take the rows ``first:last`` of the batch (one part, see
``batch_parts``) and ``keep`` (T, B): 1 where a row is live, 0 on its padded steps.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...backends import compiled
from . import recurrent_numba
from .recurrent_plumbing import (
    half_scaled, input_and_weight_grads, keep_masks, keep_rows, output_grads, over_batch_parts, pack,
    project_inputs, slots, time_order,
)


def rnn_step_forward(a, hw, h_prev, h, keep, relu):
    """h = f(a + hw), f = relu or tanh (a: the step's input projection); padded rows keep h_prev."""
    np.add(a, hw, out=h)
    np.maximum(h, 0, out=h) if relu else np.tanh(h, out=h)
    _hold_padded(keep, (h, h_prev))


def rnn_step_backward(h, d_h, d, keep, relu):
    """δ = ∂L/∂h ⊙ f'(·) (f' from the output h: 1 − h² or [h > 0]) on live rows; d_h becomes the
    part of ∂L/∂h_{t-1} that skips W_hh (nonzero on padded rows only)."""
    k = keep[:, None]
    np.multiply(d_h * k, (h > 0) if relu else 1 - h * h, out=d)
    d_h *= 1 - k


def _blocks(a: np.ndarray, count: int) -> list[np.ndarray]:
    hidden = a.shape[1] // count
    return [a[:, k * hidden:(k + 1) * hidden] for k in range(count)]


def _hold_padded(keep: np.ndarray, *pairs) -> None:
    """new ← keep·new + (1 − keep)·old for each (new, old) pair: padded rows carry their state."""
    if keep.all():
        return
    k = keep[:, None]
    for new, old in pairs:
        new *= k
        new += old * (1 - k)


def lstm_step_forward(a, hw, h_prev, c_prev, h, c, tanh_c, keep):
    """One LSTM step after the GEMM hw = h_{t-1} W_hhᵀ. a (B, 4H): the step's input projection in,
    [i, f, g, o] out (both half-scaled on the sigmoid blocks)."""
    a += hw
    np.tanh(a, out=a)
    i, f, g, o = _blocks(a, 4)
    for sigmoid in (i, f, o):  # σ(x) = ½ tanh(x/2) + ½
        sigmoid *= 0.5
        sigmoid += 0.5
    np.multiply(f, c_prev, out=c)
    c += i * g                      # c_t = f ⊙ c_{t-1} + i ⊙ g
    np.tanh(c, out=tanh_c)
    np.multiply(o, tanh_c, out=h)   # h_t = o ⊙ tanh c_t
    _hold_padded(keep, (h, h_prev), (c, c_prev))


def lstm_step_backward(a, tanh_c, c_prev, d_h, d_c, d, keep):
    """Gate gradients d (B, 4H) of one step; d_c becomes ∂L/∂c_{t-1}, d_h the part of ∂L/∂h_{t-1}
    that skips W_hh (nonzero on padded rows only)."""
    k = keep[:, None]
    i, f, g, o = _blocks(a, 4)
    d_i, d_f, d_g, d_o = _blocks(d, 4)
    dh = d_h * k
    dc = d_c * k + dh * o * (1 - tanh_c * tanh_c)
    np.multiply(dh * tanh_c, o * (1 - o), out=d_o)
    np.multiply(dc * g, i * (1 - i), out=d_i)
    np.multiply(dc * c_prev, f * (1 - f), out=d_f)
    np.multiply(dc * i, 1 - g * g, out=d_g)
    d_c *= 1 - k
    d_c += dc * f
    d_h *= 1 - k


def gru_step_forward(hw, xw, b_hn, h_prev, rz, new, hw_n, h, keep):
    """One GRU step after the GEMM hw = h W_hhᵀ (r, z blocks half-scaled, like xw's)."""
    hidden = h.shape[1]
    np.add(hw[:, :2 * hidden], xw[:, :2 * hidden], out=rz)
    np.tanh(rz, out=rz)
    rz *= 0.5
    rz += 0.5
    r, z = rz[:, :hidden], rz[:, hidden:]
    np.add(hw[:, 2 * hidden:], b_hn, out=hw_n)
    np.multiply(r, hw_n, out=new)
    new += xw[:, 2 * hidden:]
    np.tanh(new, out=new)           # n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
    np.subtract(h_prev, new, out=h)
    h *= z
    h += new                        # h_t = n + z ⊙ (h_{t-1} − n)
    _hold_padded(keep, (h, h_prev))


def gru_step_backward(rz, new, hw_n, h_prev, d_h, dx, dhw, keep):
    """Gradients w.r.t. the step's input projection (dx) and h W_hhᵀ + b_hh (dhw); d_h becomes the
    part of ∂L/∂h_{t-1} that skips W_hh."""
    hidden = d_h.shape[1]
    k = keep[:, None]
    r, z = rz[:, :hidden], rz[:, hidden:]
    d_r, d_z, d_n = _blocks(dx, 3)
    dh = d_h * k
    np.multiply(dh * (1 - z), 1 - new * new, out=d_n)
    np.multiply(dh * (h_prev - new), z * (1 - z), out=d_z)
    np.multiply(d_n * hw_n, r * (1 - r), out=d_r)
    dhw[:, :2 * hidden] = dx[:, :2 * hidden]
    np.multiply(d_n, r, out=dhw[:, 2 * hidden:])
    d_h *= 1 - k
    d_h += dh * z


def _loop(x: np.ndarray, reference):
    """The compiled twin of a reference loop for float32 when the compiled kernels are on."""
    if compiled.active() and x.dtype == np.float32 and recurrent_numba.available():
        return getattr(recurrent_numba, reference.__name__)
    return reference


def rnn_forward_loop(xw, w_hh_t, states, keep, order, relu, first, last):
    """Steps in ``order``: h_t = f(x_t W_ihᵀ + b + h_{t-1} W_hhᵀ) (``xw``: the input projections)."""
    r = slice(first, last)
    for t, i, o in order:
        rnn_step_forward(xw[t, r], states[i, r] @ w_hh_t, states[i, r], states[o, r], keep[t, r], relu)


def rnn_backward_loop(states, d_out, w_hh, d_pre, d_h, keep, order, relu, first, last):
    """Steps in reverse: δ_t = (∂L/∂h_t) ⊙ f', ∂L/∂h_{t-1} = δ_t W_hh (+ the carried part on padded
    rows). ``d_h`` holds ∂L/∂h_T in, ∂L/∂h_0 out; δ_t goes to ``d_pre``."""
    r = slice(first, last)
    for t, i, o in order[::-1]:
        d_h[r] += d_out[t, r]
        rnn_step_backward(states[o, r], d_h[r], d_pre[t, r], keep[t, r], relu)
        d_h[r] += d_pre[t, r] @ w_hh


def lstm_forward_loop(gates, w_hh_t, states, cells, tanh_c, keep, order, first, last):
    """Steps in ``order``: h W_hhᵀ for all four gates in one product, then the gate math."""
    r = slice(first, last)
    for t, i, o in order:
        lstm_step_forward(gates[t, r], states[i, r] @ w_hh_t, states[i, r], cells[i, r], states[o, r],
                          cells[o, r], tanh_c[t, r], keep[t, r])


def lstm_backward_loop(gates, tanh_c, cells, d_out, w_hh, d_gates, d_h, d_c, keep, order, first, last):
    """Steps in reverse: the gate gradients of step t into ``d_gates``, then ∂L/∂h_{t-1} = δ W_hh.
    ``d_h``, ``d_c`` hold ∂L/∂h_T, ∂L/∂c_T in and ∂L/∂h_0, ∂L/∂c_0 out."""
    r = slice(first, last)
    for t, i, o in order[::-1]:
        d_h[r] += d_out[t, r]
        lstm_step_backward(gates[t, r], tanh_c[t, r], cells[i, r], d_h[r], d_c[r], d_gates[t, r], keep[t, r])
        d_h[r] += d_gates[t, r] @ w_hh


def gru_forward_loop(xw, w_hh_t, b_hn, states, rz, new, hw_n, keep, order, first, last):
    """Steps in ``order``: h W_hhᵀ for all three gates in one product, then the gate math."""
    r = slice(first, last)
    for t, i, o in order:
        gru_step_forward(states[i, r] @ w_hh_t, xw[t, r], b_hn, states[i, r], rz[t, r], new[t, r], hw_n[t, r],
                         states[o, r], keep[t, r])


def gru_backward_loop(rz, new, hw_n, states, d_out, w_hh, d_x_gates, d_h_gates, d_h, keep, order, first, last):
    """Steps in reverse: the gradients w.r.t. the input projection and h W_hhᵀ + b_hh of step t,
    then ∂L/∂h_{t-1} = ∂h ⊙ z + [δr, δz, δn ⊙ r] W_hh. ``d_h``: ∂L/∂h_T in, ∂L/∂h_0 out."""
    r = slice(first, last)
    for t, i, o in order[::-1]:
        d_h[r] += d_out[t, r]
        gru_step_backward(rz[t, r], new[t, r], hw_n[t, r], states[i, r], d_h[r], d_x_gates[t, r], d_h_gates[t, r],
                          keep[t, r])
        d_h[r] += d_h_gates[t, r] @ w_hh


def _start(ctx, x, w_ih, w_hh, lengths, reverse) -> tuple:
    """Keep what backward needs of the inputs; (steps, batch, padded-row masks (T, B, 1) or None,
    live rows (T, B), time order) of this sequence."""
    steps, batch, _ = x.shape
    ctx.x, ctx.w_ih, ctx.w_hh, ctx.reverse = x, w_ih, np.ascontiguousarray(w_hh), reverse
    ctx.keep = keep_masks(lengths, steps, x.dtype)
    ctx.rows = keep_rows(ctx.keep, steps, batch, x.dtype)
    ctx.order = time_order(steps, reverse)
    return steps, batch, ctx.keep, ctx.rows, ctx.order


class RNNSequence(Function):
    """Elman RNN over a sequence:  h_t = f(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh),  f = tanh or relu.

    BPTT:  δ_t = (∂L/∂h_t) ⊙ f'(·)  with  ∂L/∂h_t = g_t + δ_{t+1} W_hh.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, lengths=None, reverse=False, nonlinearity="tanh"):
        steps, batch, keep, rows, order = _start(ctx, x, w_ih, w_hh, lengths, reverse)
        ctx.relu = nonlinearity == "relu"
        states = np.empty((steps + 1,) + h0.shape, dtype=x.dtype)
        states[order[0, 1]] = h0
        xw = np.empty((steps, batch, w_hh.shape[0]), dtype=x.dtype)
        w_hh_t, bias = np.ascontiguousarray(w_hh.T), b_ih + b_hh
        loop = _loop(x, rnn_forward_loop)

        def run(r: slice) -> None:
            project_inputs(x, w_ih, bias, xw, r)
            loop(xw, w_hh_t, states, rows, order, ctx.relu, r.start, r.stop)

        over_batch_parts(run, batch)
        ctx.states = states
        return pack(states, keep, reverse, states[slots(steps, reverse)[2]])

    @staticmethod
    def backward(ctx, g):
        states = ctx.states
        steps = states.shape[0] - 1
        d_out = output_grads(g, ctx.keep, steps)
        d_pre = np.empty((steps,) + states.shape[1:], dtype=g.dtype)
        d_h0 = g[steps].copy()  # ∂L/∂h_T, carried back to step 0
        loop = _loop(g, rnn_backward_loop)
        parts = over_batch_parts(lambda r: loop(states, d_out, ctx.w_hh, d_pre, d_h0, ctx.rows, ctx.order, ctx.relu,
                                                r.start, r.stop), len(d_h0))
        grads = input_and_weight_grads(ctx, d_pre, d_pre, states, parts)
        return grads + (d_h0,)


class LSTMSequence(Function):
    """LSTM over a sequence, gates in PyTorch's order (i, f, g, o):

        [i, f, g, o] = [σ, σ, tanh, σ](x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)
        c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

    BPTT with ∂c = ∂L/∂c_t + ∂L/∂h_t ⊙ o ⊙ (1 − tanh²c_t):
        δo = ∂h ⊙ tanh c_t ⊙ o(1−o),  δi = ∂c ⊙ g ⊙ i(1−i),  δf = ∂c ⊙ c_{t-1} ⊙ f(1−f),
        δg = ∂c ⊙ i ⊙ (1−g²),  ∂L/∂c_{t-1} = ∂c ⊙ f,  ∂L/∂h_{t-1} = δ W_hh.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, c0, lengths=None, reverse=False):
        steps, batch, keep, rows, order = _start(ctx, x, w_ih, w_hh, lengths, reverse)
        hidden = h0.shape[-1]
        sig = (0, 1, 3)
        w_ih_half, bias_half = half_scaled(w_ih, hidden, sig), half_scaled(b_ih + b_hh, hidden, sig)
        w_hh_t = np.ascontiguousarray(half_scaled(w_hh, hidden, sig).T)  # (H, G·H): h W_hhᵀ as an NN GEMM

        gates = np.empty((steps, batch, 4 * hidden), dtype=x.dtype)  # input projections, then gates
        states = np.empty((steps + 1, batch, hidden), dtype=x.dtype)
        cells = np.empty_like(states)
        tanh_c = np.empty((steps, batch, hidden), dtype=x.dtype)
        states[order[0, 1]], cells[order[0, 1]] = h0, c0
        loop = _loop(x, lstm_forward_loop)

        def run(r: slice) -> None:
            project_inputs(x, w_ih_half, bias_half, gates, r)
            loop(gates, w_hh_t, states, cells, tanh_c, rows, order, r.start, r.stop)

        over_batch_parts(run, batch)
        ctx.states, ctx.cells, ctx.tanh_c, ctx.gates = states, cells, tanh_c, gates
        final = slots(steps, reverse)[2]
        return pack(states, keep, reverse, states[final], cells[final])

    @staticmethod
    def backward(ctx, g):
        steps = ctx.tanh_c.shape[0]
        d_out = output_grads(g, ctx.keep, steps)
        d_gates = np.empty_like(ctx.gates)
        d_h0, d_c0 = g[steps].copy(), g[steps + 1].copy()  # ∂L/∂h_T, ∂L/∂c_T, carried back to step 0
        loop = _loop(g, lstm_backward_loop)
        parts = over_batch_parts(lambda r: loop(ctx.gates, ctx.tanh_c, ctx.cells, d_out, ctx.w_hh, d_gates, d_h0,
                                                d_c0, ctx.rows, ctx.order, r.start, r.stop), len(d_h0))
        grads = input_and_weight_grads(ctx, d_gates, d_gates, ctx.states, parts)
        return grads + (d_h0, d_c0)


class GRUSequence(Function):
    """GRU over a sequence, gates in PyTorch's order (r, z, n):

        r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr),   z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
        n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

    BPTT:  δn = ∂h ⊙ (1−z) ⊙ (1−n²),  δz = ∂h ⊙ (h_{t-1} − n) ⊙ z(1−z),
           δr = δn ⊙ (h W_hnᵀ + b_hn) ⊙ r(1−r),  ∂L/∂(h W_hnᵀ + b_hn) = δn ⊙ r,
           ∂L/∂h_{t-1} = ∂h ⊙ z + [δr, δz, δn ⊙ r] W_hh.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, lengths=None, reverse=False):
        steps, batch, keep, rows, order = _start(ctx, x, w_ih, w_hh, lengths, reverse)
        hidden = h0.shape[-1]
        sig = (0, 1)
        bias = b_ih.copy()
        bias[:2 * hidden] += b_hh[:2 * hidden]  # b_hn stays inside r ⊙ (…)
        w_ih_half, bias_half = half_scaled(w_ih, hidden, sig), half_scaled(bias, hidden, sig)
        w_hh_t = np.ascontiguousarray(half_scaled(w_hh, hidden, sig).T)  # (H, G·H): h W_hhᵀ as an NN GEMM
        b_hn = np.ascontiguousarray(b_hh[2 * hidden:])

        xw = np.empty((steps, batch, 3 * hidden), dtype=x.dtype)
        states = np.empty((steps + 1, batch, hidden), dtype=x.dtype)
        rz = np.empty((steps, batch, 2 * hidden), dtype=x.dtype)
        new = np.empty((steps, batch, hidden), dtype=x.dtype)
        hw_n = np.empty_like(new)
        states[order[0, 1]] = h0
        loop = _loop(x, gru_forward_loop)

        def run(r: slice) -> None:
            project_inputs(x, w_ih_half, bias_half, xw, r)
            loop(xw, w_hh_t, b_hn, states, rz, new, hw_n, rows, order, r.start, r.stop)

        over_batch_parts(run, batch)
        ctx.states, ctx.rz, ctx.new, ctx.hw_n = states, rz, new, hw_n
        return pack(states, keep, reverse, states[slots(steps, reverse)[2]])

    @staticmethod
    def backward(ctx, g):
        steps, batch, hidden = ctx.new.shape
        d_out = output_grads(g, ctx.keep, steps)
        d_h0 = g[steps].copy()  # ∂L/∂h_T, carried back to step 0
        d_x_gates = np.empty((steps, batch, 3 * hidden), dtype=g.dtype)
        d_h_gates = np.empty_like(d_x_gates)
        loop = _loop(g, gru_backward_loop)
        parts = over_batch_parts(lambda r: loop(ctx.rz, ctx.new, ctx.hw_n, ctx.states, d_out, ctx.w_hh, d_x_gates,
                                                d_h_gates, d_h0, ctx.rows, ctx.order, r.start, r.stop), batch)
        grads = input_and_weight_grads(ctx, d_x_gates, d_h_gates, ctx.states, parts)
        return grads + (d_h0,)
