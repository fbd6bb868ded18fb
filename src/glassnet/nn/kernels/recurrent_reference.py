"""Reference recurrent cells, one time step each, written with ordinary autograd ops.

This is the version to read: the equations of the lectures, line by line. ``RNNCell``, ``LSTMCell``
and ``GRUCell`` run these; ``run_reference`` loops a cell over a sequence the way the fused kernels
in ``recurrent.py`` do (same ``lengths`` and ``reverse`` semantics, same packed result), and the
tests hold the two equal. Autograd then does back-propagation through time by itself.
"""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor, stack, where
from ..functional import linear


def _blocks(gates: Tensor, count: int) -> list[Tensor]:
    hidden = gates.shape[-1] // count
    return [gates[..., k * hidden:(k + 1) * hidden] for k in range(count)]


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), f = tanh or relu."""
    pre = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre * (pre._array > 0)


def lstm_cell(x, state, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') from (h, c): gates i, f, g, o; c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c')."""
    h, c = state
    i, f, g, o = _blocks(linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh), 4)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None):
    """r, z = σ(…); n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h."""
    x_r, x_z, x_n = _blocks(linear(x, w_ih, b_ih), 3)
    h_r, h_z, h_n = _blocks(linear(h, w_hh, b_hh), 3)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def run_reference(mode: str, x, weights, state, lengths=None, reverse=False, nonlinearity="tanh"):
    """Loop one cell over x (T, B, I) from ``state`` (h, or (h, c) for LSTM).

    Returns the fused kernels' packed result: outputs (T, B, H) stacked with the final state(s).
    A row b past its length keeps its state and outputs 0.
    """
    steps = x.shape[0]
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    outputs = [None] * steps
    for t in order:
        if mode == "LSTM":
            new = lstm_cell(x[t], state, *weights)
        elif mode == "GRU":
            new = gru_cell(x[t], state, *weights)
        else:
            new = rnn_cell(x[t], state, *weights, nonlinearity=nonlinearity)
        if lengths is not None:
            keep = (t < np.asarray(lengths))[:, None]
            new = tuple(where(keep, n, s) for n, s in zip(new, state)) if mode == "LSTM" \
                else where(keep, new, state)
        state = new
        h = state[0] if mode == "LSTM" else state
        outputs[t] = h if lengths is None else h * keep
    finals = list(state) if mode == "LSTM" else [state]
    return stack(outputs + finals)
