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
def autoencoder(out, quick=False, bottleneck=32, epochs=60, noise=0.3):
    """x̄ = h_θ₂(g_θ₁(x)), minimize dist(x, x̄); denoising: minimize dist(x, h(g(x + ε)))."""
    AutoEncoder = require("glassnet.models", "AutoEncoder", issue=6)
    corrupt = require("glassnet.models.autoencoder", "corrupt", issue=6)
    res = LabResult(out)
    epochs = epochs // 2 if quick else epochs
    X, _, Xt, _ = digits_split()
    rng = np.random.default_rng(0)
    noisy_test = np.clip(corrupt(Xt, "gaussian", noise, rng=rng).detach().numpy(), 0, 1)
    models = {}
    for name, noisy in (("auto-encoder", False), ("denoising auto-encoder", True)):
        manual_seed(0)
        model = AutoEncoder(64, hidden=(128,), bottleneck=bottleneck)
        opt = optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(epochs):
            order = rng.permutation(len(X))
            for i in range(0, len(X), 64):
                batch = X[order[i:i + 64]]
                inputs = np.clip(corrupt(batch, "gaussian", noise, rng=rng).detach().numpy(), 0, 1) if noisy else batch
                opt.zero_grad()
                F.mse_loss(model(tensor(inputs)), batch).backward()
                opt.step()
        models[name] = model
        model.eval()
        with no_grad():
            res.number(f"{name}: reconstruction MSE on clean held-out digits", F.mse_loss(model(tensor(Xt)), Xt).item())
            res.number(f"{name}: PSNR of noisy → output (dB)", psnr(Xt, model(tensor(noisy_test)).detach().numpy()))
    res.number("PSNR of the noisy digits themselves (dB)", psnr(Xt, noisy_test))
    gain = res.numbers[-2].value - res.numbers[-1].value
    res.check("the denoising auto-encoder removes noise (≥ 3 dB better than its input)", gain >= 3, f"+{gain:.1f} dB")
    with no_grad():
        rows = [Xt[:8], noisy_test[:8]] + [m(tensor(noisy_test[:8])).detach().numpy() for m in models.values()]
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


@lab("gan_2d", "GAN on a 2-D distribution (a ring of 8 Gaussians)", GAN_LECTURE,
     params={"epochs": "passes over the 4096 real samples", "latent": "size of the latent vector z"})
def gan_2d(out, quick=False, epochs=40, latent=8):
    """D: min −Σ log D(x_r) − Σ log(1 − D(x_f));  G (non-saturating): min −Σ log D(G(z))."""
    GAN = require("glassnet.models", "GAN", issue=6)
    GANTrainer = require("glassnet.models", "GANTrainer", issue=6)
    metrics = require("glassnet.models.generative_metrics", issue=6)
    res = LabResult(out)
    epochs = epochs // 2 if quick else epochs
    X, centers = metrics.ring_of_gaussians(4096, rng=1)
    manual_seed(1)
    gan = GAN.mlp(data_dim=2, latent_dim=latent, hidden=(128, 128))
    trainer = GANTrainer(gan, lr_g=1e-3, lr_d=1e-3, rng=2, verbose=0)
    history = trainer.fit(X, epochs=epochs, batch_size=128)
    if history["stopped"]:
        res.say(f"GANTrainer stopped early: {history['stopped']}")
    samples = gan.sample(2000, rng=3)
    covered, near = metrics.modes_covered(samples, centers, std=0.05)
    res.number("modes covered (of 8)", covered)
    res.number("share of samples within 3σ of a mode", near)
    res.number("final mean D(x_r) (½ at equilibrium)", history["d_real"][-1])
    res.check("the generator covers most modes (≥ 6 of 8)", covered >= 6, f"{covered} of 8")
    real = X[:2000]
    fig, (left, right) = subplots(1, 2, figsize=(12, 5))
    left.scatter(*real.T, s=3, alpha=0.4, label="real samples")
    left.scatter(*samples.T, s=3, alpha=0.4, label="generated G(z)")
    left.set(xlabel="x₁", ylabel="x₂", title=f"Real vs generated after {len(history['d_loss'])} epochs", aspect="equal")
    left.legend()
    right.plot(history["d_loss"], label="discriminator loss L_D")
    right.plot(history["g_loss"], label="generator loss −log D(G(z))")
    right.set(xlabel="epoch", ylabel="binary cross-entropy (per sample)", title="The two players' losses")
    right.legend()
    res.figure(fig, "gan_2d")
    res.say("D learns to tell real from generated points, G learns to fool it; as they balance, G's samples "
            "spread over the ring's modes.")
    return res
