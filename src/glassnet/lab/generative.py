"""Labs on unsupervised and generative models (they wait for issue 6's glassnet.models.AutoEncoder and GAN):
the auto-encoder and its denoising version on the digits, and a GAN on a 2-D distribution."""
from __future__ import annotations

import numpy as np

from .. import optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, require, subplots
from .regression import digits_split

AE = "000_9c09d12a8cbeeb62 · 3 常见神经网络 · 自编码器; 002 · De-noising auto-encoder"
GAN_LECTURE = "000_9c09d12a8cbeeb62 · 3 常见神经网络 · 生成对抗神经网络"


def psnr(clean: np.ndarray, other: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1]: 10 log₁₀(1 / MSE)."""
    return float(10 * np.log10(1.0 / np.mean((clean - other) ** 2)))


@lab("autoencoder", "Auto-encoder and denoising auto-encoder on the 8×8 digits", AE,
     params={"bottleneck": "size of the code", "epochs": "training epochs", "noise": "corruption σ"})
def autoencoder(out, quick=False, bottleneck=8, epochs=60, noise=0.3):
    """x̄ = h_θ₂(g_θ₁(x)), minimize dist(x, x̄); denoising: minimize dist(x, h(g(x + ε)))."""
    AutoEncoder = require("glassnet.models", "AutoEncoder", issue=6)
    res = LabResult(out)
    epochs = epochs // 4 if quick else epochs
    X, _, Xt, _ = digits_split()
    rng = np.random.default_rng(0)
    noisy_test = np.clip(Xt + rng.normal(0, noise, Xt.shape), 0, 1).astype(np.float32)
    models = {}
    for name, corrupt in (("auto-encoder", False), ("denoising auto-encoder", True)):
        manual_seed(0)
        model = AutoEncoder(in_features=64, bottleneck=bottleneck)
        opt = optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for i in range(0, len(X), 64):
                batch = X[order[i:i + 64]]
                inputs = np.clip(batch + rng.normal(0, noise, batch.shape), 0, 1).astype(np.float32) if corrupt else batch
                opt.zero_grad()
                F.mse_loss(model(tensor(inputs)), batch).backward()
                opt.step()
        models[name] = model
        model.eval()
        with no_grad():
            res.number(f"{name}: reconstruction MSE on clean held-out digits", F.mse_loss(model(tensor(Xt)), Xt).item())
            res.number(f"{name}: PSNR of noisy → output (dB)", psnr(Xt, model(tensor(noisy_test)).data))
    res.number("PSNR of the noisy digits themselves (dB)", psnr(Xt, noisy_test))
    gain = res.numbers[-2].value - res.numbers[-1].value
    res.check("the denoising auto-encoder removes noise (≥ 3 dB better than its input)", gain >= 3, f"+{gain:.1f} dB")
    with no_grad():
        rows = [Xt[:8], noisy_test[:8]] + [m(tensor(noisy_test[:8])).data for m in models.values()]
    fig, axes = subplots(4, 8, figsize=(10, 5.4))
    for r, (label, images) in enumerate(zip(("clean", "noisy input", "auto-encoder", "denoising AE"), rows)):
        for c in range(8):
            axes[r, c].imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            axes[r, c].set(xticks=[], yticks=[])
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle(f"Reconstructions through a {bottleneck}-number code (rows: clean, noisy, AE, denoising AE)")
    res.figure(fig, "autoencoder")
    res.say("The code of a few numbers is enough to redraw a digit; trained on corrupted inputs against clean "
            "targets, the network learns to remove the noise.")
    return res


def ring_of_gaussians(rng, n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05) -> np.ndarray:
    angles = 2 * np.pi * rng.integers(0, modes, n) / modes
    return (np.c_[np.cos(angles), np.sin(angles)] * radius + rng.normal(0, std, (n, 2))).astype(np.float32)


@lab("gan_2d", "GAN on a 2-D distribution (a ring of 8 Gaussians)", GAN_LECTURE,
     params={"steps": "alternating D / G updates", "latent": "size of the latent vector z"})
def gan_2d(out, quick=False, steps=3000, latent=8):
    """D: min −Σ log D(x_r) − Σ log(1 − D(x_f));  G (non-saturating): min −Σ log D(G(z))."""
    GAN = require("glassnet.models", "GAN", issue=6)
    res = LabResult(out)
    steps = steps // 3 if quick else steps
    rng = np.random.default_rng(0)
    manual_seed(0)
    gan = GAN(latent_dim=latent, data_dim=2)
    G, D = gan.generator, gan.discriminator
    opt_g = optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
    ones, zeros = np.ones(128, np.float32), np.zeros(128, np.float32)
    d_losses, g_losses = [], []
    for _ in range(steps):
        real = tensor(ring_of_gaussians(rng, 128))
        fake = G(tensor(rng.standard_normal((128, latent)).astype(np.float32)))
        opt_d.zero_grad()  # the lecture's discriminator loss, on logits
        d_loss = (F.binary_cross_entropy_with_logits(D(real).reshape(-1), ones)
                  + F.binary_cross_entropy_with_logits(D(fake.detach()).reshape(-1), zeros))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = F.binary_cross_entropy_with_logits(D(fake).reshape(-1), ones)
        g_loss.backward()
        opt_g.step()
        d_losses.append(d_loss.item())
        g_losses.append(g_loss.item())
    with no_grad():
        samples = G(tensor(rng.standard_normal((2000, latent)).astype(np.float32))).data
    centers = np.c_[np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)] * 2.0
    nearest = np.linalg.norm(samples[:, None] - centers[None], axis=-1)
    close = nearest.min(1) < 0.3
    covered = len(np.unique(nearest.argmin(1)[close]))
    res.number("modes covered (of 8)", covered)
    res.number("share of samples within 0.3 of a mode", close.mean())
    res.check("the generator covers most modes (≥ 6 of 8)", covered >= 6, f"{covered} of 8")
    real = ring_of_gaussians(rng, 2000)
    fig, (left, right) = subplots(1, 2, figsize=(12, 5))
    left.scatter(*real.T, s=3, alpha=0.4, label="real samples")
    left.scatter(*samples.T, s=3, alpha=0.4, label="generated G(z)")
    left.set(xlabel="x₁", ylabel="x₂", title=f"Real vs generated after {steps} steps", aspect="equal")
    left.legend()
    right.plot(d_losses, lw=0.6, label="discriminator loss")
    right.plot(g_losses, lw=0.6, label="generator loss")
    right.set(xlabel="step", ylabel="binary cross-entropy", title="The two players' losses")
    right.legend()
    res.figure(fig, "gan_2d")
    res.say("D learns to tell real from generated points, G learns to fool it; at equilibrium G's samples "
            "cover the ring's modes.")
    return res
