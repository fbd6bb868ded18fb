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

from ..autograd import Tensor, as_array, get_rng, no_grad
from .analysis import _save
from .functional import softmax
from .layers.conv import Conv2d


def _grid(images: np.ndarray, path: str, title: str, columns: int = 8, symmetric: bool = True) -> str:
    """Images (n, h, w) in a grid, each with its own colour scale (centred on 0 when ``symmetric``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.3 * rows + 0.6), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image in zip(axes.ravel(), images):
        limit = np.abs(image).max() or 1.0
        ax.imshow(image, cmap="coolwarm" if symmetric else "viridis", vmin=-limit if symmetric else None,
                  vmax=limit if symmetric else None)
    fig.suptitle(title)
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


def activation_maximization(model, layer, channel: int, input_shape: tuple, steps: int = 200, lr: float = 0.1,
                            weight_decay: float = 1e-3, value_range=(0.0, 1.0), rng=None):
    """The input x (``input_shape``, e.g. (1, 28, 28)) that maximizes the mean activation a_c of channel
    (or unit) ``channel`` of the submodule ``layer``, by gradient ascent from faint noise:

        x ← clip(x + η g / ‖g‖,  value_range),   g = ∂(a_c(x) − λ‖x‖²)/∂x

    (the normalized step keeps η meaningful whatever the activation's scale; the L2 term λ keeps x from
    filling up with high-frequency patterns). Returns (x, the activation a_c at each step).
    """
    rng = get_rng(rng)
    low, high = value_range
    x = (low + (high - low) * (0.5 + 0.01 * rng.standard_normal((1, *input_shape)))).astype(np.float32)
    seen = []
    handle = layer.register_forward_hook(lambda module, args, out: seen.append(out))
    was_training = model.training
    model.eval()
    trace = []
    try:
        for _ in range(steps):
            image = Tensor(x, requires_grad=True)
            seen.clear()
            model(image)
            output = seen[-1]
            if not 0 <= channel < output.shape[1]:
                raise ValueError(f"activation_maximization: the layer has {output.shape[1]} channels, got "
                                 f"channel {channel}")
            activation = output[:, channel].mean()
            (activation - weight_decay * (image * image).sum()).backward()
            gradient = as_array(image.grad)
            x = np.clip(x + lr * gradient / (np.linalg.norm(gradient) + 1e-12), low, high).astype(np.float32)
            trace.append(activation.item())
    finally:
        handle.remove()
        model.train(was_training)
    return x[0], np.array(trace)


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
            probabilities = np.concatenate([as_array(softmax(model(Tensor(occluded[i:i + batch_size])), dim=1))
                                            for i in range(0, len(occluded), batch_size)])
    finally:
        model.train(was_training)
    return probabilities[:, target].reshape(len(rows), len(columns))
