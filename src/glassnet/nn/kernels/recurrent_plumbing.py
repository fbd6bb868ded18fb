"""The plumbing of the fused recurrent kernels (``recurrent.py``): time order, padded rows, batch
parts on threads, packing, and the products that do not depend on the recurrence.

Threads. The per-step products are small ((B, H) by (H, G·H)); split between BLAS threads, each
step ends in a barrier where the threads spin-wait on each other, which on a busy machine costs
more than the product. So BLAS runs on one thread inside the kernels (``one_blas_thread``), and
when it was allowed n ≥ 2 threads the kernels use them another way: the rows of a batch are
independent sequences, so the batch is cut into n parts (``batch_parts``, at least
``MIN_PART_ROWS`` rows each) and each part runs its input projection and its whole time loop on
its own thread, start to end, with no synchronization until the join (the compiled loops let go
of the GIL for the whole loop); the weight gradients are cut along time into n blocks of steps
whose partial sums are added. One thread (``OPENBLAS_NUM_THREADS=1``) means one part.

Layout. Tensors are time-major: x (T, B, I), states (B, H). States live in one (T + 1, B, H)
array (see ``time_order``), so the outputs and the inputs to W_hh are contiguous slices of it.
The output of a kernel is one array that packs the per-step outputs and the final states,
``[h_1 … h_T, h_n]`` (LSTM: ``[…, h_n, c_n]``), shape (T + 1 or T + 2, B, H); the layer slices it.
With ``lengths`` (one per batch row, padded batches), row b is updated only at steps t < lengths[b],
its outputs past its length are 0 and its final state is the one at its last step.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

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
    """(T, B) live-row masks for the step functions (all ones without lengths)."""
    return np.ones((steps, batch), dtype=dtype) if keep is None else np.ascontiguousarray(keep[:, :, 0])


def time_order(steps: int, reverse: bool) -> np.ndarray:
    """(T, 3) rows (t, slot of the state entering step t, slot of the state leaving it), in the
    order the steps run. Forward, slot 0 holds h_0 and slot t+1 the state after step t; reverse,
    slot T holds h_0 and slot t the state after step t. Back-propagation reads it from the end."""
    t = np.arange(steps)
    if reverse:
        return np.stack([t, t + 1, t], axis=1)[::-1].copy()
    return np.stack([t, t, t + 1], axis=1)


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


def output_grads(g: np.ndarray, keep, steps: int) -> np.ndarray:
    """∂L/∂h_t from the outputs (T, B, H), zero on padded steps, contiguous for the loops."""
    return np.ascontiguousarray(g[:steps]) if keep is None else g[:steps] * keep


def input_and_weight_grads(ctx, d_x_gates: np.ndarray, d_h_gates: np.ndarray, states: np.ndarray,
                           threads: int) -> tuple:
    """∂L/∂x, ∂L/∂W_ih, ∂L/∂W_hh, ∂L/∂b_ih, ∂L/∂b_hh from the per-step gate gradients, one GEMM each
    per block of steps (``threads`` blocks, on as many threads with one BLAS thread each, partial sums
    added):  ∂L/∂W_ih = Σ_t δ_tᵀ x_t,  ∂L/∂W_hh = Σ_t δ_tᵀ h_{t-1},  ∂L/∂x = δ W_ih.

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
