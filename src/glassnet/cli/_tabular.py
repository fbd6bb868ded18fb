"""Shared by ``glassnet train`` and ``glassnet predict``: reading a CSV table as a UsageError-safe step,
checking an ``--out`` place before any work is done, and the feature standardization stored with a model."""
from __future__ import annotations

import os

import numpy as np

from ..data import DataFileError, load_csv
from . import UsageError


def read_table(path, target=None, features=None):
    """``load_csv`` with every data problem turned into a one-line UsageError (NaN, infinite and
    float32-overflowing cells included: they are named by line and column)."""
    try:
        return load_csv(path, target=target, features=features)
    except (FileNotFoundError, DataFileError) as error:
        raise UsageError(str(error)) from None


def check_out(out: str, inputs: dict) -> None:
    """Refuse an ``--out`` that would overwrite one of ``inputs`` (what -> path) or cannot be
    written, before anything is computed, so that nothing is lost and no work is wasted."""
    folder = os.path.dirname(os.path.abspath(out))
    if os.path.isdir(out):
        raise UsageError(f"--out {out} is a folder; give a file name in it")
    if not os.path.exists(folder):
        raise UsageError(f"cannot write --out {out}: no folder {folder}")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write --out {out}: {os.path.dirname(out) or folder} is not a folder")
    for what, path in inputs.items():
        if os.path.exists(out) and os.path.exists(path) and os.path.samefile(out, path):
            raise UsageError(f"--out {out} is {what} {path}; writing there would destroy it (choose another name)")
    if not os.access(folder, os.W_OK) or (os.path.exists(out) and not os.access(out, os.W_OK)):
        raise UsageError(f"cannot write --out {out}: no permission to write in {folder}")


def standardize(X: np.ndarray, mean, std) -> np.ndarray:
    """(x - μ) / σ per feature, with the training set's μ and σ."""
    return ((X - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)).astype(np.float32)
