"""Lab on RBM pre-training (Hinton 2006): a 7-layer sigmoid network on the digits, its weights started by
a stack of RBMs, by a stack of auto-encoders, or at random, then trained by back-propagation alike."""
from __future__ import annotations

import numpy as np

from .. import nn, optim
from ..autograd import Tensor, as_array, as_tensor, manual_seed
from ..models import DBN
from ..models.generative_training import deep_classifier, pretrain_layerwise
from ..nn import functional as F
from ..train import Trainer
from .core import LabResult, lab, subplots
from .regression import digits_split

LESSON = "002_26639f9cc4b3e0cd · 权值消失 · RBM PRE-TRAINING"
HIDDEN, WIDTH = 6, 64  # six sigmoid layers of 64 units and the output layer: seven layers of weights
STARTS = ("none", "RBM", "auto-encoder")


def first_layer_gradient(net, X, y) -> float:
    """‖∂L/∂W₁‖ of the cross-entropy on the whole training set, the network as it is."""
    net.zero_grad()
    F.cross_entropy(net(as_tensor(X)), y).backward()
    return float(np.linalg.norm(as_array(net[0].weight.grad)))


def fine_tune(net, data, epochs: int, lr: float) -> list[float]:
    """Back-propagation: SGD with momentum 0.9 on mini-batches of 32; held-out accuracy after each epoch."""
    X, y, X_test, y_test = data
    trainer = Trainer(net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=lr, momentum=0.9),
                      metrics=["accuracy"], batch_size=32, verbose=0)
    return trainer.fit((X, y), val=(X_test, y_test), epochs=epochs)["val_accuracy"]


def compare_starts(data, seed: int, pretrain_epochs: int, epochs: int) -> dict:
    """For one seed: each start's first-layer gradient before fine-tuning and accuracy per epoch, and the
    first RBM's weights."""
    X, y = data[0], data[1]
    runs = {}
    for start in STARTS:
        manual_seed(seed)
        if start == "RBM":
            dbn = DBN([X.shape[1]] + [WIDTH] * HIDDEN, rng=seed)
            dbn.pretrain(X, epochs=pretrain_epochs, batch_size=10, lr=0.2, rng=seed)
            net = dbn.classifier(10)
        else:
            net = deep_classifier(X.shape[1], 10, HIDDEN, WIDTH, "sigmoid")
            if start == "auto-encoder":
                pretrain_layerwise([net[2 * i] for i in range(HIDDEN)], X, "sigmoid", pretrain_epochs, batch_size=32,
                                   lr=1e-2, rng=seed)
        gradient = first_layer_gradient(net, X, y)
        runs[start] = {"gradient": gradient, "accuracy": fine_tune(net, data, epochs, 0.2)}
    runs["filters"] = as_array(dbn.rbms[0].weight)
    return runs


@lab("rbm_pretraining", "RBM pre-training: a 7-layer sigmoid network, stacked RBMs vs auto-encoders vs none",
     LESSON, params={"seed": "first random seed", "seeds": "seeds compared (full mode)",
                     "epochs": "back-propagation epochs (full mode)"})
def rbm_pretraining(out, quick=False, seed=0, seeds=3, epochs=8):
    """Pre-training: RBM l learns the states of layer l − 1 by CD-1, ΔW = η(⟨h vᵀ⟩_data − ⟨h vᵀ⟩_model);
    then all 7 layers learn the labels by back-propagation. Without it, a deep sigmoid stack's gradient
    vanishes: each layer multiplies it by σ' ≤ ¼ and by small weights."""
    res = LabResult(out)
    seeds, epochs, pretrain_epochs = (1, 4, 6) if quick else (seeds, epochs, 10)
    data = digits_split()
    runs = [compare_starts(data, s, pretrain_epochs, epochs) for s in range(seed, seed + seeds)]
    for start in STARTS:
        gradients = [run[start]["gradient"] for run in runs]
        finals = [run[start]["accuracy"][-1] for run in runs]
        res.number(f"{start}: first-layer gradient ‖∂L/∂W₁‖ before back-propagation (mean of {seeds} seeds)",
                   np.mean(gradients))
        res.number(f"{start}: held-out accuracy after {epochs} epochs (mean of {seeds} seeds)", np.mean(finals),
                   note=f"seeds: {', '.join(f'{a:.2f}' for a in finals)}")
    ratios = [run["RBM"]["gradient"] / run["none"]["gradient"] for run in runs]
    res.check("RBM pre-training starts with a first-layer gradient ≥ 10× the unpretrained one (every seed)",
              min(ratios) >= 10, ", ".join(f"×{r:.0f}" for r in ratios))
    gains = [run["RBM"]["accuracy"][-1] - run["none"]["accuracy"][-1] for run in runs]
    res.check(f"and ends with higher held-out accuracy after the same {epochs} epochs (every seed, by ≥ 0.2)",
              min(gains) >= 0.2, ", ".join(f"+{g:.2f}" for g in gains))

    first = runs[0]
    fig, (left, middle) = subplots(1, 2, figsize=(12, 4.2), constrained_layout=True)
    for start in STARTS:
        middle.plot(range(1, epochs + 1), first[start]["accuracy"], "o-", label=f"{start} pre-training")
        left.bar(start, np.mean([run[start]["gradient"] for run in runs]))
    left.set(yscale="log", ylabel="‖∂L/∂W₁‖ at the start (log scale)", title="First-layer gradient before fine-tuning")
    middle.set(xlabel="back-propagation epoch", ylabel="held-out accuracy", ylim=(0, 1),
               title=f"7-layer sigmoid network on the digits (seed {seed})")
    middle.legend()
    res.figure(fig, "rbm_pretraining")
    fig, axes = subplots(4, 8, figsize=(9, 4.8))
    for ax, image in zip(axes.ravel(), first["filters"][:32].reshape(32, 8, 8)):
        limit = np.abs(image).max()
        ax.imshow(image, cmap="coolwarm", vmin=-limit, vmax=limit)
        ax.set(xticks=[], yticks=[])
    fig.suptitle("The first RBM's filters: weights W_j· of 32 hidden units as 8 × 8 images (red +, blue −)")
    res.figure(fig, "rbm_filters")
    res.say("With random weights the gradient reaching the first of seven sigmoid layers is thousands of times "
            "smaller than the last one's, and SGD barely moves it: the network stays at chance. Stacked RBMs, "
            "each trained without labels on the layer below, start the network where every layer already "
            "carries the digit's features, so back-propagation has something to refine.")
    return res
