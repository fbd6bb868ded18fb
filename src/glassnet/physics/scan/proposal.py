"""Proposing points: rejection sampling of uniform candidates against a weight w(u) ≥ 0.

A candidate u ~ U([0,1]^d) is kept with probability w(u) / w_max, so the kept points follow the
density ∝ w. The ML scan's weight is
    w(u) = L̂(u)^(1/T) · P̂(valid | u) · 1 / (1 + λ · N_r(u))
with L̂ the surrogate's likelihood, T a temperature (T < 1 sharpens the proposals towards L = 1),
P̂ the validity classifier's probability (if any), and N_r(u) the number of good points already
evaluated within a distance r of u (the density penalty: found regions fill out instead of piling up).
Weights are handled as logarithms, so likelihoods far below 1 do not underflow.
"""
from __future__ import annotations

import numpy as np


def rejection_sample(log_weight, n: int, dim: int, rng: np.random.Generator, n_candidates: int = 20000,
                     max_rounds: int = 20) -> np.ndarray:
    """Up to n unit-cube points drawn ∝ exp(log_weight(u)), from at most max_rounds batches of
    n_candidates uniform candidates (w_max is the largest weight seen so far)."""
    kept, n_kept, log_w_max = [], 0, -np.inf
    for _ in range(max_rounds):
        if n_kept >= n:
            break
        u = rng.random((n_candidates, dim))
        log_w = log_weight(u)
        log_w_max = max(log_w_max, np.max(log_w))
        if not np.isfinite(log_w_max):
            continue
        accepted = u[np.log(rng.random(n_candidates)) < log_w - log_w_max]
        kept.append(accepted[:n - n_kept])
        n_kept += len(kept[-1])
    return np.concatenate(kept) if kept else np.zeros((0, dim))


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
