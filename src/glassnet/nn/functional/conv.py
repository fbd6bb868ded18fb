"""Convolutions as ``Function``s: conv1d, conv2d (cross-correlation, as networks use it) and
conv_transpose2d, with PyTorch's arguments (stride, padding int/tuple/'same'/'valid', dilation,
groups, output_padding) and weight shapes.

Inputs and outputs are (N, C, H, W) arrays; the outputs are views of channel-major (C, N, H, W)
memory, which the next convolution or pooling reads without a transpose (see ``nn.kernels.im2col``
for why). Groups split the channels into G independent convolutions: the GEMMs run as one batched
``matmul`` over a (G, rows, columns) stack of views.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_tensor
from ..kernels import conv_direct, im2col as window_kernels
from ...backends.threads import one_blas_thread
from ..kernels.im2col import (
    batch_slices, col2im, conv_windows, im2col, input_grad_rows, output_size, pitch, pixels, positions,
)


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


def channel_major(x: np.ndarray, padding: tuple = ((0, 0), (0, 0))) -> np.ndarray:
    """(N, C, H, W) -> zero-padded (C, N, H, W): a copy when padded, else a view (free when x is
    already a view of channel-major memory, as every conv output is)."""
    x = x.transpose(1, 0, 2, 3)
    if any(padding[0]) or any(padding[1]):
        (top, bottom), (left, right) = padding
        c, n, h, w = x.shape
        padded = np.zeros((c, n, top + h + bottom, left + w + right), dtype=x.dtype)  # np.pad is slower
        padded[:, :, top: top + h, left: left + w] = x
        return padded
    return x


def _gemm_threads(w: np.ndarray):
    """BLAS threads for a layer's GEMMs, whose largest product is one batch slice's (at most
    (O/G) × ``WINDOW_ELEMENTS`` multiply-adds): one thread below ``backends.threads.SMALL_PRODUCT_FLOPS``."""
    return one_blas_thread(w.shape[1] * window_kernels.WINDOW_ELEMENTS)


def _image_rows(x: np.ndarray) -> np.ndarray:
    """Contiguous (C, N, H, W) -> (C, N, H·W) view, the input layout of the direct kernels."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _rows(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (C, N·H·W); a view for channel-major memory."""
    return x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)


class Conv2dFunction(Function):
    """y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x̃[n, c, i·s+p·d, j·s+q·d]   (x̃: x zero-padded)

    As a GEMM on the window matrix X = im2col(x̃) (rows: (c, p, q), columns: output pixels; for
    stride 1 the faster row-run layout ``im2col_rows``, whose junk columns ``pixels`` drops),
    built for a slice of the batch at a time (``batch_slices``) and rebuilt in backward:
        Y = W X + b,   ∂L/∂W = G Xᵀ,   ∂L/∂b = Σ_columns G,   ∂L/∂x = col2im(Wᵀ G), cropped.
    ∂L/∂x is itself a convolution of the gradient with the flipped kernel (the lecture's
    "gradient of a convolution"); col2im computes it without flipping anything. With G groups,
    the rows of X and of W split into G blocks and the GEMMs run as one batched matmul.
    Layers with few input channels run the same sums as direct loops instead (float32 with Numba,
    stride 1, no groups; ``nn.kernels.conv_direct`` says when and why).
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        n = x.shape[0]
        out_channels, _, kh, kw = weight.shape
        options = ((kh, kw), stride, dilation)
        xp = channel_major(x, padding)
        oh, ow = (output_size(size, k, s, d) for size, k, s, d in zip(xp.shape[2:], (kh, kw), stride, dilation))
        w = weight.reshape(groups, out_channels // groups, -1)
        length = positions(xp.shape, *options)
        dtype = np.result_type(x, weight)
        y = np.empty((out_channels, n, length), dtype=dtype)
        direct = conv_direct.use_direct(x.dtype, weight.dtype, xp.shape[0], stride, groups)
        if direct:  # the direct kernels read the padded input as contiguous rows
            xp, weight = np.ascontiguousarray(xp), np.ascontiguousarray(weight)
            b = np.zeros(out_channels, dtype) if bias is None else bias
            conv_direct.forward_rows(_image_rows(xp), weight, b, y, xp.shape[3], *dilation)
        else:
            with _gemm_threads(w):
                for part in batch_slices(n, w.shape[0] * w.shape[2] * length):
                    cols = conv_windows(xp[:, part], *options)
                    np.matmul(w, cols.reshape(groups, -1, cols.shape[1]), out=y[:, part].reshape(w.shape[:2] + (-1,)))
            if bias is not None:
                y += bias[:, None, None]
        ctx.xp, ctx.w, ctx.weight, ctx.direct = xp, w, weight, direct
        ctx.x_shape, ctx.padding, ctx.options = x.shape, padding, options
        return pixels(y, oh, ow, pitch(xp.shape, *options)).transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, *need_b = ctx.needs_input_grad
        g_cols = _gradient_columns(g, ctx.xp.shape, ctx.options)
        grad_x = _conv_input_grad(ctx, g_cols) if need_x else None
        grad_w = _conv_weight_grad(ctx, g_cols) if need_w else None
        grad_b = g_cols.sum(axis=(1, 2)) if need_b and need_b[0] else None  # junk columns are zero
        return grad_x, grad_w, grad_b


def _gradient_columns(g: np.ndarray, shape: tuple, options: tuple) -> np.ndarray:
    """∂L/∂y (N, O, OH, OW) as the contiguous (O, N, P) columns of the window matrix, zero in
    its junk columns."""
    g4 = channel_major(g)
    row_pitch = pitch(shape, *options)
    if row_pitch == g.shape[3]:
        return np.ascontiguousarray(g4).reshape(g4.shape[0], g4.shape[1], -1)
    g_cols = np.zeros(g4.shape[:2] + (positions(shape, *options),), dtype=g.dtype)
    pixels(g_cols, *g.shape[2:], row_pitch)[...] = g4
    return g_cols


def _conv_weight_grad(ctx, g_cols: np.ndarray) -> np.ndarray:
    """∂L/∂W = G Xᵀ, the window matrix X rebuilt slice by slice (or the direct kernel)."""
    w, xp, options = ctx.w, ctx.xp, ctx.options
    if ctx.direct:
        grad_w = np.empty(ctx.weight.shape, dtype=g_cols.dtype)
        conv_direct.weight_grad_rows(_image_rows(xp), g_cols, grad_w, xp.shape[3], *options[2])
        return grad_w
    grad_w = np.zeros(w.shape, dtype=g_cols.dtype)
    with _gemm_threads(w):
        for part in batch_slices(g_cols.shape[1], w.shape[0] * w.shape[2] * g_cols.shape[2]):
            g3 = g_cols[:, part].reshape(w.shape[:2] + (-1,))
            cols = conv_windows(xp[:, part], *options)
            grad_w += np.matmul(g3, cols.reshape(w.shape[0], -1, cols.shape[1]).transpose(0, 2, 1))
    return grad_w.reshape(ctx.weight.shape)


def _conv_input_grad(ctx, g_cols: np.ndarray) -> np.ndarray:
    """∂L/∂x = col2im(Wᵀ G), cropped to the unpadded input: the direct kernel, per-offset GEMMs
    for stride 1 (``input_grad_rows``), else col2im of Wᵀ G slice by slice."""
    w, xp, options = ctx.w, ctx.xp, ctx.options
    if ctx.direct:
        image = np.empty(xp.shape, dtype=g_cols.dtype)
        conv_direct.input_grad_rows(ctx.weight, g_cols, _image_rows(image), xp.shape[3], *options[2])
    elif options[1] == (1, 1):
        with _gemm_threads(w):
            image = input_grad_rows(w, g_cols, xp.shape, options[0], options[2])
    else:
        image = np.zeros(xp.shape, dtype=g_cols.dtype)
        with _gemm_threads(w):
            for part in batch_slices(g_cols.shape[1], w.shape[0] * w.shape[2] * g_cols.shape[2]):
                g3 = g_cols[:, part].reshape(w.shape[:2] + (-1,))
                cols = np.matmul(w.transpose(0, 2, 1), g3).reshape(-1, g3.shape[2])
                col2im(cols, image[:, part].shape, *options, out=image[:, part])
    (top, _), (left, _) = ctx.padding
    h, width = ctx.x_shape[2:]
    return image[:, :, top: top + h, left: left + width].transpose(1, 0, 2, 3)


class ConvTranspose2dFunction(Function):
    """The transposed ("fractionally strided") convolution: the adjoint of conv2d with respect to
    its input. Every input pixel scatters W[c_in, :, :, :]·x[n, c_in, i, j] onto the output window
    at (i·s, j·s), dilated by d; then ``padding`` rows/columns are cropped from each side and
    ``output_padding`` zeros added at the end:  H_out = (H-1)·s − 2·p + d·(k−1) + output_padding + 1.

    As GEMMs (X: (C_in, input pixels), W: (C_in, C_out·KH·KW)):
        Y = col2im(Wᵀ X) + b,   ∂L/∂x = W im2col(G),   ∂L/∂W = X im2col(G)ᵀ,   ∂L/∂b = Σ G.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, output_padding, dilation, groups):
        n, in_channels, h, w = x.shape
        _, group_out, kh, kw = weight.shape
        out_channels = group_out * groups
        canvas = tuple((size - 1) * s + d * (k - 1) + 1
                       for size, s, d, k in zip((h, w), stride, dilation, (kh, kw)))
        x2 = _rows(x)
        wg = weight.reshape(groups, in_channels // groups, -1)
        cols = np.matmul(wg.transpose(0, 2, 1), x2.reshape(groups, -1, x2.shape[1])).reshape(-1, x2.shape[1])
        image = col2im(cols, (out_channels, n, *canvas), (kh, kw), stride, dilation)
        (ph, pw), (oph, opw) = padding, output_padding
        if oph or opw:
            image = np.pad(image, ((0, 0), (0, 0), (0, oph), (0, opw)))
        y = image[:, :, ph: image.shape[2] - ph, pw: image.shape[3] - pw]
        if bias is not None:
            y = y + bias[:, None, None, None]
        ctx.x2, ctx.wg, ctx.weight_shape, ctx.canvas = x2, wg, weight.shape, canvas
        ctx.x_shape, ctx.padding, ctx.options = x.shape, padding, ((kh, kw), stride, dilation)
        ctx.output_padding = output_padding
        return y.transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, *need_b = ctx.needs_input_grad
        (ph, pw), (ch, cw) = ctx.padding, ctx.canvas
        groups = ctx.wg.shape[0]
        n, _, h, w = ctx.x_shape
        # The gradient on the (uncropped) canvas: g where the output was kept, zeros where cropped.
        full = np.zeros((g.shape[1], n, ch, cw), dtype=g.dtype)
        gh, gw = min(g.shape[2], ch - ph), min(g.shape[3], cw - pw)
        full[:, :, ph: ph + gh, pw: pw + gw] = channel_major(g)[:, :, :gh, :gw]
        cols = im2col(full, *ctx.options)
        c3 = cols.reshape(groups, -1, cols.shape[1])
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = np.matmul(ctx.wg, c3).reshape(-1, n, h, w).transpose(1, 0, 2, 3)
        if need_w:
            x3 = ctx.x2.reshape(groups, -1, ctx.x2.shape[1])
            grad_w = np.matmul(x3, c3.transpose(0, 2, 1)).reshape(ctx.weight_shape)
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
    x = as_tensor(input)
    weight = as_tensor(weight)
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
