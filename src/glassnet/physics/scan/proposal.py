"""Proposing points: rejection sampling of candidates against a weight w(u) ≥ 0.

A candidate u drawn from a density q(u) on the unit cube is kept with probability
(w(u) / q(u)) / max(w / q), so the kept points follow the density ∝ w whatever q is. Uniform
candidates (q = 1) are what a student expects, but in many dimensions they almost never land in a
small good region: 400,000 uniform candidates hold about two points of an 8-D mode of 1σ radius
0.15. So a share of the candidates is drawn near the best points evaluated so far (Gaussians of
width ``local_scale`` around them, in the unit cube), and q is that mixture; dividing by q keeps the
kept points distributed ∝ w. The ML scan's weight is
    w(u) = L̂(u)^(1/T) · P̂(valid | u) · 1 / (1 + λ · N_r(u))
with L̂ the surrogate's likelihood, T a temperature (T < 1 sharpens the proposals towards L = 1),
P̂ the validity classifier's probability (if any), and N_r(u) the number of good points already
evaluated within a distance r of u (the density penalty: found regions fill out instead of piling up).
Weights are handled as logarithms, so likelihoods far below 1 do not underflow.
"""
from __future__ import annotations

import numpy as np


def rejection_sample(log_weight, n: int, dim: int, rng: np.random.Generator, n_candidates: int = 20000,
                     max_rounds: int = 20, centres=None, local_share: float = 0.0,
                     local_scale: float = 0.05) -> np.ndarray:
    """Up to n unit-cube points drawn ∝ exp(log_weight(u)), from at most max_rounds batches of
    n_candidates candidates: uniform ones, and a ``local_share`` of them around ``centres`` (the
    largest w/q seen so far stands in for its maximum)."""
    kept, n_kept, log_ratio_max = [], 0, -np.inf
    for _ in range(max_rounds):
        if n_kept >= n:
            break
        u, log_q = draw_candidates(n_candidates, dim, rng, centres, local_share, local_scale)
        log_ratio = log_weight(u) - log_q
        log_ratio_max = max(log_ratio_max, np.max(log_ratio, initial=-np.inf))
        if not np.isfinite(log_ratio_max):
            continue
        accepted = u[np.log(rng.random(len(u))) < log_ratio - log_ratio_max]
        kept.append(accepted[:n - n_kept])
        n_kept += len(kept[-1])
    return np.concatenate(kept) if kept else np.zeros((0, dim))


def draw_candidates(n: int, dim: int, rng: np.random.Generator, centres=None, local_share: float = 0.0,
                    local_scale: float = 0.05):
    """n candidates in the unit cube and log q(u), q = (1 - a) · 1 + a · mean_m N(u; c_m, s² I):
    uniform ones, and a share a of Gaussians around the centres c_m (those that fall outside the cube
    are dropped, which leaves the density on the cube ∝ q)."""
    if centres is None or len(centres) == 0 or local_share == 0:
        return rng.random((n, dim)), np.zeros(n)
    n_local = int(round(local_share * n))
    picks = centres[rng.integers(len(centres), size=n_local)]
    local = picks + local_scale * rng.standard_normal((n_local, dim))
    local = local[((local >= 0) & (local <= 1)).all(axis=1)]
    u = np.concatenate([rng.random((n - n_local, dim)), local])
    log_gauss = -0.5 * dim * np.log(2 * np.pi * local_scale ** 2) - 0.5 * local_scale ** -2 * squared_distances(u, centres)
    top = log_gauss.max(axis=1, keepdims=True)
    log_mean_gauss = top[:, 0] + np.log(np.exp(log_gauss - top).mean(axis=1))
    return u, np.logaddexp(np.log1p(-local_share), np.log(local_share) + log_mean_gauss)


def squared_distances(u: np.ndarray, points: np.ndarray) -> np.ndarray:
    """|u_i - p_j|² for every pair, (len(u), len(points)), without the (n, m, d) difference array."""
    d2 = (u * u).sum(axis=1)[:, None] - 2 * u @ points.T + (points * points).sum(axis=1)[None, :]
    return np.maximum(d2, 0.0)


def neighbour_counts(u: np.ndarray, points: np.ndarray, radius: float, chunk: int = 2048) -> np.ndarray:
    """N_r(u): for each row of u, how many rows of ``points`` lie within ``radius`` (Euclidean)."""
    counts = np.zeros(len(u), dtype=int)
    if len(points) == 0:
        return counts
    for start in range(0, len(u), chunk):
        block = u[start:start + chunk]
        d2 = ((block[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1)
        counts[start:start + chunk] = (d2 < radius ** 2).sum(axis=1)
    return counts


def neighbour_counts_reference(u: np.ndarray, points: np.ndarray, radius: float) -> np.ndarray:
    """The loop that neighbour_counts vectorizes."""
    return np.array([sum(np.linalg.norm(x - p) < radius for p in points) for x in u], dtype=int)


def density_log_penalty(u: np.ndarray, good: np.ndarray, strength: float, radius: float) -> np.ndarray:
    """log of 1 / (1 + λ N_r(u))."""
    return -np.log1p(strength * neighbour_counts(u, good, radius))
