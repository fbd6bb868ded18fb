"""Lab on seeing what a CNN learned (Zeiler and Fergus): LeNet-5 trained on the digits drawn at 28 × 28, its
filters, the feature maps of a digit, the inputs that most excite each class, and occlusion maps."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import nn, optim
from ..autograd import Tensor, as_array, as_tensor, manual_seed, no_grad
from ..models import LeNet5
from ..nn import functional as F
from ..nn.visualization import activation_maximization, feature_maps, occlusion_sensitivity, plot_filters
from ..train import Trainer
from .core import LabResult, lab, subplots
from .regression import digits_split

SEMINAR = ("004_aa9f223fe46a357a · How to Represent An Image? (Zeiler and Fergus, Visualizing and Understanding "
           "Convolutional Networks)")
LENET = "001_5f6f472c906b4f67 · 5.4 卷积神经网络 · LeNet"


def as_28(X: np.ndarray) -> np.ndarray:
    """8 × 8 digits (n, 64) drawn at LeNet's 28 × 28: each pixel a 3 × 3 block, a 2-pixel border; (n, 1, 28, 28)."""
    blocks = np.kron(X.reshape(-1, 8, 8), np.ones((3, 3), np.float32))
    return np.pad(blocks, ((0, 0), (2, 2), (2, 2)))[:, None]


def train_lenet(X, y, X_test, y_test, epochs: int, seed: int):
    """LeNet-5 (ReLU, max pooling) by Adam (η = 2·10⁻³, batches of 32); the held-out accuracy per epoch."""
    manual_seed(seed)
    net = LeNet5()
    trainer = Trainer(net, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=2e-3), metrics=["accuracy"],
                      batch_size=32, verbose=0)
    history = trainer.fit((X, y), val=(X_test, y_test), epochs=epochs)
    net.eval()
    return net, history["val_accuracy"]


@lab("cnn_visualization", "Seeing what a CNN learned: filters, feature maps, activation maximization, occlusion",
     f"{SEMINAR}; {LENET}", params={"epochs": "training epochs of LeNet-5", "seed": "random seed"})
def cnn_visualization(out, quick=False, epochs=5, seed=0):
    """Activation maximization: x ← x + η ∂(a_c(x) − λ‖x‖²)/∂x; occlusion: p(true class | a square erased at (i, j))."""
    res = LabResult(out)
    Path(out).mkdir(parents=True, exist_ok=True)
    epochs = 2 if quick else epochs
    X, y, X_test, y_test = digits_split()
    X, X_test = as_28(X), as_28(X_test)
    net, accuracy = train_lenet(X, y, X_test, y_test, epochs, seed)
    res.number("LeNet-5 held-out accuracy on the digits (28 × 28)", accuracy[-1])
    res.check("LeNet-5 learns the digits (≥ 90 % held out)", accuracy[-1] >= 0.9, f"{accuracy[-1]:.1%}")
    # 1. the filters, and the feature maps of one held-out digit
    res.figures += [Path(plot_filters(net.features[0], str(Path(out) / "lenet_conv1_filters.png"),
                                      "LeNet-5: the 6 learned 5 × 5 kernels of conv1")),
                    Path(plot_filters(net.features[3], str(Path(out) / "lenet_conv2_filters.png"),
                                      "LeNet-5: conv2's 16 × 6 kernels (a row per output map)"))]
    maps = feature_maps(net, X_test[:1])
    shapes = {name: m.shape[1:] for name, m in maps.items()}
    res.check("conv1 gives 6 maps of 28 × 28 (padding 2), conv2 16 maps of 10 × 10 (28/2 − 5 + 1)",
              list(shapes.values()) == [(6, 28, 28), (16, 10, 10)], str(shapes))
    # 2. activation maximization: the input each class's output unit likes best
    steps = 80 if quick else 150
    images, trace = activation_maximization(net, net.classifier[-1], range(10), (1, 28, 28), steps=steps, lr=0.5,
                                            weight_decay=1e-2, rng=seed)
    with no_grad():
        logits = as_array(net(as_tensor(images)))
        real = as_array(net(as_tensor(X_test)))
    res.check("each synthesized input is classified as the class it was made for",
              np.array_equal(logits.argmax(axis=1), np.arange(10)), str(logits.argmax(axis=1)))
    typical = np.array([real[y_test == c, c].mean() for c in range(10)])
    res.number("synthesized inputs: class logit (mean over classes)", np.diag(logits).mean(),
               note=f"real held-out digits: {typical.mean():.1f}")
    res.check("and excites its class unit more than the class's real digits do on average",
              np.all(np.diag(logits) > typical), f"{np.diag(logits).round(1)} vs {typical.round(1)}")
    # 3. occlusion: an 8 × 8 square of background (erasing what is under it) slid over one held-out digit of
    #    each class in steps of 2 pixels
    digits = [int(np.flatnonzero(y_test == c)[0]) for c in range(10)]
    heat, falls = [], []
    for k in digits:
        probability = occlusion_sensitivity(net, X_test[k], int(y_test[k]), patch=8, stride=2, fill=0.0)
        with no_grad():
            baseline = float(as_array(F.softmax(net(as_tensor(X_test[k:k + 1])), dim=1))[0, y_test[k]])
        heat.append(probability)
        falls.append(baseline - probability.min())
    res.number("occlusion: largest fall of p(true class) over the square's positions (median of 10 digits)",
               np.median(falls))
    res.check("erasing one 8 × 8 part of the strokes removes much of the evidence (median largest fall ≥ 0.3)",
              np.median(falls) >= 0.3, " ".join(f"{f:.2f}" for f in falls))
    fig, axes = subplots(2, 9, figsize=(15, 4), constrained_layout=True)
    axes[0, 0].imshow(X_test[0, 0], cmap="gray_r")
    axes[0, 0].set_title(f"input (a {y_test[0]})")
    for i in range(6):
        axes[0, i + 1].imshow(maps["features.0"][0, i], cmap="viridis")
        axes[0, i + 1].set_title(f"conv1 map {i}")
    for i in range(9):
        axes[1, i].imshow(maps["features.3"][0, i], cmap="viridis")
        axes[1, i].set_title(f"conv2 map {i}")
    for ax in axes.ravel():
        ax.set(xticks=[], yticks=[])
        if not ax.images:
            ax.axis("off")
    fig.suptitle("Feature maps of a held-out digit: conv1 finds strokes and edges, conv2 combines them")
    res.figure(fig, "cnn_feature_maps")
    fig, axes = subplots(2, 10, figsize=(15, 3.8), constrained_layout=True)
    for c in range(10):
        axes[0, c].imshow(images[c, 0], cmap="gray_r", vmin=0, vmax=1)
        axes[0, c].set_title(f"class {c}")
        axes[1, c].imshow(X_test[np.flatnonzero(y_test == c)[0], 0], cmap="gray_r", vmin=0, vmax=1)
    for ax in axes.ravel():
        ax.set(xticks=[], yticks=[])
    axes[0, 0].set_ylabel("maximizes\nthe class")
    axes[1, 0].set_ylabel("a real digit")
    fig.suptitle(f"Activation maximization: gradient ascent on the input, {steps} steps")
    res.figure(fig, "cnn_activation_maximization")
    shown = digits[::2]
    fig, axes = subplots(2, len(shown), figsize=(3 * len(shown), 6), constrained_layout=True, squeeze=False)
    for col, (k, probability) in enumerate(zip(shown, heat)):
        axes[0, col].imshow(X_test[k, 0], cmap="gray_r")
        axes[0, col].set_title(f"held-out {y_test[k]}")
        image = axes[1, col].imshow(probability, cmap="magma", vmin=0, vmax=1)
        axes[1, col].set_title("p(true class) by the square's top-left corner", fontsize=8)
        fig.colorbar(image, ax=axes[1, col], shrink=0.8)
    for ax in axes.ravel():
        ax.set(xticks=[], yticks=[])
    fig.suptitle("Occlusion sensitivity (Zeiler and Fergus): dark where erasing that part removes the evidence")
    res.figure(fig, "cnn_occlusion")
    res.say("The first layer's kernels are small stroke and edge detectors; deeper maps respond to combinations. "
            "Gradient ascent on the input shows the pattern each class unit wants, and erasing a square of "
            "a digit at a time shows which strokes the decision rests on.")
    return res
