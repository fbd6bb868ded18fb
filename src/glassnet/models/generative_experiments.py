"""The measured experiments of the generative models, each writing its figures to ``out_dir`` and
returning its numbers: a 2-D GAN tracked per epoch, GAN/VAE digit samples judged by a digit
classifier, reconstruction error vs bottleneck, denoising PSNR, the 2-D latent space, and
layer-wise pre-training against training a deep sigmoid network from scratch."""
from __future__ import annotations

import os

import numpy as np

from .. import nn
from ..autograd import Tensor, as_tensor, get_rng, manual_seed, no_grad
from ..nn import functional as F
from .autoencoder import VAE, AutoEncoder, corrupt, psnr
from .gan import GAN, GANTrainer
from .generative_metrics import energy_distance, mmd_rbf, modes_covered, ring_of_gaussians, spiral
from .generative_training import (
    deep_classifier, fit_classifier, fit_unsupervised, pretrain_layerwise, reconstruction_loss,
    variational_loss,
)


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, out_dir: str, name: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return path


def load_digits_01():
    """scikit-learn's bundled 8x8 digits as (X in [0, 1] float32 (1797, 64), labels)."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    return (digits.data / 16).astype(np.float32), digits.target


def _split(n: int, test: int, rng):
    order = rng.permutation(n)
    return order[test:], order[:test]


# ----- 2-D GAN -----
def gan_2d(dataset: str = "ring8", epochs: int = 40, n_samples: int = 4096, seed: int = 0,
           out_dir: str = "out/gan", verbose: int = 1, **trainer_options) -> dict:
    """Train a dense GAN on the ring of 8 Gaussians or a spiral; per epoch, modes covered (ring)
    and the MMD and energy distance between 1,000 generated and 1,000 real samples."""
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    if dataset == "ring8":
        X, centers = ring_of_gaussians(n_samples, rng=rng)
    elif dataset == "spiral":
        X, centers = spiral(n_samples, rng=rng), None
    else:
        raise ValueError(f"gan_2d: unknown data set '{dataset}' (choose 'ring8' or 'spiral')")
    gan = GAN.mlp(2, latent_dim=8, hidden=(128, 128))
    options = dict(lr_g=1e-3, lr_d=1e-3, rng=seed + 1, verbose=verbose, n_snapshot=1000)
    trainer = GANTrainer(gan, **{**options, **trainer_options})
    history = trainer.fit(X, epochs=epochs, batch_size=128)
    reference = X[rng.choice(len(X), 1000, replace=False)]
    metrics = {"modes": [], "high_quality": [], "mmd": [], "energy": []}
    for snapshot in history["snapshots"]:
        if centers is not None:
            covered, quality = modes_covered(snapshot, centers, std=0.05)
            metrics["modes"].append(covered)
            metrics["high_quality"].append(quality)
        metrics["mmd"].append(mmd_rbf(snapshot, reference))
        metrics["energy"].append(energy_distance(snapshot, reference))
    plt = _pyplot()
    shown = sorted({0, len(history["snapshots"]) // 3, 2 * len(history["snapshots"]) // 3,
                    len(history["snapshots"]) - 1})
    fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.2))
    for ax, epoch in zip(np.atleast_1d(axes), shown):
        ax.scatter(*reference.T, s=3, c="lightgray", label="real")
        ax.scatter(*history["snapshots"][epoch].T, s=3, c="tab:red", label="generated")
        ax.set(title=f"epoch {epoch + 1}", xlabel="x₁", ylabel="x₂", xlim=(-3, 3), ylim=(-3, 3))
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=7)
    fig.suptitle(f"GAN on the {dataset} distribution: G(z) for a fixed z", y=1.04)
    figures = [_save(fig, out_dir, f"gan_{dataset}_samples.png")]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    epochs_axis = np.arange(1, len(history["d_loss"]) + 1)
    ax1.plot(epochs_axis, history["d_loss"], label="D loss (per sample, real + fake)")
    ax1.plot(epochs_axis, history["g_loss"], label="G loss")
    ax1.set(xlabel="epoch", ylabel="loss", title="losses")
    ax1.legend()
    ax2.plot(epochs_axis, metrics["mmd"], label="MMD² (RBF)")
    ax2.plot(epochs_axis, metrics["energy"], label="energy distance")
    ax2.set(xlabel="epoch", ylabel="distance to the real samples", yscale="log", title="sample quality")
    if metrics["modes"]:
        twin = ax2.twinx()
        twin.plot(epochs_axis, metrics["modes"], "k--", label="modes covered (of 8)")
        twin.set(ylabel="modes covered", ylim=(0, 8.5))
        twin.legend(loc="center left")
    ax2.legend(loc="lower left")
    figures.append(_save(fig, out_dir, f"gan_{dataset}_curves.png"))
    return {"history": history, "metrics": metrics, "figures": figures, "stopped": history["stopped"]}


# ----- digits -----
def digit_classifier(X, y, epochs: int = 30, seed: int = 0):
    """A small MLP that judges generated digits (its mean confidence max softmax)."""
    manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    fit_classifier(model, X, y, X[:10], y[:10], epochs, rng=seed)
    return model


def confidence(classifier, samples) -> float:
    with no_grad():
        return float(F.softmax(classifier(as_tensor(np.asarray(samples, np.float32))), 1).detach().numpy().max(1).mean())


def _digit_grid(samples, out_dir, name, title) -> str:
    plt = _pyplot()
    fig, axes = plt.subplots(6, 6, figsize=(5, 5))
    for ax, image in zip(axes.flat, samples):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.axis("off")
    fig.suptitle(title)
    return _save(fig, out_dir, name)


def digits_generation(model: str = "vae", epochs: int = 60, seed: int = 0, out_dir: str = "out/generative",
                      verbose: int = 1) -> dict:
    """Train a GAN or a VAE on the 8x8 digits; a sample grid, and a digit classifier's mean
    confidence on generated samples beside its confidence on real held-out digits."""
    X, y = load_digits_01()
    rng = np.random.default_rng(seed)
    train, test = _split(len(X), 300, rng)
    judge = digit_classifier(X[train], y[train], seed=seed)
    manual_seed(seed)
    if model == "vae":
        vae = VAE(64, hidden=(128,), latent=8, rng=seed)
        curve = fit_unsupervised(vae, X[train], variational_loss, epochs, lr=2e-3, rng=seed, verbose=verbose,
                                 desc="VAE")
        samples = vae.sample(500, rng=seed)
    elif model == "gan":
        gan = GAN.mlp(64, latent_dim=16, hidden=(128, 128), output_activation="sigmoid")
        history = GANTrainer(gan, lr_g=1e-3, lr_d=5e-4, label_smoothing=0.1, rng=seed, verbose=verbose,
                             n_snapshot=36).fit(X[train], epochs=epochs, batch_size=64)
        curve = history["g_loss"]
        samples = gan.sample(500, rng=seed)
    else:
        raise ValueError(f"digits_generation: model must be 'vae' or 'gan', got '{model}'")
    figure = _digit_grid(samples, out_dir, f"{model}_digits.png", f"{model.upper()} samples of 8x8 digits")
    return {"loss_curve": curve, "confidence_generated": confidence(judge, samples),
            "confidence_real": confidence(judge, X[test]), "figures": [figure]}


def bottleneck_sweep(bottlenecks=(2, 4, 8, 16, 32), epochs: int = 40, seed: int = 0,
                     out_dir: str = "out/generative", verbose: int = 1) -> dict:
    """Held-out reconstruction MSE of a dense auto-encoder for each bottleneck size."""
    X, _ = load_digits_01()
    train, test = _split(len(X), 300, np.random.default_rng(seed))
    errors = []
    for size in bottlenecks:
        manual_seed(seed)
        model = AutoEncoder(64, hidden=(128,), bottleneck=size)
        fit_unsupervised(model, X[train], reconstruction_loss(), epochs, rng=seed, verbose=verbose,
                         desc=f"bottleneck {size}")
        with no_grad():
            errors.append(float(np.mean((model(as_tensor(X[test])).detach().numpy() - X[test]) ** 2)))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(bottlenecks, errors, "o-")
    ax.set(xscale="log", xlabel="bottleneck size (code dimensions)", ylabel="held-out reconstruction MSE",
           title="Auto-encoder on 8x8 digits: error vs bottleneck")
    ax.set_xticks(list(bottlenecks), [str(b) for b in bottlenecks])
    return {"bottlenecks": list(bottlenecks), "errors": errors,
            "figures": [_save(fig, out_dir, "ae_bottleneck.png")]}


def denoising(mode: str = "gaussian", level: float = 0.3, epochs: int = 60, seed: int = 0,
              out_dir: str = "out/generative", verbose: int = 1) -> dict:
    """Train a denoising auto-encoder on corrupted digits; PSNR of the noisy and of the denoised
    held-out digits against the clean ones."""
    X, _ = load_digits_01()
    train, test = _split(len(X), 300, np.random.default_rng(seed))
    manual_seed(seed)
    model = AutoEncoder(64, hidden=(128,), bottleneck=32)
    rng = get_rng(seed + 1)
    fit_unsupervised(model, X[train], reconstruction_loss((mode, level), rng), epochs, rng=seed,
                     verbose=verbose, desc="denoising AE")
    noisy = np.clip(corrupt(X[test], mode, level, rng=seed + 2).detach().numpy(), 0, 1)
    with no_grad():
        cleaned = model(as_tensor(noisy)).detach().numpy()
    result = {"psnr_noisy": psnr(X[test], noisy), "psnr_denoised": psnr(X[test], cleaned)}
    plt = _pyplot()
    fig, axes = plt.subplots(3, 8, figsize=(8, 3.3))
    for col in range(8):
        for row, (images, label) in enumerate(((X[test], "clean"), (noisy, "noisy"), (cleaned, "denoised"))):
            axes[row, col].imshow(images[col].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            axes[row, col].set_xticks([]), axes[row, col].set_yticks([])
            if col == 0:
                axes[row, col].set_ylabel(label)
    fig.suptitle(f"Denoising auto-encoder ({mode}, level {level}): PSNR {result['psnr_noisy']:.1f} dB "
                 f"-> {result['psnr_denoised']:.1f} dB")
    result["figures"] = [_save(fig, out_dir, "dae_examples.png")]
    return result


def latent_space(epochs: int = 60, seed: int = 0, out_dir: str = "out/generative", verbose: int = 1) -> dict:
    """A 2-D bottleneck auto-encoder's codes of all digits, colored by class."""
    X, y = load_digits_01()
    manual_seed(seed)
    model = AutoEncoder(64, hidden=(128, 32), bottleneck=2)
    curve = fit_unsupervised(model, X, reconstruction_loss(), epochs, rng=seed, verbose=verbose, desc="2-D AE")
    with no_grad():
        codes = model.encode(as_tensor(X)).detach().numpy()
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    points = ax.scatter(*codes.T, c=y, cmap="tab10", s=6)
    fig.colorbar(points, ax=ax, label="digit")
    ax.set(xlabel="code z₁", ylabel="code z₂", title="Auto-encoder latent space (bottleneck 2)")
    return {"loss_curve": curve, "figures": [_save(fig, out_dir, "ae_latent_2d.png")]}


def pretraining_comparison(depth: int = 6, width: int = 64, epochs: int = 20, pretrain_epochs: int = 20,
                           seed: int = 0, out_dir: str = "out/generative", verbose: int = 0) -> dict:
    """A deep sigmoid classifier on the digits, trained from scratch vs. after greedy layer-wise
    pre-training: test accuracy and the first layer's gradient norm per epoch."""
    X, y = load_digits_01()
    rng = np.random.default_rng(seed)
    train, test = _split(len(X), 300, rng)
    runs = {}
    for name in ("scratch", "pretrained"):
        manual_seed(seed)
        model = deep_classifier(64, 10, depth, width, "sigmoid")
        if name == "pretrained":
            hidden = [m for m in model if isinstance(m, nn.Linear)][:depth]
            pretrain_layerwise(hidden, X[train], "sigmoid", pretrain_epochs, rng=seed, verbose=verbose)
        runs[name] = fit_classifier(model, X[train], y[train], X[test], y[test], epochs, rng=seed)
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name, record in runs.items():
        ax1.plot(range(1, epochs + 1), record["accuracy"], label=name)
        ax2.plot(range(1, epochs + 1), record["first_layer_grad"], label=name)
    ax1.set(xlabel="fine-tuning epoch", ylabel="test accuracy", title=f"{depth}-layer sigmoid network")
    ax2.set(xlabel="fine-tuning epoch", ylabel="‖∂L/∂W₁‖ (mean per batch)", yscale="log",
            title="gradient reaching the first layer")
    ax1.legend(), ax2.legend()
    return {**runs, "figures": [_save(fig, out_dir, "pretraining.png")]}
