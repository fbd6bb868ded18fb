"""Fused recurrent kernels: one ``Function`` runs one layer direction over the whole sequence.

Each kernel follows the same plan (what cuDNN and PyTorch's CPU path do, written out in NumPy):

1. the input projection  X W_ihᵀ + b  for *all* time steps as one (stacked) GEMM before the loop;
2. per step, one GEMM  h W_hhᵀ  for all gates, then the gate math in a few in-place ufuncs;
3. back-propagation through time as one backward loop (iterative: memory linear in the sequence
   length), keeping only the per-step gate gradients;
4. the weight gradients once per sequence, as one GEMM each over all steps stacked:
   ∂L/∂W_ih = Σ_t δ_tᵀ x_t,  ∂L/∂W_hh = Σ_t δ_tᵀ h_{t-1},  ∂L/∂x = δ W_ih.

Threads. The per-step products are small ((B, H) by (H, G·H)); split between BLAS threads, each
step ends in a barrier where the threads spin-wait on each other, which on a busy machine costs
more than the product. So BLAS runs on one thread inside the kernels (``one_blas_thread``), and
when it was allowed n ≥ 2 threads the kernels use them another way: the rows of a batch are
independent sequences, so the batch is cut into n parts (``batch_parts``, at least
``MIN_PART_ROWS`` rows each) and each part runs steps 1–3 on its own thread, start to end, with no
synchronization until the join; step 4 is cut along time into n blocks of steps whose partial
sums are added. One thread (``OPENBLAS_NUM_THREADS=1``) means one part: all on the calling thread.

The readable per-step cells built from autograd ops are in ``recurrent_reference.py``; the tests
hold these kernels equal to them. The gate math of one step is a plain NumPy function here
(``lstm_step_forward`` …); for float32 the same function compiled with Numba runs when Numba is
installed (``recurrent_numba.py``, one fused pass instead of a dozen ufuncs), and the tests hold the
two equal. Sigmoids are computed as σ(a) = ½ tanh(a/2) + ½: the halving is folded into the weights
(exact in floating point), so one ``tanh`` call covers all gates.

Tensors are time-major: x (T, B, I), states (B, H). The output of a kernel is one array that packs
the per-step outputs and the final states, ``[h_1 … h_T, h_n]`` (LSTM: ``[…, h_n, c_n]``), shape
(T + 1 or T + 2, B, H); the layer slices it. With ``lengths`` (one per batch row, padded batches),
row b is updated only at steps t < lengths[b], its outputs past its length are 0 and its final
state is the one at its last step; ``reverse`` runs the direction from each row's last step back.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ...autograd import Function
from ...backends import compiled
from . import recurrent_numba as compiled_steps
from ...backends.threads import blas_thread_count, one_blas_thread


def keep_masks(lengths, steps: int, dtype) -> np.ndarray | None:
    """(T, B, 1) masks m_t = [t < length_b], or None when every row has the full length."""
    if lengths is None:
        return None
    lengths = np.asarray(lengths)
    if np.all(lengths == steps):
        return None
    return (np.arange(steps)[:, None] < lengths[None, :]).astype(dtype)[:, :, None]


def keep_rows(keep, steps: int, batch: int, dtype) -> np.ndarray:
    """(T, B) live-row masks for the compiled steps (all ones without lengths)."""
    return np.ones((steps, batch), dtype=dtype) if keep is None else keep[:, :, 0]


def time_steps(steps: int, reverse: bool):
    """(t, slot of the state entering step t, slot of the state leaving it) in processing order.

    States live in one (T + 1, B, H) array: forward, slot 0 holds h_0 and slot t+1 the state after
    step t; reverse, slot T holds h_0 and slot t the state after step t. So the outputs and the
    inputs to W_hh are always the contiguous slices ``states[out_slots]`` and ``states[in_slots]``.
    """
    if reverse:
        return [(t, t + 1, t) for t in range(steps - 1, -1, -1)]
    return [(t, t, t + 1) for t in range(steps)]


def slots(steps: int, reverse: bool) -> tuple[slice, slice, int]:
    """(input-state slice, output-state slice, final slot) of the (T + 1, B, H) state array."""
    if reverse:
        return slice(1, steps + 1), slice(0, steps), 0
    return slice(0, steps), slice(1, steps + 1), steps


MIN_PART_ROWS = 16  # batch rows per thread: with fewer, the per-step products run far below speed
_pool = None


def batch_parts(batch: int) -> list[slice]:
    """The batch rows cut into as many parts as BLAS may use threads (ask before ``one_blas_thread``)."""
    parts = max(1, min(blas_thread_count(), os.cpu_count() or 1, batch // MIN_PART_ROWS))
    return [slice(batch * k // parts, batch * (k + 1) // parts) for k in range(parts)]


def over_batch_parts(run, batch: int) -> int:
    """run(rows) for each part of the batch (``batch_parts``), each on its own thread with one BLAS
    thread; returns the number of parts."""
    parts = batch_parts(batch)
    with one_blas_thread():
        in_parallel(run, parts)
    return len(parts)


def in_parallel(work, parts: list) -> list:
    """[work(part) for part in parts], the first on this thread and the others on helper threads."""
    global _pool
    if len(parts) > 1 and _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1),
                                   thread_name_prefix="glassnet-recurrent")
    futures = [_pool.submit(work, part) for part in parts[1:]]
    return [work(parts[0])] + [future.result() for future in futures]


def _forget_pool() -> None:
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool)  # a forked child has no helper threads


def project_inputs(x: np.ndarray, w_ih: np.ndarray, bias: np.ndarray, out: np.ndarray, rows: slice) -> None:
    """out[:, rows] = x[:, rows] W_ihᵀ + b: every step's input projection, (T, b, I) → (T, b, G·H)."""
    np.matmul(x[:, rows], w_ih.T, out=out[:, rows])
    out[:, rows] += bias


def half_scaled(weight: np.ndarray, hidden: int, sigmoid_blocks) -> np.ndarray:
    """Copy of a (G·H, ·) weight (or bias) whose sigmoid gate blocks are halved: σ(a) = ½tanh(a/2)+½."""
    scaled = weight.copy()
    for k in sigmoid_blocks:
        scaled[k * hidden:(k + 1) * hidden] *= 0.5
    return scaled


def pack(states: np.ndarray, keep, reverse: bool, *finals) -> np.ndarray:
    """[outputs (T, B, H), final states…] as one (T + len(finals), B, H) array."""
    steps = states.shape[0] - 1
    _, out_slots, _ = slots(steps, reverse)
    packed = np.empty((steps + len(finals),) + states.shape[1:], dtype=states.dtype)
    if keep is None:
        packed[:steps] = states[out_slots]
    else:
        np.multiply(states[out_slots], keep, out=packed[:steps])  # padded steps output 0
    for k, final in enumerate(finals):
        packed[steps + k] = final
    return packed


def input_and_weight_grads(ctx, d_x_gates: np.ndarray, d_h_gates: np.ndarray, states: np.ndarray,
                           threads: int) -> tuple:
    """∂L/∂x, ∂L/∂W_ih, ∂L/∂W_hh, ∂L/∂b_ih, ∂L/∂b_hh from the per-step gate gradients, one GEMM each
    per block of steps (``threads`` blocks, on as many threads with one BLAS thread each, partial sums
    added).

    ``d_x_gates`` (T, B, G) is ∂L/∂(x W_ihᵀ + b_ih) and ``d_h_gates`` ∂L/∂(h W_hhᵀ + b_hh) (the same
    array for LSTM and plain RNN, where both enter the gates as a sum).
    """
    steps, batch, width = d_x_gates.shape
    need_x, need_w_ih, need_w_hh, need_b_ih, need_b_hh = ctx.needs_input_grad[:5]
    grad_x = np.empty(ctx.x.shape, dtype=d_x_gates.dtype) if need_x else None
    in_slots, _, _ = slots(steps, ctx.reverse)
    h_in = states[in_slots]

    def block(times: slice) -> list:
        d_x = d_x_gates[times].reshape(-1, width)
        d_h = d_h_gates[times].reshape(-1, width)
        if need_x:
            np.matmul(d_x, ctx.w_ih, out=grad_x[times].reshape(len(d_x), -1))
        sum_x = d_x.sum(axis=0) if need_b_ih or need_b_hh else None
        same = d_h_gates is d_x_gates  # LSTM, RNN: b_hh's sum is b_ih's
        x_rows = ctx.x[times].reshape(len(d_x), -1)
        return [np.ascontiguousarray((x_rows.T @ d_x).T) if need_w_ih else None,  # (xᵀδ)ᵀ: faster than δᵀx
                d_h.T @ h_in[times].reshape(len(d_h), -1) if need_w_hh else None,
                sum_x if need_b_ih else None,
                (sum_x.copy() if same else d_h.sum(axis=0)) if need_b_hh else None]

    parts = min(threads, steps)
    with one_blas_thread():
        blocks = in_parallel(block, [slice(steps * k // parts, steps * (k + 1) // parts) for k in range(parts)])
    sums = [None if first is None else sum(rest, start=first) for first, *rest in zip(*blocks)]
    return (grad_x, *sums)


def _carry(d_state: np.ndarray, keep_t, d_through_cell: np.ndarray) -> np.ndarray:
    """Gradient reaching the previous state: through the cell, plus, on padded steps (where the
    state was carried over unchanged), the incoming gradient itself."""
    if keep_t is None:
        return d_through_cell
    return d_through_cell + d_state * (1 - keep_t)


class RNNSequence(Function):
    """Elman RNN over a sequence:  h_t = f(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh),  f = tanh or relu.

    BPTT:  δ_t = (∂L/∂h_t) ⊙ f'(·)  with  ∂L/∂h_t = g_t + δ_{t+1} W_hh.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, h0, lengths=None, reverse=False, nonlinearity="tanh"):
        steps, batch, _ = x.shape
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.reverse, ctx.relu = x, w_ih, w_hh, reverse, nonlinearity == "relu"
        ctx.keep = keep = keep_masks(lengths, steps, x.dtype)
        states = np.empty((steps + 1,) + h0.shape, dtype=x.dtype)
        states[steps if reverse else 0] = h0
        xw = np.empty((steps, batch, w_hh.shape[0]), dtype=x.dtype)
        w_hh_t, bias = np.ascontiguousarray(w_hh.T), b_ih + b_hh

        def run(r: slice) -> None:
            project_inputs(x, w_ih, bias, xw, r)
            for t, i, o in time_steps(steps, reverse):
                h = np.matmul(states[i, r], w_hh_t, out=states[o, r])
                h += xw[t, r]
                np.maximum(h, 0, out=h) if ctx.relu else np.tanh(h, out=h)
                if keep is not None:
                    h *= keep[t, r]
                    h += states[i, r] * (1 - keep[t, r])

        over_batch_parts(run, batch)
        ctx.states = states
        return pack(states, keep, reverse, states[slots(steps, reverse)[2]])

    @staticmethod
    def backward(ctx, g):
        states, keep = ctx.states, ctx.keep
        steps = states.shape[0] - 1
        d_out = g[:steps] * keep if keep is not None else g[:steps]
        d_pre = np.empty((steps,) + states.shape[1:], dtype=g.dtype)
        d_h0 = np.empty_like(g[steps])

        def run(r: slice) -> None:
            d_h = g[steps, r].copy()
            for t, i, o in reversed(time_steps(steps, ctx.reverse)):
                d_h += d_out[t, r]
                d = d_pre[t, r]
                h = states[o, r]
                if ctx.relu:
                    np.multiply(d_h, h > 0, out=d)
                else:
                    np.multiply(h, h, out=d)
                    np.subtract(1, d, out=d)
                    d *= d_h
                if keep is not None:
                    d *= keep[t, r]
                d_h = _carry(d_h, None if keep is None else keep[t, r], d @ ctx.w_hh)
            d_h0[r] = d_h

        parts = over_batch_parts(run, len(d_h0))
        grads = input_and_weight_grads(ctx, d_pre, d_pre, states, parts)
        return grads + (d_h0,)


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


def _steps_for(x: np.ndarray, numpy_step, compiled_name: str):
    """The compiled step for float32 when the compiled kernels are on, else the NumPy one."""
    if compiled.active() and x.dtype == np.float32:
        return getattr(compiled_steps, compiled_name)
    return numpy_step


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
        steps, batch, _ = x.shape
        hidden = h0.shape[-1]
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.reverse = x, w_ih, w_hh, reverse
        ctx.keep = keep = keep_masks(lengths, steps, x.dtype)
        sig = (0, 1, 3)
        w_ih_half, bias_half = half_scaled(w_ih, hidden, sig), half_scaled(b_ih + b_hh, hidden, sig)
        w_hh_t = np.ascontiguousarray(half_scaled(w_hh, hidden, sig).T)  # (H, G·H): h W_hhᵀ as an NN GEMM

        gates = np.empty((steps, batch, 4 * hidden), dtype=x.dtype)  # input projections, then gates
        states = np.empty((steps + 1, batch, hidden), dtype=x.dtype)
        cells = np.empty_like(states)
        tanh_c = np.empty((steps, batch, hidden), dtype=x.dtype)
        first = steps if reverse else 0
        states[first], cells[first] = h0, c0
        rows = keep_rows(keep, steps, batch, x.dtype)
        step = _steps_for(x, lstm_step_forward, "lstm_step_forward")

        def run(r: slice) -> None:
            project_inputs(x, w_ih_half, bias_half, gates, r)
            hw = np.empty((r.stop - r.start, 4 * hidden), dtype=x.dtype)
            for t, i, o in time_steps(steps, reverse):
                np.matmul(states[i, r], w_hh_t, out=hw)
                step(gates[t, r], hw, states[i, r], cells[i, r], states[o, r], cells[o, r], tanh_c[t, r],
                     rows[t, r])

        over_batch_parts(run, batch)
        ctx.states, ctx.cells, ctx.tanh_c, ctx.gates, ctx.rows = states, cells, tanh_c, gates, rows
        final = slots(steps, reverse)[2]
        return pack(states, keep, reverse, states[final], cells[final])

    @staticmethod
    def backward(ctx, g):
        states, cells, tanh_c, gates, keep = ctx.states, ctx.cells, ctx.tanh_c, ctx.gates, ctx.keep
        steps = tanh_c.shape[0]
        d_out = g[:steps] * keep if keep is not None else g[:steps]
        d_gates = np.empty_like(gates)
        d_h0, d_c0 = g[steps].copy(), g[steps + 1].copy()  # ∂L/∂h_T, ∂L/∂c_T, carried back to step 0
        step = _steps_for(g, lstm_step_backward, "lstm_step_backward")

        def run(r: slice) -> None:
            d_h, d_c = d_h0[r], d_c0[r]
            through_w_hh = np.empty_like(d_h)
            for t, i, o in reversed(time_steps(steps, ctx.reverse)):
                d_h += d_out[t, r]
                step(gates[t, r], tanh_c[t, r], cells[i, r], d_h, d_c, d_gates[t, r], ctx.rows[t, r])
                d_h += np.matmul(d_gates[t, r], ctx.w_hh, out=through_w_hh)

        parts = over_batch_parts(run, len(d_h0))
        grads = input_and_weight_grads(ctx, d_gates, d_gates, states, parts)
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
        steps, batch, _ = x.shape
        hidden = h0.shape[-1]
        ctx.x, ctx.w_ih, ctx.w_hh, ctx.reverse = x, w_ih, w_hh, reverse
        ctx.keep = keep = keep_masks(lengths, steps, x.dtype)
        sig = (0, 1)
        bias = b_ih.copy()
        bias[:2 * hidden] += b_hh[:2 * hidden]  # b_hn stays inside r ⊙ (…)
        w_ih_half, bias_half = half_scaled(w_ih, hidden, sig), half_scaled(bias, hidden, sig)
        w_hh_t = np.ascontiguousarray(half_scaled(w_hh, hidden, sig).T)  # (H, G·H): h W_hhᵀ as an NN GEMM
        b_hn = b_hh[2 * hidden:]

        xw = np.empty((steps, batch, 3 * hidden), dtype=x.dtype)
        states = np.empty((steps + 1, batch, hidden), dtype=x.dtype)
        rz = np.empty((steps, batch, 2 * hidden), dtype=x.dtype)
        new = np.empty((steps, batch, hidden), dtype=x.dtype)
        hw_n = np.empty_like(new)
        states[steps if reverse else 0] = h0
        rows = keep_rows(keep, steps, batch, x.dtype)
        step = _steps_for(x, gru_step_forward, "gru_step_forward")

        def run(r: slice) -> None:
            project_inputs(x, w_ih_half, bias_half, xw, r)
            hw = np.empty((r.stop - r.start, 3 * hidden), dtype=x.dtype)
            for t, i, o in time_steps(steps, reverse):
                np.matmul(states[i, r], w_hh_t, out=hw)
                step(hw, xw[t, r], b_hn, states[i, r], rz[t, r], new[t, r], hw_n[t, r], states[o, r],
                     rows[t, r])

        over_batch_parts(run, batch)
        ctx.states, ctx.rz, ctx.new, ctx.hw_n, ctx.rows = states, rz, new, hw_n, rows
        return pack(states, keep, reverse, states[slots(steps, reverse)[2]])

    @staticmethod
    def backward(ctx, g):
        states, keep = ctx.states, ctx.keep
        steps, batch, hidden = ctx.new.shape
        d_out = g[:steps] * keep if keep is not None else g[:steps]
        d_h0 = g[steps].copy()  # ∂L/∂h_T, carried back to step 0
        d_x_gates = np.empty((steps, batch, 3 * hidden), dtype=g.dtype)
        d_h_gates = np.empty_like(d_x_gates)
        step = _steps_for(g, gru_step_backward, "gru_step_backward")

        def run(r: slice) -> None:
            d_h = d_h0[r]
            through_w_hh = np.empty_like(d_h)
            for t, i, o in reversed(time_steps(steps, ctx.reverse)):
                d_h += d_out[t, r]
                step(ctx.rz[t, r], ctx.new[t, r], ctx.hw_n[t, r], states[i, r], d_h, d_x_gates[t, r],
                     d_h_gates[t, r], ctx.rows[t, r])
                d_h += np.matmul(d_h_gates[t, r], ctx.w_hh, out=through_w_hh)

        parts = over_batch_parts(run, batch)
        grads = input_and_weight_grads(ctx, d_x_gates, d_h_gates, states, parts)
        return grads + (d_h0,)
