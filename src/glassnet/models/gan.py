"""Generative adversarial network: a generator G maps latent z to samples x_f = G(z); a discriminator
D is a binary classifier of real (y = 1) against generated (y = 0) samples.

The lectures' discriminator loss (binary cross-entropy over both kinds of samples):

    L_D = -Σ_{x_r ~ p_r} log D(x_r) - Σ_{x_f ~ p_g} log(1 - D(x_f))

The generator either minimizes the original minimax objective Σ log(1 - D(G(z))) — which saturates:
when D rejects the fakes confidently, its gradient vanishes — or the non-saturating one
-Σ log D(G(z)) (Goodfellow et al. 2014), the default. D outputs logits; the losses use the fused,
stable BCE-with-logits.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .. import nn, optim
from ..autograd import Tensor, as_tensor, get_rng, no_grad
from ..nn import functional as F
from .autoencoder import mlp

GENERATOR_LOSSES = ("non_saturating", "minimax")


class GAN(nn.Module):
    """A generator and a discriminator; ``sample(n)`` draws z ~ N(0, 1) and returns G(z)."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module, latent_dim: int):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim

    @classmethod
    def mlp(cls, data_dim: int, latent_dim: int = 8, hidden=(64, 64), activation: str = "leaky_relu",
            output_activation: str | None = None) -> "GAN":
        """Dense G: latent -> hidden -> data (``output_activation='sigmoid'`` for pixels in [0, 1]);
        dense D: data -> hidden -> 1 logit."""
        generator = mlp([latent_dim, *hidden, data_dim], activation, output_activation)
        discriminator = mlp([data_dim, *hidden[::-1], 1], activation)
        return cls(generator, discriminator, latent_dim)

    def noise(self, n: int, rng=None) -> Tensor:
        dtype = next(self.generator.parameters()).dtype
        return as_tensor(get_rng(rng).standard_normal((n, self.latent_dim)).astype(dtype))

    def sample(self, n: int, rng=None) -> np.ndarray:
        with no_grad():
            return self.generator(self.noise(n, rng)).detach().numpy()

    def forward(self, z):
        return self.generator(z)


class GANTrainingStopped(RuntimeError):
    """Training stopped because a loss became NaN/inf or the discriminator won outright."""


class GANTrainer:
    """Alternating updates: ``d_steps`` of D on a real and a fake batch, then one of G.

    ``label_smoothing`` s uses 1 - s as the real label for D (one-sided smoothing). Each epoch
    records the mean D and G losses, the mean D(x_r) and D(x_f), and a snapshot G(z_fixed) of a
    fixed noise batch. A NaN/inf loss, or a D loss below ``collapse_threshold`` for
    ``collapse_patience`` epochs (D wins, G gets no gradient), stops training with the reason in
    ``history['stopped']`` and a printed message (``raise_on_stop=True`` raises instead).
    """

    def __init__(self, gan: GAN, lr_g: float = 2e-4, lr_d: float = 2e-4, betas=(0.5, 0.999),
                 generator_loss: str = "non_saturating", label_smoothing: float = 0.0, d_steps: int = 1,
                 n_snapshot: int = 256, collapse_threshold: float = 1e-3, collapse_patience: int = 3,
                 raise_on_stop: bool = False, rng=None, verbose: int = 1):
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}, got '{generator_loss}'")
        if not 0.0 <= label_smoothing < 0.5:
            raise ValueError(f"label_smoothing must be in [0, 0.5), got {label_smoothing}")
        self.gan, self.generator_loss, self.label_smoothing = gan, generator_loss, label_smoothing
        self.d_steps, self.verbose = d_steps, verbose
        self.rng = get_rng(rng) if rng is not None else np.random.default_rng(get_rng().integers(2**32))
        self.opt_g = optim.Adam(gan.generator.parameters(), lr=lr_g, betas=betas)
        self.opt_d = optim.Adam(gan.discriminator.parameters(), lr=lr_d, betas=betas)
        self.fixed_noise = gan.noise(n_snapshot, self.rng)
        self.collapse_threshold, self.collapse_patience = collapse_threshold, collapse_patience
        self.raise_on_stop = raise_on_stop
        self.history = {"d_loss": [], "g_loss": [], "d_real": [], "d_fake": [], "snapshots": [], "stopped": None}

    def discriminator_step(self, real: Tensor) -> tuple[float, float, float]:
        """One update of D on L_D; returns (L_D per sample, mean D(x_r), mean D(x_f))."""
        gan = self.gan
        with no_grad():
            fake = gan.generator(gan.noise(len(real), self.rng))
        self.opt_d.zero_grad()
        logits_real, logits_fake = gan.discriminator(real), gan.discriminator(fake)
        y_real = np.full(logits_real.shape, 1.0 - self.label_smoothing, dtype=logits_real.dtype)
        loss = (F.binary_cross_entropy_with_logits(logits_real, y_real, reduction="sum")
                + F.binary_cross_entropy_with_logits(logits_fake, np.zeros_like(y_real), reduction="sum")) \
            / len(real)
        loss.backward()
        self.opt_d.step()
        return loss.item(), float(F.sigmoid(logits_real).detach().numpy().mean()), float(F.sigmoid(logits_fake).detach().numpy().mean())

    def generator_step(self, batch_size: int) -> float:
        """One update of G on the chosen generator loss; returns it per sample."""
        gan = self.gan
        self.opt_g.zero_grad()
        logits = gan.discriminator(gan.generator(gan.noise(batch_size, self.rng)))
        if self.generator_loss == "non_saturating":   # -log D(G(z))
            loss = F.binary_cross_entropy_with_logits(logits, np.ones(logits.shape, logits.dtype))
        else:                                          # log(1 - D(G(z))) = -BCE(D(G(z)), 0)
            loss = -F.binary_cross_entropy_with_logits(logits, np.zeros(logits.shape, logits.dtype))
        loss.backward()
        self.gan.discriminator.zero_grad()  # D's gradients from G's step are not used
        self.opt_g.step()
        return loss.item()

    def fit(self, X, epochs: int = 100, batch_size: int = 128) -> dict:
        X = np.asarray(getattr(X, "data", X), dtype=self.fixed_noise.dtype)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"GANTrainer.fit expects samples of shape (n, features), got {X.shape}")
        bar = tqdm(range(epochs), desc="GAN", disable=not self.verbose)
        for epoch in bar:
            sums = np.zeros(4)
            order = self.rng.permutation(len(X))
            n_batches = max(len(X) // batch_size, 1)  # full batches only (all of X if it is smaller)
            for b in range(n_batches):
                real = as_tensor(X[order[b * batch_size:(b + 1) * batch_size]])
                for _ in range(self.d_steps):
                    d_loss, d_real, d_fake = self.discriminator_step(real)
                g_loss = self.generator_step(len(real))
                sums += (d_loss, g_loss, d_real, d_fake)
            means = sums / n_batches
            for key, value in zip(("d_loss", "g_loss", "d_real", "d_fake"), means):
                self.history[key].append(float(value))
            self.history["snapshots"].append(self._snapshot())
            bar.set_postfix(d_loss=f"{means[0]:.3f}", g_loss=f"{means[1]:.3f}")
            reason = self._stop_reason(epoch)
            if reason:
                self.history["stopped"] = reason
                if self.raise_on_stop:
                    raise GANTrainingStopped(reason)
                print(f"GANTrainer stopped: {reason}")
                break
        return self.history

    def _snapshot(self) -> np.ndarray:
        with no_grad():
            return self.gan.generator(self.fixed_noise).detach().numpy().copy()

    def _stop_reason(self, epoch: int) -> str | None:
        d, g = self.history["d_loss"][-1], self.history["g_loss"][-1]
        if not (np.isfinite(d) and np.isfinite(g)):
            return f"a loss became {'NaN' if np.isnan(d) or np.isnan(g) else 'infinite'} in epoch {epoch + 1} " \
                   f"(D loss {d}, G loss {g}); lower the learning rates"
        recent = self.history["d_loss"][-self.collapse_patience:]
        if len(recent) == self.collapse_patience and max(recent) < self.collapse_threshold:
            return (f"the discriminator's loss stayed below {self.collapse_threshold} for "
                    f"{self.collapse_patience} epochs (epoch {epoch + 1}): D rejects every fake and G "
                    f"gets no useful gradient")
        return None
