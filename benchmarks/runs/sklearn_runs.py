"""scikit-learn's side of the benchmarks (imported only in scikit-learn's own worker process)."""
from __future__ import annotations

import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning

from workloads import MLP_BATCH, MLP_SIZES, Timed, digits_timed, fit_timed, load_arrays, mlp_data

VERSION = sklearn.__version__


def mlp() -> Timed:
    """One epoch of MLPClassifier's Adam over the MLP benchmark's data (alpha 0: no L2 term)."""
    from sklearn.neural_network import MLPClassifier
    X, y = mlp_data()
    model = MLPClassifier(hidden_layer_sizes=MLP_SIZES[1:-1], solver="adam", learning_rate_init=1e-3,
                          batch_size=MLP_BATCH, max_iter=1, alpha=0.0, shuffle=False, random_state=0)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(X, y, classes=np.arange(MLP_SIZES[-1]))
    return Timed(epoch, len(X))


def digits(data: str, batch: int, epochs: int) -> Timed:
    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="adam", learning_rate_init=1e-3,
                          alpha=1e-4, batch_size=batch, max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
                          random_state=0)
    return digits_timed(model, load_arrays(data))


def bdt(data: str, trees: int, depth: int, bins: int, threads: int, predictions: str) -> Timed:
    """HistGradientBoostingClassifier (2^depth - 1 leaves, max_depth ``depth``; its OpenMP threads
    from OMP_NUM_THREADS)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    arrays = load_arrays(data)
    settings = dict(max_leaf_nodes=2 ** depth - 1, max_depth=depth, learning_rate=0.1, max_bins=bins,
                    l2_regularization=1.0, early_stopping=False)
    HistGradientBoostingClassifier(max_iter=2, **settings).fit(arrays["X"][:2000], arrays["y"][:2000])
    return fit_timed(HistGradientBoostingClassifier(max_iter=trees, **settings), arrays, predictions)
