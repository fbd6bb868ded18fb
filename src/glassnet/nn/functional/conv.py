"""Convolutions as ``Function``s: conv1d, conv2d (cross-correlation, as networks use it) and
conv_transpose2d, with PyTorch's arguments (stride, padding int/tuple/'same'/'valid', dilation,
groups, output_padding) and weight shapes.

Inputs and outputs are (N, C, H, W) arrays; the outputs are views of channels-last memory, which the
next convolution or pooling reads without a transpose (see ``nn.kernels.im2col`` for why).
Groups split the channels into G independent convolutions: the GEMMs run as one batched ``matmul``
over a (G, rows, columns) stack of views.
"""
from __future__ import annotations

import numpy as np

from ...autograd import Function, Tensor
from ..kernels.im2col import col2im, im2col, output_size


def pair(value, name: str = "value") -> tuple:
    """(a, b) from an int or a 2-sequence (PyTorch's ``_pair``)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value}")
    return value


def conv_padding(padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """((top, bottom), (left, right)) from an int, a pair, 'valid' (none) or 'same' (output size =
    input size: d·(k-1) zeros in all, the odd one at the end, as PyTorch; needs stride 1)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"padding must be an int, a tuple, 'same' or 'valid', got '{padding}'")
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1, got stride {stride}")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    return (ph, ph), (pw, pw)


def check_conv(x_shape: tuple, weight_shape: tuple, padding: tuple, dilation: tuple, groups: int) -> str | None:
    """Why this input cannot go through the convolution (1-D or 2-D, from the weight's shape), or None."""
    spatial = len(weight_shape) - 2
    channels = weight_shape[1] * groups
    expected = f"(N, {channels}, {'L' if spatial == 1 else 'H, W'})"
    if len(x_shape) != spatial + 2:
        return f"expects a {spatial + 2}-D input {expected}, got {len(x_shape)}-D {tuple(x_shape)}"
    if x_shape[1] != channels:
        return (f"expects {channels} input channels {expected} for weight {tuple(weight_shape)}, "
                f"got input {tuple(x_shape)}")
    for size, k, (before, after), d in zip(x_shape[2:], weight_shape[2:], padding, dilation):
        span = d * (k - 1) + 1
        if size + before + after < span:
            kernel = "x".join(map(str, weight_shape[2:]))
            return (f"has a {kernel} kernel (dilated span {span}) larger than the padded input: input "
                    f"{tuple(x_shape)}, padding {tuple(padding)}")
    return None


def _check_positive(stride: tuple, dilation: tuple, groups: int) -> None:
    if min(stride) < 1 or min(dilation) < 1 or groups < 1:
        raise ValueError(f"stride, dilation and groups must be >= 1, got stride={stride}, "
                         f"dilation={dilation}, groups={groups}")


def _channels_last(x: np.ndarray, padding: tuple) -> np.ndarray:
    """(N, C, H, W) -> zero-padded (N, H, W, C); the padded copy is contiguous, else a view."""
    x = x.transpose(0, 2, 3, 1)
    if any(padding[0]) or any(padding[1]):
        return np.pad(x, ((0, 0), *padding, (0, 0)))
    return x


def _groups(matrix: np.ndarray, groups: int) -> np.ndarray:
    """(rows, G·k) -> (G, rows, k) view: one block of columns per group."""
    rows, columns = matrix.shape
    return matrix.reshape(rows, groups, columns // groups).transpose(1, 0, 2)


def _ungroup(stack: np.ndarray) -> np.ndarray:
    """(G, rows, k) -> (rows, G·k); a view when G = 1."""
    groups, rows, k = stack.shape
    return stack.transpose(1, 0, 2).reshape(rows, groups * k)


class Conv2dFunction(Function):
    """y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x̃[n, c, i·s+p·d, j·s+q·d]   (x̃: x zero-padded)

    As a GEMM on the window matrix X = im2col(x̃) (rows: output pixels, columns: (c, p, q)):
        Y = X Wᵀ + b,   ∂L/∂W = Gᵀ X,   ∂L/∂b = Σ_rows G,   ∂L/∂x = col2im(G W), cropped.
    ∂L/∂x is itself a convolution of the gradient with the flipped kernel (the lecture's
    "gradient of a convolution"); col2im computes it without flipping anything. With groups the
    same holds per group of channels.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        n = x.shape[0]
        out_channels, _, kh, kw = weight.shape
        xp = _channels_last(x, padding)
        cols = im2col(xp, (kh, kw), stride, dilation)
        w = weight.reshape(groups, out_channels // groups, -1)
        y = _ungroup(np.matmul(_groups(cols, groups), w.transpose(0, 2, 1)))
        if bias is not None:
            y += bias
        oh, ow = output_size(xp.shape[1], kh, stride[0], dilation[0]), output_size(xp.shape[2], kw, stride[1], dilation[1])
        ctx.cols, ctx.w, ctx.weight_shape, ctx.xp_shape = cols, w, weight.shape, xp.shape
        ctx.x_shape, ctx.padding, ctx.options = x.shape, padding, ((kh, kw), stride, dilation)
        return y.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, *need_b = ctx.needs_input_grad
        groups = ctx.w.shape[0]
        g2 = g.transpose(0, 2, 3, 1).reshape(-1, g.shape[1])  # a view when g is channels-last
        g3 = _groups(g2, groups)
        grad_x = grad_w = grad_b = None
        if need_x:
            cols = _ungroup(np.matmul(g3, ctx.w))
            image = col2im(cols, ctx.xp_shape, *ctx.options)
            (top, _), (left, _) = ctx.padding
            h, w = ctx.x_shape[2:]
            grad_x = image[:, top: top + h, left: left + w, :].transpose(0, 3, 1, 2)
        if need_w:
            grad_w = np.matmul(g3.transpose(0, 2, 1), _groups(ctx.cols, groups)).reshape(ctx.weight_shape)
        if need_b and need_b[0]:
            grad_b = g2.sum(axis=0)
        return grad_x, grad_w, grad_b


class ConvTranspose2dFunction(Function):
    """The transposed ("fractionally strided") convolution: the adjoint of conv2d with respect to
    its input. Every input pixel scatters W[c_in, :, :, :]·x[n, c_in, i, j] onto the output window
    at (i·s, j·s), dilated by d; then ``padding`` rows/columns are cropped from each side and
    ``output_padding`` zeros added at the end:  H_out = (H-1)·s − 2·p + d·(k−1) + output_padding + 1.

    As GEMMs (X: input pixels as rows, W: (C_in, C_out·KH·KW)):
        Y = col2im(X W) + b,   ∂L/∂x = im2col(G) Wᵀ,   ∂L/∂W = Xᵀ im2col(G),   ∂L/∂b = Σ G.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, output_padding, dilation, groups):
        n, in_channels, h, w = x.shape
        _, group_out, kh, kw = weight.shape
        out_channels = group_out * groups
        canvas = tuple((size - 1) * s + d * (k - 1) + 1
                       for size, s, d, k in zip((h, w), stride, dilation, (kh, kw)))
        x2 = x.transpose(0, 2, 3, 1).reshape(-1, in_channels)
        wg = weight.reshape(groups, in_channels // groups, -1)
        cols = _ungroup(np.matmul(_groups(x2, groups), wg))
        image = col2im(cols, (n, *canvas, out_channels), (kh, kw), stride, dilation)
        (ph, pw), (oph, opw) = padding, output_padding
        if oph or opw:
            image = np.pad(image, ((0, 0), (0, oph), (0, opw), (0, 0)))
        y = image[:, ph: image.shape[1] - ph, pw: image.shape[2] - pw, :]
        if bias is not None:
            y = y + bias
        ctx.x2, ctx.wg, ctx.weight_shape, ctx.canvas = x2, wg, weight.shape, canvas
        ctx.x_shape, ctx.padding, ctx.options = x.shape, padding, ((kh, kw), stride, dilation)
        return y.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, *need_b = ctx.needs_input_grad
        (ph, pw), (ch, cw) = ctx.padding, ctx.canvas
        groups = ctx.wg.shape[0]
        n, _, h, w = ctx.x_shape
        # The gradient on the (uncropped) canvas: g where the output was kept, zeros where cropped.
        full = np.zeros((n, ch, cw, g.shape[1]), dtype=g.dtype)
        gh, gw = min(g.shape[2], ch - ph), min(g.shape[3], cw - pw)
        full[:, ph: ph + gh, pw: pw + gw, :] = g.transpose(0, 2, 3, 1)[:, :gh, :gw, :]
        cols = im2col(full, *ctx.options)
        c3 = _groups(cols, groups)
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = _ungroup(np.matmul(c3, ctx.wg.transpose(0, 2, 1)))
            grad_x = grad_x.reshape(n, h, w, -1).transpose(0, 3, 1, 2)
        if need_w:
            grad_w = np.matmul(_groups(ctx.x2, groups).transpose(0, 2, 1), c3).reshape(ctx.weight_shape)
        if need_b and need_b[0]:
            grad_b = g.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b


def _args(x, weight, bias):
    return (x, weight) if bias is None else (x, weight, bias)


def _conv2d_options(weight_shape, stride, padding, dilation, groups):
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    _check_positive(stride, dilation, groups)
    return stride, conv_padding(padding, weight_shape[2:], stride, dilation), dilation


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of (N, C_in, H, W) by weight (C_out, C_in/groups, KH, KW)
    (as ``torch.nn.functional.conv2d``)."""
    w_shape = tuple(weight.shape)
    stride, padding, dilation = _conv2d_options(w_shape, stride, padding, dilation, groups)
    problem = check_conv(tuple(np.shape(input)), w_shape, padding, dilation, groups)
    if problem:
        raise ValueError(f"conv2d {problem}")
    return Conv2dFunction.apply(*_args(input, weight, bias), stride=stride, padding=padding,
                                dilation=dilation, groups=groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C_in, L) by weight (C_out, C_in/groups, K): conv2d on a height-1 image."""
    x = input if isinstance(input, Tensor) else Tensor(input)
    weight = weight if isinstance(weight, Tensor) else Tensor(weight)
    stride, dilation = (1, single(stride, "stride")), (1, single(dilation, "dilation"))
    _check_positive(stride, dilation, groups)
    if isinstance(padding, str):
        padding = conv_padding(padding, (1, weight.shape[-1]), stride, dilation)
    else:
        padding = ((0, 0), (single(padding, "padding"),) * 2)
    problem = check_conv(tuple(x.shape), tuple(weight.shape), padding[1:], dilation[1:], groups)
    if problem:
        raise ValueError(f"conv1d {problem}")
    y = Conv2dFunction.apply(*_args(x.unsqueeze(2), weight.unsqueeze(2), bias), stride=stride,
                             padding=padding, dilation=dilation, groups=groups)
    return y.squeeze(2)


def single(value, name: str = "value") -> int:
    """a from an int or a 1-sequence (PyTorch's ``_single``)."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(int(v) for v in value)
    if len(value) != 1:
        raise ValueError(f"{name} must be an int or a 1-tuple, got {value}")
    return value[0]


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """Transposed 2-D convolution of (N, C_in, H, W) by weight (C_in, C_out/groups, KH, KW)
    (as ``torch.nn.functional.conv_transpose2d``)."""
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    padding, output_padding = pair(padding, "padding"), pair(output_padding, "output_padding")
    _check_positive(stride, dilation, groups)
    for op, s, d in zip(output_padding, stride, dilation):
        if not 0 <= op < max(s, d):
            raise ValueError(f"output_padding must be smaller than stride or dilation, got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    shape = tuple(np.shape(input))
    if len(shape) != 4 or shape[1] != weight.shape[0]:
        raise ValueError(f"conv_transpose2d expects (N, {weight.shape[0]}, H, W) for weight "
                         f"{tuple(weight.shape)}, got {shape}")
    return ConvTranspose2dFunction.apply(*_args(input, weight, bias), stride=stride, padding=padding,
                                         output_padding=output_padding, dilation=dilation, groups=groups)
