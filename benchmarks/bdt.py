"""Boosted decision trees: glassnet vs XGBoost (hist) vs LightGBM vs scikit-learn HistGradientBoosting.

Matched settings: 100 trees, learning rate 0.1, 255 bins, depth 6 (glassnet, XGBoost: depth-wise;
LightGBM: 63 leaves and depth 6; scikit-learn: 63 leaf nodes and depth 6), λ = 1 where the library has
it, no early stopping, the same thread count for all. Data: make_classification 200,000 x 28 for
training (+ 50,000 test rows), and a physics-like signal/background set from
``glassnet.physics.events`` when that module exists. Each round fits and predicts with every library
in turn (rounds interleaved); the table shows median fit and predict times, test AUC, and the ratios
to LightGBM.
Run: PYTHONPATH=src python benchmarks/bdt.py [--rounds 3] [--threads 2] [--libraries glassnet LightGBM]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from _timing import machine

N_TREES, DEPTH, LEAVES, LEARNING_RATE, BINS = 100, 6, 63, 0.1, 255
LIBRARIES = ["glassnet", "XGBoost (hist)", "LightGBM", "sklearn HistGB"]


def synthetic(seed=0):
    X, y = make_classification(n_samples=250_000, n_features=28, n_informative=20, n_redundant=4,
                               random_state=seed)
    X = X.astype(np.float32)
    return "make_classification 200,000 x 28", X[:200_000], y[:200_000], X[200_000:], y[200_000:]


def physics():
    """Stop-pair signal against t t̄ background from the event generator, when the physics package has
    it: per event the objects' features (lepton, 4 jets, MET; 6 x 7) and the 9 high-level variables."""
    if importlib.util.find_spec("glassnet.physics.events") is None:
        return None
    from glassnet.physics import events
    samples = [events.generate(process, 125_000, rng=seed, verbose=0) for seed, process in enumerate(("ttbar", "stop"))]
    X = np.concatenate([np.hstack([s.objects.reshape(len(s), -1), s.high_level]) for s in samples]).astype(np.float32)
    y = np.repeat([0, 1], 125_000)
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    return f"physics events (stop vs ttbar) 200,000 x {X.shape[1]}", X[:200_000], y[:200_000], X[200_000:], y[200_000:]


def models(threads):
    import lightgbm
    import xgboost
    from sklearn.ensemble import HistGradientBoostingClassifier

    from glassnet.trees import GradientBoostingClassifier
    return {
        "glassnet": lambda: GradientBoostingClassifier(n_estimators=N_TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE,
                                                       max_bin=BINS, reg_lambda=1.0, n_jobs=threads),
        "XGBoost (hist)": lambda: xgboost.XGBClassifier(n_estimators=N_TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE,
                                                        max_bin=BINS, reg_lambda=1.0, tree_method="hist", n_jobs=threads),
        "LightGBM": lambda: lightgbm.LGBMClassifier(n_estimators=N_TREES, num_leaves=LEAVES, max_depth=DEPTH,
                                                    learning_rate=LEARNING_RATE, max_bin=BINS, reg_lambda=1.0,
                                                    n_jobs=threads, verbose=-1),
        "sklearn HistGB": lambda: HistGradientBoostingClassifier(max_iter=N_TREES, max_leaf_nodes=LEAVES, max_depth=DEPTH,
                                                                 learning_rate=LEARNING_RATE, max_bins=BINS,
                                                                 l2_regularization=1.0, early_stopping=False),
    }


def fit_kwargs(name):
    return {"verbose": False} if name in ("glassnet", "XGBoost (hist)") else {}


def run(dataset, threads, rounds, libraries):
    title, X, y, X_test, y_test = dataset
    makers = {name: make for name, make in models(threads).items() if name in libraries}
    fit_times = {name: [] for name in makers}
    predict_times = {name: [] for name in makers}
    auc = {}
    for name, make in makers.items():               # warm-up on a slice: imports, Numba's compiled kernels
        make().fit(X[:2000], y[:2000], **fit_kwargs(name)).predict_proba(X_test[:100])
    for round_index in range(rounds):
        for name, make in makers.items():
            model = make()
            start = time.perf_counter()
            model.fit(X, y, **fit_kwargs(name))
            fitted = time.perf_counter()
            proba = model.predict_proba(X_test)[:, 1]
            predicted = time.perf_counter()
            fit_times[name].append(fitted - start)
            predict_times[name].append(predicted - fitted)
            auc[name] = roc_auc_score(y_test, proba)
            print(f"  round {round_index + 1} {name}: fit {fitted - start:.2f} s, predict {predicted - fitted:.3f} s",
                  flush=True)
    fit = {name: statistics.median(ts) for name, ts in fit_times.items()}
    predict = {name: statistics.median(ts) for name, ts in predict_times.items()}
    print(f"\n{title}, {threads} threads, {rounds} interleaved rounds (medians)\n{machine()}\n"
          f"load average (1, 5, 15 min) at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(f"{'':<18}{'fit s':>9}{'predict s':>11}{'test AUC':>10}{'fit / LightGBM':>16}{'AUC - XGBoost':>15}")
    for name in makers:
        ratio = f"{fit[name] / fit['LightGBM']:.2f}" if "LightGBM" in fit else "-"
        auc_difference = f"{auc[name] - auc['XGBoost (hist)']:+.4f}" if "XGBoost (hist)" in auc else "-"
        print(f"{name:<18}{fit[name]:>9.2f}{predict[name]:>11.3f}{auc[name]:>10.4f}{ratio:>16}{auc_difference:>15}")
    if "LightGBM" in fit and "glassnet" in fit:
        ratios = [g / l for g, l in zip(fit_times["glassnet"], fit_times["LightGBM"])]
        print("glassnet / LightGBM fit, per round: " + ", ".join(f"{r:.2f}" for r in ratios))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--libraries", nargs="+", default=LIBRARIES, choices=LIBRARIES, metavar="NAME",
                        help=f"run only these (default: all of {', '.join(LIBRARIES)})")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    datasets = [synthetic()]
    events = physics()
    if events is None:
        print("physics-like data set skipped: glassnet.physics.events (the event generator) is not there yet")
    else:
        datasets.append(events)
    with threadpool_limits(limits=args.threads):    # scikit-learn's OpenMP threads; the others take n_jobs
        for dataset in datasets:
            run(dataset, args.threads, args.rounds, args.libraries)


if __name__ == "__main__":
    main()
