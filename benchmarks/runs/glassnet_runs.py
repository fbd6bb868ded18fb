"""glassnet's side of the benchmarks (imported only in glassnet's own worker process)."""
from __future__ import annotations

import glassnet as gn

from runs import pytorch_api
from workloads import Timed, digits_timed, fit_timed, load_arrays

VERSION = gn.__version__


def mlp() -> Timed:
    return pytorch_api.mlp(gn)


def lenet() -> Timed:
    return pytorch_api.lenet(gn)


def recurrent(kind: str) -> Timed:
    return pytorch_api.recurrent(gn, kind)


def bdt(data: str, trees: int, depth: int, bins: int, threads: int, predictions: str) -> Timed:
    from glassnet.trees import GradientBoostingClassifier
    arrays = load_arrays(data)
    settings = dict(max_depth=depth, learning_rate=0.1, max_bin=bins, reg_lambda=1.0, n_jobs=threads)
    # warm-up (imports, Numba's compiled kernels) on a slice instead of a whole untimed fit
    GradientBoostingClassifier(n_estimators=2, **settings).fit(arrays["X"][:2000], arrays["y"][:2000], verbose=False)
    model = GradientBoostingClassifier(n_estimators=trees, **settings)
    return fit_timed(model, arrays, predictions, verbose=False)


def digits(data: str, batch: int, epochs: int) -> Timed:
    from glassnet.sklearn import NeuralNetClassifier
    model = NeuralNetClassifier(hidden_layer_sizes=(100,), activation="relu", optimizer="adam", lr=1e-3,
                                alpha=1e-4, batch_size=batch, max_iter=epochs, tol=0.0,
                                n_iter_no_change=epochs + 1, random_state=0)
    return digits_timed(model, load_arrays(data))
