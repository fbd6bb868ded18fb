"""Training loops of the unsupervised models: reconstruction (auto-encoders, VAE) and the greedy
layer-wise pre-training of a deep network by stacked auto-encoders (Hinton 2006's idea, with
auto-encoders in place of RBMs): each layer learns to reconstruct the output of the layer below,
then the stack initializes the deep network, which is fine-tuned as usual.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .. import nn, optim
from ..autograd import Tensor, as_tensor, get_rng, no_grad
from ..nn import functional as F
from .autoencoder import ACTIVATIONS, corrupt, vae_loss


def fit_unsupervised(model, X, batch_loss, epochs: int = 20, batch_size: int = 64, lr: float = 1e-3,
                     rng=None, verbose: int = 1, desc: str = "training") -> list[float]:
    """Minibatch Adam on ``batch_loss(model, x_batch) -> loss``; returns the mean loss per epoch.
    Stops with a clear error if the loss becomes NaN or infinite."""
    X = np.asarray(getattr(X, "data", X), dtype=np.float32)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"{desc}: expected samples of shape (n, features...), got {X.shape}")
    rng = get_rng(rng)
    opt = optim.Adam(model.parameters(), lr=lr)
    curve = []
    model.train()
    for epoch in tqdm(range(epochs), desc=desc, disable=not verbose):
        total = 0.0
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = as_tensor(X[order[start:start + batch_size]])
            opt.zero_grad()
            loss = batch_loss(model, batch)
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        curve.append(total / len(X))
        if not np.isfinite(curve[-1]):
            raise FloatingPointError(f"{desc}: the loss became {curve[-1]} in epoch {epoch + 1}; lower lr")
    model.eval()
    return curve


def reconstruction_loss(corruption: tuple | None = None, rng=None):
    """L = MSE(h(g(x̃)), x), with x̃ = x or x corrupted by ``corruption`` = (mode, level)."""
    def loss(model, x):
        noisy = x if corruption is None else corrupt(x, corruption[0], corruption[1], rng)
        return F.mse_loss(model(noisy), x.detach())
    return loss


def variational_loss(model, x):
    return vae_loss(*model(x), x)


def pretrain_layerwise(layers, X, activation: str = "sigmoid", epochs: int = 20, batch_size: int = 64,
                       lr: float = 3e-3, corruption: tuple | None = ("masking", 0.3), rng=None,
                       verbose: int = 0) -> list[float]:
    """Greedy layer-wise pre-training: train each ``nn.Linear`` in ``layers`` as the encoder of a
    one-hidden-layer (by default denoising) auto-encoder on the activations of the layers below it.
    Returns the final reconstruction loss of each layer."""
    rng = get_rng(rng)
    act = ACTIVATIONS[activation]
    inputs = np.asarray(X, np.float32)
    losses = []
    for i, layer in enumerate(layers):
        decoder = nn.Linear(layer.out_features, layer.in_features)
        autoencoder = nn.Sequential(layer, act(), decoder)
        losses.append(fit_unsupervised(autoencoder, inputs, reconstruction_loss(corruption, rng), epochs,
                                       batch_size, lr, rng, verbose, desc=f"pre-training layer {i + 1}")[-1])
        with no_grad():
            inputs = act()(layer(as_tensor(inputs))).detach().numpy()
    return losses


def deep_classifier(in_features: int, n_classes: int, depth: int, width: int, activation: str) -> nn.Sequential:
    layers = []
    for i in range(depth):
        layers += [nn.Linear(in_features if i == 0 else width, width), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers, nn.Linear(width, n_classes))


def fit_classifier(model, X, y, X_test, y_test, epochs: int, batch_size: int = 64, lr: float = 1e-3,
                   rng=None) -> dict:
    """Supervised fine-tuning; records test accuracy and the first layer's gradient norm per epoch."""
    rng = get_rng(rng)
    opt = optim.Adam(model.parameters(), lr=lr)
    first = next(m for m in model.modules() if isinstance(m, nn.Linear))
    record = {"accuracy": [], "first_layer_grad": []}
    for _ in range(epochs):
        model.train()
        norms = []
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            F.cross_entropy(model(as_tensor(X[idx])), y[idx]).backward()
            norms.append(float(np.linalg.norm(first.weight.grad)))
            opt.step()
        model.eval()
        with no_grad():
            record["accuracy"].append(float((model(as_tensor(X_test)).argmax(1) == y_test).mean()))
        record["first_layer_grad"].append(float(np.mean(norms)))
    return record
