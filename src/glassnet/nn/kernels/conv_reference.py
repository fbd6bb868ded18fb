"""A convolution the way the lecture draws it: pad → im2col → one GEMM → (backward) col2im.

This is the version to read. ``nn.functional.conv2d`` computes the same numbers faster (window
matrices built a slice of the batch at a time in a channel-major layout, direct loops for few
channels: ``im2col.py``, ``conv_direct.py``); the tests hold it equal to this one.
x (N, C, H, W), weight (O, C, KH, KW), bias (O,); ``padding`` ((top, bottom), (left, right)).
"""
from __future__ import annotations

import numpy as np

from .im2col import col2im_reference, im2col_reference, output_size


def conv2d_forward(x, weight, bias, stride, padding, dilation) -> np.ndarray:
    """y = W · im2col(x̃) + b, with x̃ the zero-padded input; y (N, O, OH, OW)."""
    out_channels, _, kh, kw = weight.shape
    padded = np.pad(x, ((0, 0), (0, 0), *padding))                                  # 1. pad
    cols = im2col_reference(padded.transpose(1, 0, 2, 3), (kh, kw), stride, dilation)  # 2. (C·KH·KW, N·OH·OW)
    y = weight.reshape(out_channels, -1) @ cols                                      # 3. one GEMM
    if bias is not None:
        y += bias[:, None]
    oh, ow = (output_size(size, k, s, d) for size, k, s, d in zip(padded.shape[2:], (kh, kw), stride, dilation))
    return y.reshape(out_channels, len(x), oh, ow).transpose(1, 0, 2, 3)


def conv2d_backward(g, x, weight, stride, padding, dilation) -> tuple:
    """(∂L/∂x, ∂L/∂W, ∂L/∂b) from g = ∂L/∂y (N, O, OH, OW):
    ∂L/∂W = G · im2col(x̃)ᵀ,  ∂L/∂b = Σ G,  ∂L/∂x = col2im(Wᵀ · G) without the padding."""
    out_channels, _, kh, kw = weight.shape
    padded = np.pad(x, ((0, 0), (0, 0), *padding)).transpose(1, 0, 2, 3)             # (C, N, H̃, W̃)
    cols = im2col_reference(padded, (kh, kw), stride, dilation)
    g_rows = g.transpose(1, 0, 2, 3).reshape(out_channels, -1)                        # G: (O, N·OH·OW)
    grad_w = (g_rows @ cols.T).reshape(weight.shape)
    grad_b = g_rows.sum(axis=1)
    grad_padded = col2im_reference(weight.reshape(out_channels, -1).T @ g_rows, padded.shape, (kh, kw), stride,
                                   dilation)                                         # 4. col2im
    (top, _), (left, _) = padding
    grad_x = grad_padded[:, :, top: top + x.shape[2], left: left + x.shape[3]].transpose(1, 0, 2, 3)
    return grad_x, grad_w, grad_b
