"""Seeing what a convolutional network learned (Deep Learning Seminar, "How to represent an image?";
Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks", 2014):

- the learned filters drawn as images (``plot_filters``);
- the feature maps an input produces at each convolution (``feature_maps``, ``plot_feature_maps``);
- activation maximization: the input that most excites one channel, found by gradient ascent on the
  input itself, x ← x + η ∂(a_c(x) − λ‖x‖²)/∂x (``activation_maximization``);
- occlusion sensitivity: the probability of the true class while a grey square hides each part of the
  image in turn; it drops where the network looks (``occlusion_sensitivity``).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..autograd import Tensor, as_array, as_tensor, get_rng, no_grad, tensor
from .analysis import _save
from .functional import softmax
from .layers.conv import Conv2d


def _grid(images: np.ndarray, path: str, title: str, columns: int = 8, symmetric: bool = True) -> str:
    """Images (n, h, w) tiled into one picture, each scaled by its own largest |value| (so the colours
    read ±1 when ``symmetric``, 0..1 otherwise), a blank pixel between neighbours."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, h, w = images.shape
    columns = min(columns, n)
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = image / (np.abs(image).max() or 1.0)
    fig, ax = plt.subplots(figsize=(min(12, 0.25 * mosaic.shape[1] + 1.5), min(12, 0.25 * mosaic.shape[0] + 1)))
    shown = ax.imshow(mosaic, cmap="coolwarm" if symmetric else "viridis", vmin=-1 if symmetric else 0, vmax=1)
    ax.set(xticks=[], yticks=[], title=title)
    fig.colorbar(shown, ax=ax, shrink=0.8, label="value / its image's largest |value|")
    return _save(fig, path)


def plot_filters(conv, path: str, title: str | None = None) -> str:
    """Every kernel W[o, i] of a ``Conv2d`` as a small image (red positive, blue negative weights)."""
    weight = as_array(conv.weight)
    out_channels, in_channels, kh, kw = weight.shape
    return _grid(weight.reshape(-1, kh, kw), path, title or f"{out_channels}×{in_channels} learned {kh}×{kw} kernels",
                 columns=max(in_channels, min(8, out_channels)) if in_channels > 1 else 8)


def feature_maps(model, x, layers=(Conv2d,)) -> "OrderedDict[str, np.ndarray]":
    """The output of every submodule of the given types (default: each ``Conv2d``) for the input ``x``,
    by module path, as arrays (N, C, H, W); recorded with forward hooks during one forward pass."""
    maps, handles = OrderedDict(), []
    for name, module in model.named_modules():
        if isinstance(module, layers):
            handles.append(module.register_forward_hook(
                lambda module, args, out, name=name: maps.__setitem__(name, as_array(out).copy())))
    try:
        with no_grad():
            model(x if isinstance(x, Tensor) else Tensor(np.asarray(x)))
    finally:
        for handle in handles:
            handle.remove()
    if not maps:
        kinds = layers if isinstance(layers, tuple) else (layers,)
        raise ValueError(f"feature_maps: {type(model).__name__} has no submodule of type "
                         f"{', '.join(kind.__name__ for kind in kinds)}")
    return maps


def plot_feature_maps(maps: np.ndarray, path: str, title: str = "Feature maps", channels: int = 16) -> str:
    """The first ``channels`` maps (C, H, W) of one input."""
    return _grid(np.asarray(maps)[:channels], path, title, symmetric=False)


def activation_maximization(model, layer, channel, input_shape: tuple, steps: int = 200, lr: float = 0.1,
                            weight_decay: float = 1e-3, value_range=(0.0, 1.0), rng=None):
    """The input x (``input_shape``, e.g. (1, 28, 28)) that maximizes the mean activation a_c of channel
    (or unit) ``channel`` of the submodule ``layer``, by gradient ascent from faint noise:

        x ← clip(x + η g / ‖g‖,  value_range),   g = ∂(a_c(x) − λ‖x‖²)/∂x

    (the normalized step keeps η meaningful whatever the activation's scale; the L2 term λ keeps x from
    filling up with high-frequency patterns). Returns (x, the activation a_c at each step). With a list of
    channels, one input per channel is optimized in the same passes: x (K, ...) and activations (steps, K).

    Example: ``images, _ = activation_maximization(lenet, lenet.classifier[-1], range(10), (1, 28, 28))``
    draws the input each class's output unit likes best.
    """
    channels = np.atleast_1d(channel)
    rng = get_rng(rng)
    low, high = value_range
    x = (low + (high - low) * (0.5 + 0.01 * rng.standard_normal((len(channels), *input_shape)))).astype(np.float32)
    seen = []
    handle = layer.register_forward_hook(lambda module, args, out: seen.append(out))
    was_training = model.training
    model.eval()
    trace = []
    try:
        for _ in range(steps):
            image = tensor(x, requires_grad=True)
            seen.clear()
            model(image)
            output = seen[-1]
            if not np.all((0 <= channels) & (channels < output.shape[1])):
                raise ValueError(f"activation_maximization: the layer has {output.shape[1]} channels, got "
                                 f"channel {channel}")
            activation = output[np.arange(len(channels)), channels].reshape(len(channels), -1).mean(axis=1)
            (activation.sum() - weight_decay * (image * image).sum()).backward()
            gradient = as_array(image.grad)
            length = np.sqrt((gradient ** 2).reshape(len(channels), -1).sum(axis=1))
            step = gradient / (length.reshape(-1, *[1] * len(input_shape)) + 1e-12)
            x = np.clip(x + lr * step, low, high).astype(np.float32)
            trace.append(as_array(activation).copy())
    finally:
        handle.remove()
        model.train(was_training)
    trace = np.array(trace)
    return (x, trace) if np.ndim(channel) else (x[0], trace[:, 0])


def occlusion_sensitivity(model, image, target: int, patch: int = 4, stride: int = 1, fill: float = 0.0,
                          batch_size: int = 256) -> np.ndarray:
    """Zeiler and Fergus's occlusion experiment on one image (C, H, W): the softmax probability of class
    ``target`` with a ``patch`` × ``patch`` square of value ``fill`` over each position (top-left corners
    every ``stride`` pixels). Returns the map (rows, columns) of probabilities; where it falls below the
    unoccluded probability, the hidden pixels were evidence for the class."""
    image = np.asarray(as_array(image), dtype=np.float32)
    if image.ndim != 3 or patch > min(image.shape[1:]):
        raise ValueError(f"occlusion_sensitivity expects one image (C, H, W) at least {patch} pixels on a side, "
                         f"got shape {image.shape}")
    rows = range(0, image.shape[1] - patch + 1, stride)
    columns = range(0, image.shape[2] - patch + 1, stride)
    occluded = np.repeat(image[None], len(rows) * len(columns), axis=0)
    for k, (r, c) in enumerate((r, c) for r in rows for c in columns):
        occluded[k, :, r:r + patch, c:c + patch] = fill
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            probabilities = np.concatenate([as_array(softmax(model(as_tensor(occluded[i:i + batch_size])), dim=1))
                                            for i in range(0, len(occluded), batch_size)])
    finally:
        model.train(was_training)
    return probabilities[:, target].reshape(len(rows), len(columns))
