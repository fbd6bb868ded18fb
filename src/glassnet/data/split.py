"""``train_val_test_split``: the lectures' training / validation / test sets, optionally stratified."""
from __future__ import annotations

import numpy as np

from ..autograd import as_array, get_rng


def _partition(indices: np.ndarray, val_size: float, test_size: float):
    n = len(indices)
    n_test, n_val = int(round(n * test_size)), int(round(n * val_size))
    return indices[n_test + n_val:], indices[n_test:n_test + n_val], indices[:n_test]


def train_val_test_split(*arrays, val_size: float = 0.15, test_size: float = 0.15, stratify=None,
                         shuffle: bool = True, rng=None) -> list:
    """Split arrays of equal length into training, validation and test parts.

    Returns ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]`` (scikit-learn's order). With
    ``stratify=y`` every class keeps its proportion in each part (split class by class). The sizes
    are fractions of the whole; the training part gets the rest.
    """
    if not arrays:
        raise ValueError("train_val_test_split needs at least one array")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"train_val_test_split: arrays of different lengths {[len(a) for a in arrays]}")
    if not (0 <= val_size < 1 and 0 <= test_size < 1 and val_size + test_size < 1):
        raise ValueError(f"val_size={val_size} and test_size={test_size} must be fractions summing to < 1")
    rng = get_rng(rng)
    order = rng.permutation(n) if shuffle else np.arange(n)
    if stratify is None:
        parts = _partition(order, val_size, test_size)
    else:
        labels = as_array(stratify)[order]
        per_class = [_partition(order[labels == c], val_size, test_size) for c in np.unique(labels)]
        parts = [np.concatenate([p[k] for p in per_class]) for k in range(3)]
        if shuffle:  # interleave the classes again
            parts = [rng.permutation(p) for p in parts]
    out = []
    for a in arrays:
        a = as_array(a)
        out.extend(a[p] for p in parts)
    return out
