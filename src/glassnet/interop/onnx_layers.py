"""ONNX translations of the convolution, pooling, resampling and normalization Functions
(registered with the exporter when ``glassnet.interop`` is imported)."""
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


for name, convert in {"Conv2dFunction": _conv, "ConvTranspose2dFunction": _conv_transpose,
                      "MaxPool2dFunction": _max_pool, "AvgPool2dFunction": _avg_pool,
                      "Resample2d": _resample, "Normalize": _normalize}.items():
    register_onnx_converter(name, convert)
