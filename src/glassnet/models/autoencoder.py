"""Auto-encoders: x is its own supervision (self-supervised learning).

The lectures: minimize L = dist(x, x̄) with x̄ = h_θ₂(g_θ₁(x)) — the encoder g maps x to a code,
the decoder h maps the code back, and both are trained together by back-propagation. A denoising
auto-encoder reconstructs the clean x from a corrupted x̃ (masking or Gaussian noise). The
variational auto-encoder (VAE) encodes a distribution q(z|x) = N(μ, σ²) and samples
z = μ + σ·ε (the reparameterization trick, ε ~ N(0, 1)), so that its loss
reconstruction + KL(q(z|x) ‖ N(0, 1)) can be back-propagated through the sampling.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd import Tensor, as_array, as_tensor, get_rng
from ..nn import functional as F

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU,
               "elu": nn.ELU, "softplus": nn.Softplus}


def mlp(sizes, activation: str = "relu", last_activation: str | None = None) -> nn.Sequential:
    """Linear layers of the given sizes with ``activation`` between them (and after the last one,
    ``last_activation``)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation '{activation}' (choose from {sorted(ACTIVATIONS)})")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    if last_activation:
        layers.append(ACTIVATIONS[last_activation]())
    return nn.Sequential(*layers)


def corrupt(x, mode: str = "gaussian", level: float = 0.3, rng=None) -> Tensor:
    """x̃ for a denoising auto-encoder: ``'gaussian'`` adds N(0, level²) noise; ``'masking'`` sets
    each element to 0 with probability ``level``."""
    data = as_array(x)
    rng = get_rng(rng)
    if mode == "gaussian":
        noisy = data + rng.standard_normal(data.shape).astype(data.dtype) * level
    elif mode == "masking":
        noisy = data * (rng.random(data.shape) >= level)
    else:
        raise ValueError(f"corrupt: mode must be 'gaussian' or 'masking', got '{mode}'")
    return as_tensor(noisy.astype(data.dtype, copy=False))


class _EncoderDecoder(nn.Module):
    """x̄ = h(g(x)) with g = ``self.encoder`` and h = ``self.decoder``."""

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class AutoEncoder(_EncoderDecoder):
    """Dense auto-encoder in_features -> hidden... -> bottleneck -> ...hidden -> in_features.

    ``output_activation='sigmoid'`` suits data in [0, 1] (pixels); ``None`` gives a linear output.
    ``encode`` gives the code g(x), ``decode`` the reconstruction h(z), ``forward`` x̄ = h(g(x)).
    """

    def __init__(self, in_features: int, hidden=(64,), bottleneck: int = 2, activation: str = "relu",
                 output_activation: str | None = "sigmoid"):
        super().__init__()
        if bottleneck < 1 or in_features < 1:
            raise ValueError(f"AutoEncoder needs in_features >= 1 and bottleneck >= 1, got "
                             f"{in_features} and {bottleneck}")
        self.in_features, self.hidden, self.bottleneck = in_features, tuple(hidden), bottleneck
        self.activation, self.output_activation = activation, output_activation
        sizes = [in_features, *hidden, bottleneck]
        self.encoder = mlp(sizes, activation)
        self.decoder = mlp(sizes[::-1], activation, output_activation)

    def reconstruction_loss(self, x, target=None):
        """dist(x, x̄) as the mean squared error (``target`` is the clean x for denoising)."""
        x = as_tensor(x)
        return F.mse_loss(self(x), x.detach() if target is None else as_array(target))


class ConvAutoEncoder(_EncoderDecoder):
    """Convolutional auto-encoder for (N, C, H, W) images with H, W divisible by 4: two stride-2
    3x3 convolutions (H -> H/4) and a dense bottleneck; the decoder mirrors them with transposed
    convolutions and ends in a sigmoid (pixels in [0, 1])."""

    def __init__(self, in_channels: int = 1, image_size: int = 8, bottleneck: int = 8, channels=(16, 32)):
        super().__init__()
        if image_size % 4 or image_size < 4:
            raise ValueError(f"ConvAutoEncoder needs an image size divisible by 4, got {image_size}")
        self.in_channels, self.image_size, self.bottleneck = in_channels, image_size, bottleneck
        self.channels = tuple(channels)
        c1, c2 = channels
        side = image_size // 4
        self.encoder = nn.Sequential(
            nn.Conv2d(in_channels, c1, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(c2 * side * side, bottleneck))
        self.decoder = nn.Sequential(
            nn.Linear(bottleneck, c2 * side * side), nn.ReLU(), nn.Unflatten(1, (c2, side, side)),
            nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(c1, in_channels, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())


class VAE(nn.Module):
    """Variational auto-encoder with a Gaussian code of ``latent`` dimensions and a Bernoulli decoder
    (logits; data in [0, 1]). ``forward`` returns (logits of x̄, μ, log σ²)."""

    def __init__(self, in_features: int, hidden=(128,), latent: int = 2, activation: str = "relu", rng=None):
        super().__init__()
        self.in_features, self.hidden, self.latent, self.rng = in_features, tuple(hidden), latent, rng
        self.activation = activation
        self.body = mlp([in_features, *hidden], activation, activation)
        self.mu = nn.Linear(hidden[-1], latent)
        self.log_var = nn.Linear(hidden[-1], latent)
        self.decoder = mlp([latent, *hidden[::-1], in_features], activation)

    def encode(self, x):
        h = self.body(x)
        return self.mu(h), self.log_var(h)

    def reparameterize(self, mu, log_var):
        """z = μ + σ·ε with σ = exp(½ log σ²), ε ~ N(0, 1); z = μ in eval mode."""
        if not self.training:
            return mu
        eps = get_rng(self.rng).standard_normal(mu.shape).astype(mu.dtype)
        return mu + (log_var * 0.5).exp() * eps

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        mu, log_var = self.encode(x)
        return self.decode(self.reparameterize(mu, log_var)), mu, log_var

    def sample(self, n: int, rng=None) -> np.ndarray:
        """n new samples: decode z ~ N(0, 1), mapped to [0, 1] by the sigmoid."""
        z = get_rng(rng).standard_normal((n, self.latent)).astype(self.mu.weight.dtype)
        return F.sigmoid(self.decode(as_tensor(z))).detach().numpy()


def vae_loss(logits, mu, log_var, x):
    """Per-sample mean of  BCE(x̄, x) summed over features  +  KL(N(μ, σ²) ‖ N(0, 1)),
    KL = -½ Σ (1 + log σ² - μ² - σ²)."""
    target = as_array(x)
    reconstruction = F.binary_cross_entropy_with_logits(logits, target, reduction="sum")
    kl = ((mu * mu + log_var.exp() - log_var - 1) * 0.5).sum()
    return (reconstruction + kl) / target.shape[0]


def psnr(clean, other, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio 10·log₁₀(peak² / MSE) in dB."""
    mse = float(np.mean((np.asarray(clean, np.float64) - np.asarray(other, np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(peak ** 2 / mse)
