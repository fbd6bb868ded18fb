"""Measuring generated samples: the 2-D test distributions of GAN papers, modes covered, and two
distances between sample sets (energy distance and the kernel MMD)."""
from __future__ import annotations

import numpy as np

from ..autograd import get_rng


def ring_of_gaussians(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05, rng=None):
    """n points from ``modes`` Gaussians evenly spaced on a circle; returns (points float32 (n, 2),
    centers (modes, 2))."""
    rng = get_rng(rng)
    angles = 2 * np.pi * np.arange(modes) / modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    which = rng.integers(0, modes, n)
    points = centers[which] + rng.standard_normal((n, 2)) * std
    return points.astype(np.float32), centers


def spiral(n: int, turns: float = 1.5, noise: float = 0.05, rng=None) -> np.ndarray:
    """n points along an Archimedean spiral r ∝ θ (scaled to radius ~2) with Gaussian noise."""
    rng = get_rng(rng)
    theta = np.sqrt(rng.random(n)) * turns * 2 * np.pi
    r = 2 * theta / (turns * 2 * np.pi)
    points = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1) + rng.standard_normal((n, 2)) * noise
    return points.astype(np.float32)


def modes_covered(samples, centers, std: float, n_sigma: float = 3.0, min_share: float = 0.01):
    """Number of modes that hold at least ``min_share`` of the samples within ``n_sigma``·σ of their
    center, and the share of samples that are near any mode (the 'high-quality' fraction)."""
    distances = np.linalg.norm(np.asarray(samples)[:, None, :] - np.asarray(centers)[None], axis=2)
    nearest, close = distances.argmin(1), distances.min(1) <= n_sigma * std
    counts = np.bincount(nearest[close], minlength=len(centers))
    return int((counts >= min_share * len(samples)).sum()), float(close.mean())


def _pairwise_mean_distance(a, b) -> float:
    return float(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2).mean())


def energy_distance(a, b) -> float:
    """E(A, B) = 2E‖a - b‖ - E‖a - a'‖ - E‖b - b'‖ (0 iff the distributions are equal)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return 2 * _pairwise_mean_distance(a, b) - _pairwise_mean_distance(a, a) - _pairwise_mean_distance(b, b)


def mmd_rbf(a, b, bandwidth: float = 0.5) -> float:
    """Squared maximum mean discrepancy with the Gaussian kernel k(x, y) = exp(-‖x - y‖² / 2h²)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)

    def k(x, y):
        return np.exp(-((x[:, None, :] - y[None, :, :]) ** 2).sum(2) / (2 * bandwidth ** 2)).mean()
    return float(k(a, a) + k(b, b) - 2 * k(a, b))
