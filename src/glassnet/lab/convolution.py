"""Labs on convolutional networks: the lecture's kernels (identity, sharpen, blur, edge), a convolution's gradient
worked out on a 3×3 input and 2×2 kernel, receptive fields and pooling, and a CNN on the digits."""
from __future__ import annotations

import importlib

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, require, subplots

CNN = "000_9c09d12a8cbeeb62 · 3 常见神经网络 · 卷积神经网络"
CHAPTER = "001_5f6f472c906b4f67 · 5.4 卷积神经网络"

KERNELS = {  # the lecture's table 常见卷积核及其效果
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "blur": [[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]],
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def convolve2d_reference(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The lecture's 2-D discrete convolution [f ⊗ g](m, n) = Σ_i Σ_j f(i, j) g(m − i, n − j), kept to f's size
    ('same', zero outside f), written as loops over the kernel for reading."""
    kh, kw = g.shape
    padded = np.pad(f, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    out = np.zeros(f.shape)
    flipped = g[::-1, ::-1]  # the flip of 'convolution': g(m − i, n − j)
    for a in range(kh):
        for b in range(kw):
            out += flipped[a, b] * padded[a:a + f.shape[0], b:b + f.shape[1]]
    return out


def convolve2d(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Same result as ``convolve2d_reference``, vectorized over sliding windows."""
    kh, kw = g.shape
    padded = np.pad(f, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, g.shape)
    return np.einsum("mnij,ij->mn", windows, g[::-1, ::-1])


def optional(module: str, name: str):
    """A glassnet part that may not have landed yet (issue 4), or None."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def grey_photo() -> np.ndarray:
    """scikit-learn's bundled sample photo, grey, halved, in [0, 1]."""
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image("china.jpg").astype(np.float64) / 255
    return (rgb @ [0.299, 0.587, 0.114])[::2, ::2]


@lab("conv_kernels", "Convolution kernels: identity, sharpen, blur, edge on an image", f"{CNN} · 常见卷积核及其效果")
def conv_kernels(out, quick=False):
    """Each output pixel is the kernel-weighted sum of its 3×3 neighbourhood (kernel flipped, as in the lecture)."""
    res = LabResult(out)
    image = grey_photo()
    if quick:
        image = image[::2, ::2]
    results = {name: convolve2d(image, np.array(k, dtype=np.float64)) for name, k in KERNELS.items()}
    patch = image[:12, :12]
    for name, k in KERNELS.items():
        k = np.array(k, dtype=np.float64)
        res.number(f"{name}: sum of the kernel weights", k.sum(), 0 if name == "edge" else 1, 4,
                   note="1 keeps brightness, 0 keeps only changes")
        res.check(f"{name}: vectorized convolution equals the loop reference",
                  np.allclose(convolve2d(patch, k), convolve2d_reference(patch, k)))
    res.check("identity kernel returns the image unchanged", np.array_equal(results["identity"], image))
    inner = (slice(1, -1), slice(1, -1))
    res.check("edge kernel gives 0 on a flat region", np.allclose(convolve2d(np.ones((6, 6)), np.array(KERNELS["edge"]))[inner], 0))
    signal = optional("glassnet.signal", "convolve2d")
    conv2d = optional("glassnet.nn.functional", "conv2d")
    if conv2d is not None:  # networks correlate; the lecture's kernels are symmetric, so flipping changes nothing
        x = tensor(patch[None, None].astype(np.float32))
        for name, k in KERNELS.items():
            w = tensor(np.array(k, dtype=np.float32)[None, None])
            res.check(f"gn.nn.functional.conv2d with padding 1 agrees ({name})",
                      np.allclose(conv2d(x, w, padding=1).detach().numpy()[0, 0], convolve2d(patch, np.array(k)), atol=1e-5))
    if signal is not None:
        res.check("gn.signal.convolve2d agrees on the sharpen kernel",
                  np.allclose(signal(patch, np.array(KERNELS["sharpen"]), mode="same"),
                              convolve2d(patch, np.array(KERNELS["sharpen"])), atol=1e-6))
    fig, axes = subplots(1, 4, figsize=(16, 3.8), constrained_layout=True)
    for ax, (name, picture) in zip(axes, results.items()):
        shown = ax.imshow(picture, cmap="gray", vmin=0 if name != "edge" else -0.5, vmax=1 if name != "edge" else 0.5)
        ax.set(title=f"{name} kernel", xlabel="pixel column", ylabel="pixel row")
        fig.colorbar(shown, ax=ax, shrink=0.8, label="intensity")
    res.figure(fig, "conv_kernels")
    res.say("Sharpen adds the difference to the neighbours, blur averages them with weights summing to 1, edge "
            "keeps only the difference (weights summing to 0)." + (
                "" if conv2d is not None else " (gn.nn.functional.conv2d, issue 4, is not merged yet: NumPy only.)"))
    return res


def conv_by_slices(x, w, bias):
    """o_mn = Σ_ab x_(m+a)(n+b) w_ab + b: the 2×2 'valid' convolution of the example with Tensor slices."""
    kh, kw = w.shape
    h, width = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    total = bias
    for a in range(kh):
        for b in range(kw):
            total = total + x[a:a + h, b:b + width] * w[a, b]
    return total


@lab("conv_gradient", "A convolution's gradient on the lecture's 3×3 input and 2×2 kernel", f"{CNN} · 梯度传播")
def conv_gradient(out, quick=False):
    """o₀₀ = x₀₀w₀₀ + x₀₁w₀₁ + x₁₀w₁₀ + x₁₁w₁₁ + b, …;  ∂L/∂w₀₀ = Σ_{i ∈ 00,01,10,11} ∂L/∂o_i · ∂o_i/∂w₀₀."""
    res = LabResult(out)
    xv = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    wv = np.array([[0.5, -1.0], [2.0, 0.25]])
    bv = 0.1
    x, w, b = (tensor(v, requires_grad=True) for v in (xv, wv, np.array(bv)))
    o = conv_by_slices(x, w, b)
    L = 0.5 * (o * o).sum()  # so that ∂L/∂o_i = o_i
    L.backward()
    (x00, x01, x02), (x10, x11, x12), (x20, x21, x22) = xv
    (w00, w01), (w10, w11) = wv
    by_hand = {  # the lecture's four output equations
        "o00": x00 * w00 + x01 * w01 + x10 * w10 + x11 * w11 + bv,
        "o01": x01 * w00 + x02 * w01 + x11 * w10 + x12 * w11 + bv,
        "o10": x10 * w00 + x11 * w01 + x20 * w10 + x21 * w11 + bv,
        "o11": x11 * w00 + x12 * w01 + x21 * w10 + x22 * w11 + bv,
    }
    for (name, value), got in zip(by_hand.items(), o.detach().numpy().ravel()):
        res.number(f"{name} (autograd forward)", got, value, 6, note="lecture's equation")
    g = dict(zip(by_hand, by_hand.values()))  # ∂L/∂o_i = o_i
    partial = {"w00": (x00, x01, x10, x11), "w01": (x01, x02, x11, x12),
               "w10": (x10, x11, x20, x21), "w11": (x11, x12, x21, x22)}
    for (name, xs), got in zip(partial.items(), w.grad.ravel()):
        expected = sum(g[o_name] * xi for o_name, xi in zip(g, xs))
        res.number(f"∂L/∂{name} = Σ_i ∂L/∂o_i · x (autograd)", got, expected, 6, note="chain rule over the 4 outputs")
    res.number("∂L/∂b = Σ_i ∂L/∂o_i", b.grad.item(), sum(g.values()), 6)
    conv2d = optional("glassnet.nn.functional", "conv2d")
    if conv2d is not None:
        x4, w4 = tensor(xv[None, None], requires_grad=True), tensor(wv[None, None], requires_grad=True)
        o4 = conv2d(x4, w4, tensor(np.array([bv])))
        (0.5 * (o4 * o4).sum()).backward()
        res.check("gn.nn.functional.conv2d gives the same outputs and kernel gradient",
                  np.allclose(o4.detach().numpy()[0, 0], o.detach().numpy()) and np.allclose(w4.grad[0, 0], w.grad))
    fig, axes = subplots(1, 4, figsize=(15, 3.6), constrained_layout=True)
    for ax, (title, values) in zip(axes, (("input x (3×3)", xv), ("kernel w (2×2)", wv), ("output o (2×2)", o.detach().numpy()),
                                          ("∂L/∂w (2×2)", w.grad))):
        ax.imshow(values, cmap="coolwarm")
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=11)
        ax.set(title=title, xlabel="column", ylabel="row", xticks=range(values.shape[1]), yticks=range(values.shape[0]))
    res.figure(fig, "conv_gradient")
    res.say("Autograd through the sliding window gives exactly the lecture's sums: each weight collects the "
            "upstream gradient of every output it touched, times the input under it. Moving the receptive "
            "field does not break differentiability.")
    return res


@lab("pooling", "Receptive fields, output sizes, and max vs average pooling", f"{CHAPTER} · 卷积层 / 下采样池化层")
def pooling(out, quick=False):
    """A k×k filter over an n×n image gives (n − k + 1)²; pooling takes the max or mean of each 2×2 block."""
    res = LabResult(out)
    image = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], float)
    x_filter = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], float)  # the filter of the classic figure
    windows = np.lib.stride_tricks.sliding_window_view(image, x_filter.shape)
    feature = np.einsum("mnij,ij->mn", windows, x_filter)
    for (i, j), v in np.ndenumerate(feature):
        res.number(f"5×5 image ⊛ 3×3 filter: output[{i}, {j}]", v, [[4, 3, 4], [2, 4, 3], [2, 3, 4]][i][j], 0,
                   note="the classic figure of the slide")
    rng = np.random.default_rng(0)
    ten = rng.random((10, 10))
    filters = rng.standard_normal((3, 3, 3))
    maps = np.stack([np.einsum("mnij,ij->mn", np.lib.stride_tricks.sliding_window_view(ten, f.shape), f)
                     for f in filters])
    res.check("a 10×10 image and three 3×3 filters give three 8×8 maps", maps.shape == (3, 8, 8), str(maps.shape))
    blocks = maps[0].reshape(4, 2, 4, 2)
    pooled_max, pooled_avg = blocks.max(axis=(1, 3)), blocks.mean(axis=(1, 3))
    res.check("2×2 pooling halves each side: 8×8 → 4×4", pooled_max.shape == (4, 4))
    res.check("max pooling keeps the strongest response of each block", np.all(pooled_max >= pooled_avg))
    max_pool, avg_pool = optional("glassnet.nn", "MaxPool2d"), optional("glassnet.nn", "AvgPool2d")
    if max_pool is not None and avg_pool is not None:
        t = tensor(maps[:1, None].astype(np.float32))
        res.check("gn.nn.MaxPool2d(2) and AvgPool2d(2) agree with the block max / mean",
                  np.allclose(max_pool(2)(t).detach().numpy()[0, 0], pooled_max, atol=1e-6)
                  and np.allclose(avg_pool(2)(t).detach().numpy()[0, 0], pooled_avg, atol=1e-6))
    fig, axes = subplots(1, 4, figsize=(15, 3.6), constrained_layout=True)
    for ax, (title, values) in zip(axes, (("5×5 image", image), ("3×3 output of the filter", feature),
                                          ("an 8×8 feature map", maps[0]), ("max | average pooled (4×4 each)",
                                                                          np.hstack([pooled_max, pooled_avg])))):
        shown = ax.imshow(values, cmap="viridis")
        ax.set(title=title, xlabel="column", ylabel="row")
        fig.colorbar(shown, ax=ax, shrink=0.8, label="value")
    res.figure(fig, "pooling")
    res.say("Max pooling reports the strongest response in each 2×2 region (cheap, but loses where exactly); "
            "average pooling reports the mean response.")
    return res


@lab("cnn_digits", "A small CNN (LeNet-style) on the 8×8 digits", f"{CHAPTER} · LeNet; {CNN}",
     params={"epochs": "training epochs"})
def cnn_digits(out, quick=False, epochs=15):
    """conv(1→8, 3×3) → ReLU → max-pool 2 → conv(8→16, 3×3) → ReLU → max-pool 2 → linear(64 → 10)."""
    from .regression import digits_split

    Conv2d = require("glassnet.nn", "Conv2d", issue=4)
    MaxPool2d = require("glassnet.nn", "MaxPool2d", issue=4)
    res = LabResult(out)
    epochs = 4 if quick else epochs
    X, y, Xt, yt = digits_split()
    X, Xt = X.reshape(-1, 1, 8, 8), Xt.reshape(-1, 1, 8, 8)
    manual_seed(0)
    net = nn.Sequential(Conv2d(1, 8, 3, padding=1), nn.ReLU(), MaxPool2d(2),
                        Conv2d(8, 16, 3, padding=1), nn.ReLU(), MaxPool2d(2),
                        nn.Flatten(), nn.Linear(16 * 2 * 2, 10))
    opt = optim.Adam(net.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    accuracies = []
    for _ in range(epochs):
        net.train()
        order = rng.permutation(len(X))
        for i in range(0, len(X), 32):
            idx = order[i:i + 32]
            opt.zero_grad()
            F.cross_entropy(net(tensor(X[idx])), y[idx]).backward()
            opt.step()
        net.eval()
        with no_grad():
            accuracies.append(float((net(tensor(Xt)).detach().numpy().argmax(1) == yt).mean()))
    res.number("held-out accuracy", accuracies[-1])
    res.number("parameters", sum(p.numel() for p in net.parameters()))
    res.check("the CNN learns the digits (≥ 90% held out)", accuracies[-1] >= 0.9, f"{accuracies[-1]:.1%}")
    fig, (left, right) = subplots(1, 2, figsize=(11, 4))
    left.plot(range(1, epochs + 1), accuracies, "o-", label="held-out accuracy")
    left.set(xlabel="epoch", ylabel="accuracy", title="CNN on 8×8 digits")
    left.legend()
    kernels = net[0].weight.detach().numpy()[:, 0]
    grid = np.vstack([np.hstack([np.pad(k, 1) for k in kernels[row:row + 4]]) for row in (0, 4)])
    shown = right.imshow(grid, cmap="coolwarm")
    right.set(title="the 8 learned first-layer 3×3 kernels", xlabel="kernel column (4 per row)", ylabel="kernel row")
    fig.colorbar(shown, ax=right, label="weight")
    res.figure(fig, "cnn_digits")
    res.say("Local connections and shared kernels: a network with a few thousand weights reads the digits.")
    return res
