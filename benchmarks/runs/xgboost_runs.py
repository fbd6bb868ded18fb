"""XGBoost's side of the BDT benchmark (imported only in XGBoost's own worker process)."""
from __future__ import annotations

import xgboost

from workloads import Timed, fit_timed, load_arrays

VERSION = xgboost.__version__


def bdt(data: str, trees: int, depth: int, bins: int, threads: int, predictions: str) -> Timed:
    """XGBClassifier, tree_method 'hist', depth-wise to ``depth`` (glassnet's settings)."""
    arrays = load_arrays(data)
    settings = dict(max_depth=depth, learning_rate=0.1, max_bin=bins, reg_lambda=1.0, tree_method="hist",
                    n_jobs=threads)
    xgboost.XGBClassifier(n_estimators=2, **settings).fit(arrays["X"][:2000], arrays["y"][:2000])
    model = xgboost.XGBClassifier(n_estimators=trees, **settings)
    return fit_timed(model, arrays, predictions)
