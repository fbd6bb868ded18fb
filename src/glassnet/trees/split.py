"""Split finding on a node's histogram with XGBoost's regularized second-order gain.

With G, H the sums of gradients and hessians of a set of rows, λ the L2 and α the L1
penalty on leaf weights, the best leaf weight and its score (minus twice the loss drop) are

    w* = -T_α(G) / (H + λ),     score(G, H) = T_α(G)² / (H + λ),
    T_α(G) = sign(G) · max(|G| - α, 0)      (soft threshold; T_0(G) = G)

and a split of the parent P into L and R gains

    gain = score(G_L, H_L) + score(G_R, H_R) - score(G_P, H_P)

(XGBoost's ``loss_chg``; the objective drops by gain/2, and γ is compared against it).
Every candidate "left if bin <= b" of every feature is scored at once from cumulative
sums of the histogram, twice: once with the missing bin sent right, once sent left.
The larger gain fixes the node's default direction for missing values.
"""
from dataclasses import dataclass

import numpy as np

from ..backends import compiled

numba = compiled.numba

__all__ = ["Split", "soft_threshold", "leaf_score", "leaf_weight", "find_best_split", "find_best_split_numpy",
           "find_best_split_numba"]

# XGBoost's kRtEps: a split must gain more than this to be taken at all
MIN_GAIN = 1e-6


def soft_threshold(G, alpha):
    """T_α(G) = sign(G) · max(|G| - α, 0)."""
    if alpha == 0:
        return G
    return np.sign(G) * np.maximum(np.abs(G) - alpha, 0.0)


def leaf_score(G, H, reg_lambda, reg_alpha):
    """score(G, H) = T_α(G)² / (H + λ)."""
    return soft_threshold(G, reg_alpha) ** 2 / (H + reg_lambda)


def leaf_weight(G, H, reg_lambda, reg_alpha, min_child_weight=0.0):
    """w* = -T_α(G) / (H + λ); 0 for a node too light to trust (H < min_child_weight), as XGBoost."""
    if H < min_child_weight or H <= 0:
        return 0.0
    return float(-soft_threshold(G, reg_alpha) / (H + reg_lambda))


@dataclass
class Split:
    feature: int
    bin: int                # left if code <= bin (and missing goes where default_left says)
    default_left: bool
    gain: float
    left_sums: np.ndarray   # (G_L, H_L)
    right_sums: np.ndarray  # (G_R, H_R)


def find_best_split_numpy(hist, node_sums, n_bins, feature_mask, reg_lambda, reg_alpha, min_child_weight):
    """hist (F, max_bin + 1, 2) with the missing bin last; node_sums (G_P, H_P); n_bins (F,) value
    bins per feature; feature_mask (F,) bool (column subsampling). Returns the best Split or None.

    Ties go to the lowest feature, then missing-right, then the lowest bin (XGBoost's order)."""
    cumulative = np.cumsum(hist[:, :-1], axis=1)            # (F, B, 2): sums over bins <= b
    missing = hist[:, -1]                                    # (F, 2)
    candidates = [cumulative]                                # missing sent right
    if np.any(missing[:, 1] > 0):
        candidates.append(cumulative + missing[:, None])    # missing sent left
    left = np.stack(candidates, axis=1)                      # (F, directions, B, 2)
    G_L, H_L = left[..., 0], left[..., 1]
    G_R, H_R = node_sums[0] - G_L, node_sums[1] - H_L
    bins = np.arange(cumulative.shape[1])
    valid = ((bins < n_bins[:, None] - 1) & feature_mask[:, None])[:, None, :]
    valid = valid & (H_L >= min_child_weight) & (H_R >= min_child_weight)
    if len(candidates) == 2:
        valid[:, 1] &= (missing[:, 1] > 0)[:, None]          # a direction only where there is missing
    gain = (leaf_score(G_L, H_L, reg_lambda, reg_alpha) + leaf_score(G_R, H_R, reg_lambda, reg_alpha)
            - leaf_score(node_sums[0], node_sums[1], reg_lambda, reg_alpha))
    gain[~valid] = -np.inf
    best = int(np.argmax(gain))
    if not gain.flat[best] > MIN_GAIN:
        return None
    feature, direction, bin_index = np.unravel_index(best, gain.shape)
    left_sums = left[feature, direction, bin_index].copy()
    return Split(int(feature), int(bin_index), bool(direction), float(gain.flat[best]),
                 left_sums, node_sums - left_sums)


if numba is not None:
    @numba.njit(nogil=True, cache=True)
    def _score(G, H, reg_lambda, reg_alpha):
        if reg_alpha > 0:
            G = np.sign(G) * max(abs(G) - reg_alpha, 0.0)
        return G * G / (H + reg_lambda)

    @numba.njit(nogil=True, cache=True)
    def _scan(hist, G, H, n_bins, feature_mask, reg_lambda, reg_alpha, min_child_weight):
        """The same candidates in the same order as the NumPy version, one at a time."""
        parent = _score(G, H, reg_lambda, reg_alpha)
        best_gain, best = -np.inf, (-1, -1, -1, 0.0, 0.0)
        missing_bin = hist.shape[1] - 1
        for f in range(hist.shape[0]):
            if not feature_mask[f]:
                continue
            G_missing, H_missing = hist[f, missing_bin, 0], hist[f, missing_bin, 1]
            for direction in range(2 if H_missing > 0 else 1):
                G_L, H_L = (G_missing, H_missing) if direction == 1 else (0.0, 0.0)
                for b in range(n_bins[f] - 1):
                    G_L += hist[f, b, 0]
                    H_L += hist[f, b, 1]
                    if H_L < min_child_weight or H - H_L < min_child_weight:
                        continue
                    gain = (_score(G_L, H_L, reg_lambda, reg_alpha) + _score(G - G_L, H - H_L, reg_lambda, reg_alpha)
                            - parent)
                    if gain > best_gain:
                        best_gain, best = gain, (f, direction, b, G_L, H_L)
        return best_gain, best

    def find_best_split_numba(hist, node_sums, n_bins, feature_mask, reg_lambda, reg_alpha, min_child_weight):
        """Compiled scan over the candidates (same result as ``find_best_split_numpy``)."""
        gain, (feature, direction, bin_index, G_L, H_L) = _scan(
            hist, float(node_sums[0]), float(node_sums[1]), n_bins, feature_mask,
            float(reg_lambda), float(reg_alpha), float(min_child_weight))
        if not gain > MIN_GAIN:
            return None
        left_sums = np.array([G_L, H_L])
        return Split(feature, bin_index, bool(direction), float(gain), left_sums, node_sums - left_sums)
else:
    find_best_split_numba = None


def find_best_split(hist, node_sums, n_bins, feature_mask, reg_lambda, reg_alpha, min_child_weight):
    """The compiled scan when the compiled kernels are on (``glassnet.backends.compiled``), else NumPy's."""
    search = find_best_split_numba if compiled.active() else find_best_split_numpy
    return search(hist, node_sums, n_bins, feature_mask, reg_lambda, reg_alpha, min_child_weight)
