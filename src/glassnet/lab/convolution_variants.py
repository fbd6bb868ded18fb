"""Lab on the convolution variants the lecture names (空洞卷积、转置卷积): how dilation grows the receptive field,
and the transposed convolution as the gradient of a convolution and as learned upsampling, each number
checked against its direct formula."""
from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd import Tensor, as_array, as_tensor, tensor
from ..nn import functional as F
from .core import LabResult, lab, subplots

VARIANTS = "000_9c09d12a8cbeeb62 · 3 常见神经网络 · 卷积神经网络 · 卷积层变种 (空洞卷积、转置卷积)"


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1"""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def transposed_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0,
                           dilation: int = 1) -> int:
    """(H − 1)s − 2p + d(k − 1) + output_padding + 1"""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def receptive_field(dilations, size: int = 41) -> tuple[int, np.ndarray]:
    """Side of the input region that the centre output of stacked 3 × 3 convolutions (positive weights,
    'same' padding) depends on, read from the gradient ∂y_centre/∂x that autograd returns; and that gradient."""
    x = tensor(np.zeros((1, 1, size, size), np.float32), requires_grad=True)
    y = x
    for d in dilations:
        y = F.conv2d(y, as_tensor(np.ones((1, 1, 3, 3), np.float32)), padding=d, dilation=d)
    y[0, 0, size // 2, size // 2].backward()
    grad = as_array(x.grad)[0, 0]
    rows = np.flatnonzero(grad.any(axis=1))
    return int(rows[-1] - rows[0] + 1), grad


def transposed_by_scatter(x: np.ndarray, w: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """The direct formula of a transposed convolution, one input pixel at a time: each x[i, j] adds the
    kernel, scaled by x[i, j], at (s·i − p, s·j − p) of the output (what falls outside is cut off)."""
    k = w.shape[0]
    full = np.zeros(((x.shape[0] - 1) * stride + k, (x.shape[1] - 1) * stride + k))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            full[stride * i:stride * i + k, stride * j:stride * j + k] += x[i, j] * w
    return full[padding:full.shape[0] - padding, padding:full.shape[1] - padding]


@lab("dilated_transposed_conv", "Dilated and transposed convolutions: receptive fields, gradients, upsampling",
     VARIANTS)
def dilated_transposed_conv(out, quick=False):
    """Dilation d spreads a k × k kernel over d(k − 1) + 1 pixels: RF_l = RF_(l−1) + (k − 1)·d_l.
    A transposed convolution maps each input pixel to a kernel-sized patch: the gradient of a convolution."""
    res = LabResult(out)
    rng = np.random.default_rng(0)
    # 1. receptive fields of three stacked 3 × 3 convolutions, measured by autograd
    fields = {}
    for name, dilations in (("dilation 1, 1, 1", (1, 1, 1)), ("dilation 1, 2, 4", (1, 2, 4))):
        formula = 1
        for depth in range(1, 4):
            formula += 2 * dilations[depth - 1]
            measured, grad = receptive_field(dilations[:depth])
            res.number(f"{name}: receptive field after {depth} layer(s) (from ∂y/∂x)", measured, formula, 0,
                       note="RF_l = RF_(l−1) + (k − 1)·d_l")
        fields[name] = grad
    x = rng.standard_normal((1, 2, 11, 11)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    spread = np.zeros((3, 2, 5, 5), np.float32)
    spread[:, :, ::2, ::2] = w                               # the 3 × 3 kernel with zeros between its taps
    res.check("a 3 × 3 convolution with dilation 2 equals a 5 × 5 one with the kernel spread out by zeros",
              np.allclose(as_array(F.conv2d(x, w, dilation=2)), as_array(F.conv2d(x, spread)), atol=1e-5))
    cases = [(28, 5, 1, 2, 1), (28, 3, 2, 1, 1), (32, 3, 1, 0, 4), (17, 4, 3, 2, 2)]
    sizes = [(as_array(nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(np.zeros((1, 1, h, h), np.float32))).shape[-1],
              conv_output_size(h, k, s, p, d)) for h, k, s, p, d in cases]
    res.check("Conv2d's output sizes follow ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 (four settings)",
              all(a == b for a, b in sizes), str(sizes))
    # 2. the transposed convolution as the gradient of a strided convolution
    x = tensor(rng.standard_normal((1, 2, 9, 9)).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w, stride=2, padding=1)                   # (1, 3, 5, 5)
    upstream = rng.standard_normal(y.shape).astype(np.float32)
    (y * upstream).sum().backward()
    back = F.conv_transpose2d(upstream, w, stride=2, padding=1)
    res.check("∂L/∂x of conv2d(stride 2, padding 1) is conv_transpose2d(∂L/∂y) with the same kernel",
              np.allclose(as_array(back), as_array(x.grad), atol=1e-5), f"shapes {back.shape} and {x.grad.shape}")
    # 3. the transposed convolution as upsampling, against the direct formula
    small = rng.standard_normal((4, 4))
    kernel = rng.standard_normal((3, 3))
    ours = as_array(F.conv_transpose2d(small[None, None], kernel[None, None], stride=2, padding=1))[0, 0]
    direct = transposed_by_scatter(small, kernel, 2, 1)
    res.number("4 × 4 input, 3 × 3 kernel, stride 2, padding 1: output side", ours.shape[0],
               transposed_output_size(4, 3, 2, 1), 0, note="(H − 1)s − 2p + d(k − 1) + output_padding + 1")
    res.check("conv_transpose2d equals the scatter formula (each input pixel adds the scaled kernel)",
              ours.shape == direct.shape and np.allclose(ours, direct))
    nearest = as_array(F.conv_transpose2d(small[None, None], np.ones((1, 1, 2, 2)), stride=2))[0, 0]
    res.check("stride 2 with a 2 × 2 kernel of ones is nearest-neighbour upsampling (as nn.Upsample(2))",
              np.allclose(nearest, as_array(nn.Upsample(scale_factor=2)(small[None, None]))[0, 0]))
    tent = np.outer([0.5, 1, 0.5], [0.5, 1, 0.5])
    bilinear = as_array(F.conv_transpose2d(small[None, None], tent[None, None], stride=2, padding=1,
                                           output_padding=1))[0, 0]
    res.check("with the tent kernel [½, 1, ½]ᵀ[½, 1, ½] it interpolates linearly between input pixels",
              np.allclose(bilinear[::2, ::2], small) and np.allclose(bilinear[1:-1:2, ::2], (small[:-1] + small[1:]) / 2))

    fig, axes = subplots(1, 4, figsize=(16, 4), constrained_layout=True)
    for ax, (name, grad) in zip(axes[:2], fields.items()):
        shown = ax.imshow(np.where(grad > 0, grad, np.nan), cmap="viridis")
        ax.set(title=f"three 3 × 3 layers, {name}", xlabel="input column", ylabel="input row")
        fig.colorbar(shown, ax=ax, shrink=0.8, label="∂y/∂x (paths, weights 1)")
    for ax, (title, image) in zip(axes[2:], (("4 × 4 input", small), ("×2 by the tent kernel (transposed conv)",
                                                                       bilinear))):
        ax.imshow(image, cmap="viridis")
        ax.set(title=title, xlabel="column", ylabel="row", xticks=range(image.shape[1]), yticks=range(image.shape[0]))
    fig.suptitle("Left: the input pixels the centre output depends on (∂y/∂x ≠ 0). Right: upsampling by a "
                 "transposed convolution")
    res.figure(fig, "dilated_transposed_conv")
    res.say("Dilation widens each kernel without adding weights, so three layers see 15 × 15 pixels instead of "
            "7 × 7. A transposed convolution runs a convolution's data flow backwards: it is exactly the "
            "gradient of one, and with stride 2 it enlarges an image, as decoders and generators do.")
    return res
