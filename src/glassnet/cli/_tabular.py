"""Shared by ``glassnet train`` and ``glassnet predict``: reading a CSV table as a UsageError-safe step,
and the feature standardization stored with a model."""
from __future__ import annotations

import numpy as np

from ..data import DataFileError, load_csv
from . import UsageError


def read_table(path, target=None, features=None):
    """``load_csv`` with every data problem turned into a one-line UsageError."""
    try:
        return load_csv(path, target=target, features=features)
    except (FileNotFoundError, DataFileError) as error:
        raise UsageError(str(error)) from None


def standardize(X: np.ndarray, mean, std) -> np.ndarray:
    """(x - μ) / σ per feature, with the training set's μ and σ."""
    return ((X - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)).astype(np.float32)
