"""LightGBM's side of the BDT benchmark (imported only in LightGBM's own worker process)."""
from __future__ import annotations

import lightgbm

from workloads import Timed, fit_timed, load_arrays

VERSION = lightgbm.__version__


def bdt(data: str, trees: int, depth: int, bins: int, threads: int, predictions: str) -> Timed:
    """LGBMClassifier with 2^depth - 1 leaves and max_depth ``depth`` (a depth-wise tree's size)."""
    arrays = load_arrays(data)
    settings = dict(num_leaves=2 ** depth - 1, max_depth=depth, learning_rate=0.1, max_bin=bins, reg_lambda=1.0,
                    n_jobs=threads, verbose=-1)
    lightgbm.LGBMClassifier(n_estimators=2, **settings).fit(arrays["X"][:2000], arrays["y"][:2000])
    model = lightgbm.LGBMClassifier(n_estimators=trees, **settings)
    return fit_timed(model, arrays, predictions)
