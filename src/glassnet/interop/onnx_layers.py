"""ONNX translations of the convolution, pooling, resampling, normalization, embedding, recurrent and GELU
Functions (registered with the exporter when ``glassnet.interop`` is imported)."""
from __future__ import annotations

import numpy as np

from .onnx_export import register_onnx_converter


def _conv(node, graph):
    ctx = node.ctx
    kernel, stride, dilation = ctx.options
    (top, bottom), (left, right) = ctx.padding
    graph.node("Conv", node.inputs, node.output, kernel_shape=list(kernel), strides=list(stride),
               dilations=list(dilation), pads=[top, left, bottom, right], group=int(ctx.w.shape[0]))


def _conv_transpose(node, graph):
    ctx = node.ctx
    kernel, stride, dilation = ctx.options
    (ph, pw) = ctx.padding
    graph.node("ConvTranspose", node.inputs, node.output, kernel_shape=list(kernel), strides=list(stride),
               dilations=list(dilation), pads=[ph, pw, ph, pw], output_padding=list(ctx.output_padding),
               group=int(ctx.wg.shape[0]))


def _max_pool(node, graph):
    kernel, stride, dilation = node.ctx.options
    ph, pw = node.ctx.padding
    graph.node("MaxPool", node.inputs, node.output, kernel_shape=list(kernel), strides=list(stride),
               dilations=list(dilation), pads=[ph, pw, ph, pw])


def _avg_pool(node, graph):
    kernel, stride = node.ctx.options
    ph, pw = node.ctx.padding
    graph.node("AveragePool", node.inputs, node.output, kernel_shape=list(kernel), strides=list(stride),
               pads=[ph, pw, ph, pw], count_include_pad=int(node.ctx.scale is None))


def _resample(node, graph):
    """y = A x Bᵀ with constant A, B (adaptive average pooling, nearest upsampling)."""
    rows = graph.const(node.ctx.rows.astype(node.dtype), "rows")
    cols_t = graph.const(np.ascontiguousarray(node.ctx.cols.T).astype(node.dtype), "cols_t")
    graph.node("MatMul", [graph.node("MatMul", [rows, node.inputs[0]]), cols_t], node.output)


def _normalize(node, graph):
    """(x − μ)/√(σ² + ε)·γ + β, with μ, σ² from the input (layer norm, training batch norm) or the
    running statistics as constants (batch norm in eval mode)."""
    ctx, x = node.ctx, node.inputs[0]
    if ctx.batch_stats:
        axes = [int(a) for a in np.atleast_1d(ctx.axes)]
        centered = graph.node("Sub", [x, graph.node("ReduceMean", [x], axes=axes, keepdims=1)])
        var = graph.node("ReduceMean", [graph.node("Mul", [centered, centered])], axes=axes, keepdims=1)
        eps = graph.const(np.asarray(ctx.eps, dtype=node.dtype), "eps")
        y = graph.node("Div", [centered, graph.node("Sqrt", [graph.node("Add", [var, eps])])])
    else:
        mean = graph.const(np.asarray(ctx.mean, dtype=node.dtype), "mean")
        inv_std = graph.const(np.asarray(ctx.inv_std, dtype=node.dtype), "inv_std")
        y = graph.node("Mul", [graph.node("Sub", [x, mean]), inv_std])
    if len(node.inputs) == 3:
        y = graph.node("Add", [graph.node("Mul", [y, node.inputs[1]]), node.inputs[2]])
    graph.node("Identity", [y], node.output)


def _embedding(node, graph):
    """y = W[idx], the indices read from the graph input they came from (else constants)."""
    indices = graph.array(node.ctx.indices, "indices", np.int64)
    graph.node("Gather", [node.inputs[0], indices], node.output, axis=0)


def _gelu(node, graph):
    """z·Φ(z) = ½ z (1 + erf(z/√2)), or with ``approximate='tanh'`` ½ z (1 + tanh(√(2/π)(z + 0.044715 z³)))."""
    z, approximate = node.inputs[0], node.ctx.approximate

    def const(value):
        return graph.const(np.asarray(value, dtype=node.dtype), "gelu")
    if approximate == "tanh":
        cubic = graph.node("Mul", [const(0.044715), graph.node("Mul", [z, graph.node("Mul", [z, z])])])
        inner = graph.node("Mul", [const(np.sqrt(2 / np.pi)), graph.node("Add", [z, cubic])])
        shape = graph.node("Tanh", [inner])
    else:
        shape = graph.node("Erf", [graph.node("Mul", [z, const(1 / np.sqrt(2))])])
    half = graph.node("Mul", [const(0.5), graph.node("Add", [shape, const(1.0)])])
    graph.node("Mul", [z, half], node.output)


# PyTorch's gate blocks -> ONNX's: LSTM (i, f, g, o) -> (i, o, f, c); GRU (r, z, n) -> (z, r, h)
GATE_ORDER = {"LSTMSequence": (0, 3, 1, 2), "GRUSequence": (1, 0, 2), "RNNSequence": (0,)}
ONNX_OP = {"LSTMSequence": "LSTM", "GRUSequence": "GRU", "RNNSequence": "RNN"}


def _is_zero_constant(tensor) -> bool:
    """An initial state the layer filled with zeros itself (so it needs no fixed batch size)."""
    return tensor._ctx is None and not tensor.requires_grad and not np.any(tensor._array)


def _recurrent(node, graph):
    """One direction of RNN/LSTM/GRU over a sequence as ONNX's RNN/LSTM/GRU op; the Function's packed
    output [outputs (T, B, H), h_n (, c_n)] is rebuilt with Squeeze and Concat. The layer indexes
    that packed array from its end, so both the sequence length and the batch size may vary."""
    ctx, kind = node.ctx, type(node.ctx).__name__
    if ctx.keep is not None:
        raise TypeError("ONNX export: recurrent layers with per-sequence lengths are not exported; "
                        "export the model on equal-length sequences")
    w_ih, w_hh, b_ih, b_hh = (t._array for t in ctx.inputs[1:5])
    order = GATE_ORDER[kind]

    def reorder(array):
        return np.concatenate([np.split(array, len(order))[k] for k in order])[None]
    weights = [graph.const(reorder(w).astype(node.dtype), name) for w, name in ((w_ih, "W"), (w_hh, "R"))]
    bias = graph.const(np.concatenate([reorder(b_ih), reorder(b_hh)], axis=1).astype(node.dtype), "B")
    axis0 = graph.const(np.array([0], np.int64), "axes")
    count = 2 if kind == "LSTMSequence" else 1
    initial = ["" if _is_zero_constant(t) else graph.node("Unsqueeze", [name, axis0])  # zeros: ONNX's default
               for t, name in zip(ctx.inputs[5:5 + count], node.inputs[5:5 + count])]
    attributes = {"hidden_size": int(w_hh.shape[1]), "direction": "reverse" if ctx.reverse else "forward"}
    if kind == "GRUSequence":
        attributes["linear_before_reset"] = 1  # PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    if kind == "RNNSequence":
        attributes["activations"] = ["Relu" if ctx.relu else "Tanh"]
    outputs = [graph.fresh("y"), graph.fresh("h_n")] + ([graph.fresh("c_n")] if kind == "LSTMSequence" else [])
    graph.nodes.append(graph.helper.make_node(ONNX_OP[kind], [node.inputs[0], *weights, bias, "", *initial],
                                              outputs, **attributes))
    sequence = graph.node("Squeeze", [outputs[0], graph.const(np.array([1], np.int64), "axes")])
    graph.node("Concat", [sequence, *outputs[1:]], node.output, axis=0)


for name, convert in {"Conv2dFunction": _conv, "ConvTranspose2dFunction": _conv_transpose,
                      "MaxPool2dFunction": _max_pool, "AvgPool2dFunction": _avg_pool,
                      "Resample2d": _resample, "Normalize": _normalize, "EmbeddingFunction": _embedding,
                      "LSTMSequence": _recurrent, "GRUSequence": _recurrent, "RNNSequence": _recurrent,
                      "GELU": _gelu}.items():
    register_onnx_converter(name, convert)
