"""Data sets shipped with a dependency, so nothing is downloaded: scikit-learn's 8x8 digits."""
from __future__ import annotations

import numpy as np


def load_digits(normalize: bool = True, as_images: bool = False):
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes, no download).

    Returns X float32 ``(1797, 64)`` (or ``(1797, 1, 8, 8)`` with ``as_images``, the NCHW layout of
    Conv2d) and y int64 ``(1797,)``. Pixels are 0..16 in the file; ``normalize`` divides them by 16.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError("load_digits needs scikit-learn: pip install 'glassnet[sklearn]'") from error
    bunch = sklearn_load_digits()
    X = bunch.data.astype(np.float32) / (16.0 if normalize else 1.0)
    if as_images:
        X = X.reshape(-1, 1, 8, 8)
    return X, bunch.target.astype(np.int64)
