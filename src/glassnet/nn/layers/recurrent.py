"""Recurrent layers: RNN, LSTM, GRU (whole sequences, fused kernels) and RNNCell, LSTMCell, GRUCell.

The lectures' recurrence h_t = f(h_{t-1}, x_t), with the same weights at every step (weight
sharing over time). Parameter names, shapes, gate orders and initialization are PyTorch's, so
``state_dict``s copy across both ways:

    weight_ih_l{k}[_reverse]  (G·hidden, input)      weight_hh_l{k}[_reverse]  (G·hidden, hidden)
    bias_ih_l{k}[_reverse]    (G·hidden,)             bias_hh_l{k}[_reverse]    (G·hidden,)

with G = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n), all drawn from U(−1/√hidden, 1/√hidden).

Variable-length batches: pass ``lengths`` (one int per batch row) to ``forward`` instead of packing.
It behaves like ``pack_padded_sequence`` → layer → ``pad_packed_sequence``: row b is read only for
t < lengths[b], its outputs past that are 0, h_n (and c_n) hold the state at its own last step, and
the reverse direction of a bidirectional layer starts at that last step.
"""
from __future__ import annotations

import math

import numpy as np

from ...autograd import Tensor, as_array, as_tensor, cat, stack
from .. import functional as F
from .. import init
from ..kernels.recurrent import GRUSequence, LSTMSequence, RNNSequence
from ..kernels.recurrent_reference import gru_cell, lstm_cell, rnn_cell
from ..module import LayerInputError, Module, Parameter
from .linear import as_float_input

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _shape(t) -> tuple:
    return tuple(np.shape(as_array(t)))


def _check_state(module, state, expected: tuple, name: str):
    """The initial state as a Tensor of the layer's dtype, or an error naming the shapes."""
    state = as_float_input(module, state, module.weight_dtype)
    if state.shape != expected:
        raise LayerInputError(module, f"expects {name} of shape {expected}, got {_shape(state)}")
    return state


class RNNBase(Module):
    """Multi-layer, optionally bidirectional recurrence over whole sequences (one fused kernel per
    layer and direction; see ``nn/kernels/recurrent.py``)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype=np.float32, rng=None):
        super().__init__()
        if input_size <= 0 or hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{type(self).__name__} needs positive sizes, got input_size={input_size}, "
                             f"hidden_size={hidden_size}, num_layers={num_layers}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be in [0, 1], got {dropout}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.rng = float(dropout), bidirectional, rng
        self.num_directions = 2 if bidirectional else 1
        width = GATES[mode] * hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                setattr(self, f"weight_ih{suffix}", Parameter(np.empty((width, layer_input), dtype=dtype)))
                setattr(self, f"weight_hh{suffix}", Parameter(np.empty((width, hidden_size), dtype=dtype)))
                if bias:
                    setattr(self, f"bias_ih{suffix}", Parameter(np.empty(width, dtype=dtype)))
                    setattr(self, f"bias_hh{suffix}", Parameter(np.empty(width, dtype=dtype)))
        self.reset_parameters()

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}", f"_l{layer}_reverse"][:self.num_directions]

    def reset_parameters(self) -> None:
        """PyTorch's init: every weight and bias ~ U(−1/√hidden, 1/√hidden)."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound, self.rng)

    @property
    def weight_dtype(self):
        return self.weight_ih_l0.dtype

    def _layer_weights(self, suffix: str) -> list:
        w_ih, w_hh = getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}")
        if self.bias:
            return [w_ih, w_hh, getattr(self, f"bias_ih{suffix}"), getattr(self, f"bias_hh{suffix}")]
        zeros = np.zeros(w_ih.shape[0], dtype=w_ih.dtype)
        return [w_ih, w_hh, zeros, zeros]

    def _check_input(self, x) -> tuple[Tensor, bool]:
        """(time-major (T, B, input_size) input, whether it came unbatched)."""
        x = as_float_input(self, x, self.weight_dtype)
        layout = "(B, T, input_size)" if self.batch_first else "(T, B, input_size)"
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise LayerInputError(self, f"expects input of shape {layout.replace('input_size', str(self.input_size))}"
                                        f" or (T, {self.input_size}), got {_shape(x)}")
        unbatched = x.ndim == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0:
            raise LayerInputError(self, f"got an empty sequence (input of shape {_shape(x)})")
        if x.shape[1] == 0:
            raise LayerInputError(self, f"got an empty batch (input of shape {_shape(x)})")
        return x, unbatched

    def _check_lengths(self, lengths, steps: int, batch: int):
        if lengths is None:
            return None
        lengths = as_array(lengths)
        if lengths.shape != (batch,) or not np.issubdtype(lengths.dtype, np.integer):
            raise LayerInputError(self, f"expects lengths as {batch} integers (one per sequence), "
                                        f"got {lengths.dtype} of shape {lengths.shape}")
        if lengths.min() < 1 or lengths.max() > steps:
            raise LayerInputError(self, f"expects lengths in [1, {steps}] for sequences of {steps} steps, "
                                        f"got min {lengths.min()}, max {lengths.max()}")
        return lengths

    def _initial_states(self, hx, batch: int, unbatched: bool) -> list:
        """[h_0] or [h_0, c_0], each (layers · directions, B, hidden), as Tensors or zero arrays."""
        count = 2 if self.mode == "LSTM" else 1
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        if hx is None:
            return [np.zeros(shape, dtype=self.weight_dtype)] * count
        states = list(hx) if count == 2 else [hx]
        if count == 2 and len(states) != 2:
            raise LayerInputError(self, "expects the initial state as a tuple (h_0, c_0)")
        names = ["h_0", "c_0"]
        expected = (shape[0], shape[2]) if unbatched else shape
        states = [_check_state(self, s, expected, name) for s, name in zip(states, names)]
        return [s.unsqueeze(1) for s in states] if unbatched else states

    def _run_direction(self, x, suffix: str, states: list, lengths, reverse: bool) -> Tensor:
        weights = self._layer_weights(suffix)
        if self.mode == "LSTM":
            return LSTMSequence.apply(x, *weights, *states, lengths=lengths, reverse=reverse)
        if self.mode == "GRU":
            return GRUSequence.apply(x, *weights, *states, lengths=lengths, reverse=reverse)
        return RNNSequence.apply(x, *weights, *states, lengths=lengths, reverse=reverse,
                                 nonlinearity="relu" if self.mode == "RNN_RELU" else "tanh")

    def forward(self, input, hx=None, lengths=None):
        """input (T, B, input_size) (or (B, T, ·) with batch_first, or unbatched (T, ·)); ``hx`` the
        initial state(s) (layers · directions, B, hidden), zeros if None; ``lengths`` see the module doc.

        Returns ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``), output (T, B, directions · hidden).
        """
        x, unbatched = self._check_input(input)
        steps, batch = x.shape[:2]
        lengths = self._check_lengths(lengths, steps, batch)
        initial = self._initial_states(hx, batch, unbatched)
        finals = [[] for _ in initial]
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                index = layer * self.num_directions + direction
                packed = self._run_direction(x, suffix, [s[index] for s in initial], lengths,
                                             reverse=direction == 1)
                # packed = [outputs (T rows), h_n (, c_n)]: indexed from the end, so that a traced
                # (exported) graph does not depend on T
                outputs.append(packed[:-len(finals)])
                for k, final in enumerate(finals):
                    final.append(packed[k - len(finals)])
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True, self.rng)
        states = [stack(final) for final in finals]
        if unbatched:
            x, states = x.squeeze(1), [s.squeeze(1) for s in states]
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (tuple(states) if self.mode == "LSTM" else states[0])

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype=np.float32, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, dtype, rng)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: input, forget and output gates around a cell state c_t (gates i, f, g, o)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=np.float32, rng=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype, rng)


class GRU(RNNBase):
    """Gated recurrent unit: reset and update gates (r, z) and candidate n."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=np.float32, rng=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype, rng)


class RNNCellBase(Module):
    """One time step; weights ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` as PyTorch's cells."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32, rng=None):
        super().__init__()
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(f"{type(self).__name__} needs positive sizes, got input_size={input_size}, "
                             f"hidden_size={hidden_size}")
        self.input_size, self.hidden_size, self.bias, self.rng = input_size, hidden_size, bias, rng
        width = self.gates * hidden_size
        self.weight_ih = Parameter(np.empty((width, input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((width, hidden_size), dtype=dtype))
        self.register_parameter("bias_ih", Parameter(np.empty(width, dtype=dtype)) if bias else None)
        self.register_parameter("bias_hh", Parameter(np.empty(width, dtype=dtype)) if bias else None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    @property
    def weight_dtype(self):
        return self.weight_ih.dtype

    def _weights(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _check(self, x, states, count: int):
        """(input (B, input_size), states (B, hidden) or zeros, whether unbatched)."""
        x = as_float_input(self, x, self.weight_dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise LayerInputError(self, f"expects input of shape (B, {self.input_size}) or "
                                        f"({self.input_size},), got {_shape(x)}")
        unbatched = x.ndim == 1
        if unbatched:
            x = x.unsqueeze(0)
        shape = (x.shape[0], self.hidden_size)
        if states is None:
            return x, [as_tensor(np.zeros(shape, dtype=self.weight_dtype))] * count, unbatched
        states = list(states) if count == 2 else [states]
        expected = shape[1:] if unbatched else shape
        states = [_check_state(self, s, expected, name) for s, name in zip(states, ("hx", "cx"))]
        return x, [s.unsqueeze(0) if unbatched else s for s in states], unbatched

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype=np.float32, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, dtype, rng)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._check(input, hx, 1)
        h = rnn_cell(x, h, *self._weights(), nonlinearity=self.nonlinearity)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """(h', c') = LSTM step from (h, c), gates i, f, g, o."""

    gates = 4

    def forward(self, input, hx=None):
        x, state, unbatched = self._check(input, hx, 2)
        h, c = lstm_cell(x, state, *self._weights())
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """h' = GRU step from h, gates r, z, n."""

    gates = 3

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._check(input, hx, 1)
        h = gru_cell(x, h, *self._weights())
        return h.squeeze(0) if unbatched else h
