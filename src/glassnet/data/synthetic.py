"""Generated 2-D data sets: the TensorFlow Playground's six, plus moons and multi-class blobs.

The playground sets follow the geometry of the playground's ``dataset.ts``: points in [-6, 6]², a
``noise`` in [0, 0.5] (the playground's 0-50 % slider) that perturbs the point used for the label
(circle, xor, regression) or the point itself (gaussian, spiral). Its labels -1/+1 become 0/1 here.

Every function returns ``X`` float32 of shape ``(n_samples, 2)`` and ``y``: int64 ``(n_samples,)`` class
labels for the classification sets, float32 ``(n_samples,)`` targets for the two regression sets.
``rng`` is a ``numpy.random.Generator``, a seed, or None for glassnet's global generator.
"""
from __future__ import annotations

import numpy as np

from ..autograd import get_rng

PLAYGROUND_RADIUS = 6.0


def _halves(n_samples: int) -> tuple[int, int]:
    """The playground splits two-class sets into equal halves; an odd count gives the extra to class 1."""
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    return n_samples - n_samples // 2, n_samples // 2


def _check_noise(noise: float) -> float:
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise is a fraction (the playground uses 0 to 0.5), got {noise}")
    return float(noise)


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, regression: bool = False):
    """Shuffle (the playground shuffles too) and cast to the documented dtypes."""
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), y[order].astype(np.float32 if regression else np.int64)


def make_circle(n_samples: int = 500, noise: float = 0.0, rng=None):
    """A disc of class 1 (radius r ∈ [0, 2.5]) inside a ring of class 0 (r ∈ [3.5, 5]).

    The label is 1 when ‖x + ε‖ < 2.5 with ε ~ U(-5, 5)²·noise, so noise flips points near the edge.
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    n_in, n_out = _halves(n_samples)
    radius = 5.0
    r = np.concatenate([rng.uniform(0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    jitter = rng.uniform(-radius, radius, (n_samples, 2)) * noise
    y = np.linalg.norm(X + jitter, axis=1) < radius * 0.5
    return _finish(X, y, rng)


def make_xor(n_samples: int = 500, noise: float = 0.0, rng=None):
    """Four quadrants: class 1 where x₁·x₂ ≥ 0 (1st and 3rd), class 0 elsewhere.

    Points are U(-5, 5)² pushed 0.3 away from the axes; the label uses x + U(-5, 5)²·noise.
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    X = rng.uniform(-5, 5, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)
    jitter = rng.uniform(-5, 5, (n_samples, 2)) * noise
    shifted = X + jitter
    y = shifted[:, 0] * shifted[:, 1] >= 0
    return _finish(X, y, rng)


def make_gaussian(n_samples: int = 500, noise: float = 0.0, rng=None):
    """Two Gaussian clouds: class 1 around (2, 2), class 0 around (-2, -2).

    The variance grows linearly with noise: σ² = 0.5 + 7·noise (0.5 at noise 0, 4 at noise 0.5).
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    n_pos, n_neg = _halves(n_samples)
    std = np.sqrt(0.5 + 7.0 * noise)
    centers = np.concatenate([np.full((n_pos, 2), 2.0), np.full((n_neg, 2), -2.0)])
    X = centers + std * rng.standard_normal((n_samples, 2))
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return _finish(X, y, rng)


def make_spiral(n_samples: int = 500, noise: float = 0.0, rng=None):
    """Two interleaved spirals of 1.75 turns: r = 5·i/n, t = 1.75·2π·i/n + Δt, Δt = 0 (class 1) or π.

    Each point is (r·sin t, r·cos t) + U(-1, 1)²·noise.
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    parts = []
    for count, delta_t, label in zip(_halves(n_samples), (0.0, np.pi), (1, 0)):
        i = np.arange(count) / max(count, 1)
        r, t = 5.0 * i, 1.75 * 2 * np.pi * i + delta_t
        points = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        points += rng.uniform(-1, 1, (count, 2)) * noise
        parts.append((points, np.full(count, label)))
    X = np.concatenate([p for p, _ in parts])
    y = np.concatenate([label for _, label in parts])
    return _finish(X, y, rng)


def make_regression_plane(n_samples: int = 500, noise: float = 0.0, rng=None):
    """A tilted plane: y = (x₁ + x₂) / 10 on U(-6, 6)², evaluated at x + U(-6, 6)²·noise."""
    rng, noise = get_rng(rng), _check_noise(noise)
    radius = PLAYGROUND_RADIUS
    X = rng.uniform(-radius, radius, (n_samples, 2))
    shifted = X + rng.uniform(-radius, radius, (n_samples, 2)) * noise
    y = shifted.sum(axis=1) / 10.0
    return _finish(X, y, rng, regression=True)


# (centre x, centre y, sign) of the playground's six bumps
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def make_multi_gaussian(n_samples: int = 500, noise: float = 0.0, rng=None):
    """Six bumps of alternating sign on U(-6, 6)²; y is the bump of largest |value| at x + U(-6, 6)²·noise.

    Each bump is sign · max(0, 1 - d/2), d the distance to its centre, so y ∈ [-1, 1].
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    radius = PLAYGROUND_RADIUS
    X = rng.uniform(-radius, radius, (n_samples, 2))
    shifted = X + rng.uniform(-radius, radius, (n_samples, 2)) * noise
    distance = np.linalg.norm(shifted[:, None, :] - _BUMPS[None, :, :2], axis=2)
    values = _BUMPS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
    strongest = np.abs(values).argmax(axis=1)
    y = values[np.arange(n_samples), strongest]
    return _finish(X, y, rng, regression=True)


def make_moons(n_samples: int = 500, noise: float = 0.0, rng=None):
    """Two interleaving half circles (scikit-learn's ``make_moons``): class 0 on top, class 1 below.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t ∈ [0, π]; plus N(0, noise²) noise.
    """
    rng = get_rng(rng)
    if noise < 0:
        raise ValueError(f"noise is a standard deviation, got {noise}")
    n_top, n_bottom = _halves(n_samples)
    t_top, t_bottom = np.linspace(0, np.pi, n_top), np.linspace(0, np.pi, n_bottom)
    X = np.concatenate([np.stack([np.cos(t_top), np.sin(t_top)], axis=1),
                        np.stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)], axis=1)])
    X += noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n_top), np.ones(n_bottom)])
    return _finish(X, y, rng)


def make_blobs_multiclass(n_samples: int = 500, n_classes: int = 3, noise: float = 0.0, rng=None):
    """``n_classes`` (3 to 5) Gaussian blobs with centres evenly spaced on a circle of radius 4.

    Labels 0..n_classes-1, as even as possible; σ = 0.7 + 3·noise.
    """
    rng, noise = get_rng(rng), _check_noise(noise)
    if not 3 <= n_classes <= 5:
        raise ValueError(f"n_classes must be 3, 4 or 5, got {n_classes}")
    y = np.arange(n_samples) % n_classes
    angle = 2 * np.pi * y / n_classes + np.pi / 2
    centers = 4.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X = centers + (0.7 + 3.0 * noise) * rng.standard_normal((n_samples, 2))
    return _finish(X, y, rng)


PLAYGROUND_CLASSIFICATION = {"circle": make_circle, "xor": make_xor, "gaussian": make_gaussian,
                             "spiral": make_spiral}
PLAYGROUND_REGRESSION = {"regression_plane": make_regression_plane, "multi_gaussian": make_multi_gaussian}


def make_polynomial(n_samples: int = 20, degree: int = 3, noise: float = 0.1, coefficients=None,
                    x_range: tuple[float, float] = (-1.0, 1.0), rng=None):
    """Noisy samples of a polynomial, for capacity (under- and over-fitting) experiments.

    y = Σₖ cₖ·xᵏ + N(0, noise²), x ~ U(x_range). ``coefficients`` (c₀, c₁, ...) default to draws from
    N(0, 1) of length ``degree + 1``. Returns X float32 ``(n_samples, 1)``, y float32 ``(n_samples,)``,
    shuffled, so fitting polynomials (or networks) of growing capacity shows the U-shaped test error.
    """
    rng = get_rng(rng)
    if noise < 0:
        raise ValueError(f"noise is a standard deviation, got {noise}")
    coefficients = (rng.standard_normal(degree + 1) if coefficients is None
                    else np.asarray(coefficients, dtype=np.float64))
    x = rng.uniform(*x_range, size=n_samples)
    y = np.polynomial.polynomial.polyval(x, coefficients) + noise * rng.standard_normal(n_samples)
    return x[:, None].astype(np.float32), y.astype(np.float32)
