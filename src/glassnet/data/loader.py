"""``DataLoader``: batches of a dataset, optionally shuffled by a seeded generator.

For array-backed datasets (``TensorDataset``, their ``Subset``s) the arrays are permuted once per epoch
and each batch is a slice of that permuted copy: no Python work per sample. Other datasets are read
sample by sample and combined by ``default_collate``.
"""
from __future__ import annotations

import math
from numbers import Number

import numpy as np

from ..autograd import Tensor, as_array, get_rng


def default_collate(samples: list):
    """Stack a list of samples into a batch: arrays and numbers are stacked along a new first axis,
    tuples / lists / dicts are collated field by field."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (np.ndarray, Tensor, Number, np.generic)):
        return np.stack([as_array(s) for s in samples])
    raise TypeError(f"default_collate cannot batch samples of type {type(first).__name__}")


class DataLoader:
    """Iterate over ``dataset`` in batches: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True)``.

    ``rng`` (a Generator or seed) drives the shuffling; None uses glassnet's global generator, so
    ``gn.manual_seed`` fixes the order. A batch of a TensorDataset is a tuple of arrays.
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 collate_fn=None, rng=None):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last, self.collate_fn = shuffle, drop_last, collate_fn
        self.rng = None if rng is None else get_rng(rng)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _starts(self, n: int) -> range:
        stop = n - self.batch_size + 1 if self.drop_last else n
        return range(0, max(stop, 0), self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = get_rng(self.rng).permutation(n) if self.shuffle else None
        arrays = getattr(self.dataset, "tensors", None)
        if arrays is not None and self.collate_fn is None:
            if order is not None:
                arrays = tuple(a[order] for a in arrays)
            for start in self._starts(n):
                yield tuple(a[start:start + self.batch_size] for a in arrays)
            return
        collate = self.collate_fn or default_collate
        indices = np.arange(n) if order is None else order
        for start in self._starts(n):
            yield collate([self.dataset[int(i)] for i in indices[start:start + self.batch_size]])
