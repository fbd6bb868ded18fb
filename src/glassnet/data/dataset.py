"""Datasets: anything with ``len`` and ``[i]``; ``TensorDataset`` wraps arrays sharing their first axis.

Array-backed datasets expose ``.tensors`` (a tuple of arrays) so that ``DataLoader`` can cut whole
batches with one fancy index instead of gathering samples one by one.
"""
from __future__ import annotations

import numpy as np

from ..autograd import as_array, get_rng


class Dataset:
    """Base class: subclasses define ``__len__`` and ``__getitem__(i)`` returning one sample."""

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError(f"abstract: {type(self).__name__} must define __len__")

    def __getitem__(self, index):  # pragma: no cover - abstract
        raise NotImplementedError(f"abstract: {type(self).__name__} must define __getitem__")


def _as_array(value) -> np.ndarray:
    return as_array(value)


class TensorDataset(Dataset):
    """Samples ``(a[i], b[i], ...)`` of arrays (or Tensors) that all have the same length."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one array")
        self.tensors = tuple(_as_array(t) for t in tensors)
        lengths = [len(t) for t in self.tensors]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset: the arrays have different lengths {lengths}")

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``; array-backed when the dataset is."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, np.asarray(indices, dtype=np.int64)

    @property
    def tensors(self):
        base = getattr(self.dataset, "tensors", None)
        if base is None:
            raise AttributeError("tensors")  # lets getattr(subset, "tensors", None) fall back
        return tuple(t[self.indices] for t in base)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]


def _split_lengths(total: int, lengths) -> list[int]:
    """Integer lengths, or fractions summing to 1 turned into counts (remainders go to the first parts)."""
    lengths = list(lengths)
    if all(isinstance(n, (int, np.integer)) for n in lengths):
        if sum(lengths) != total:
            raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, the dataset has {total}")
        return [int(n) for n in lengths]
    if not np.isclose(sum(lengths), 1.0) or min(lengths) < 0:
        raise ValueError(f"random_split: fractions {lengths} must be >= 0 and sum to 1")
    counts = [int(np.floor(total * f)) for f in lengths]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, rng=None) -> list[Subset]:
    """Split into non-overlapping random Subsets of the given lengths (ints, or fractions summing to 1)."""
    counts = _split_lengths(len(dataset), lengths)
    order = get_rng(rng).permutation(len(dataset))
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[start:stop]) for start, stop in zip(bounds[:-1], bounds[1:])]
