"""Boosted decision trees: glassnet vs XGBoost (hist) vs LightGBM (vs scikit-learn), each fit in its own process.

Matched settings: 100 trees, learning rate 0.1, 255 bins, depth 6 (glassnet, XGBoost: depth-wise;
LightGBM, scikit-learn: 63 leaves and depth 6), lambda = 1, no early stopping, n_jobs = the thread
count. Data: make_classification, 200,000 x 28 for training + 50,000 test rows (float32); with
``--data physics`` also 200,000 x 51 stop-pair vs ttbar events from ``glassnet.physics.events``.
Each process warms its library up on 2,000 rows, then times one fit; the table gives median fit
times over the rounds and the test AUC (the fits are deterministic: the same in every round).

    python benchmarks/bdt.py [--rounds 5] [--threads 2] [--data synthetic physics] [--libraries ...]
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from _timing import arguments, report, rounds

TREES, DEPTH, BINS = 100, 6, 255
LIBRARIES = ["glassnet", "xgboost", "lightgbm", "sklearn"]


def synthetic(seed: int = 0) -> tuple:
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=250_000, n_features=28, n_informative=20, n_redundant=4, random_state=seed)
    return "make_classification 200,000 x 28", X.astype(np.float32), y


def physics() -> tuple:
    """Stop-pair signal against ttbar background: per event the objects' features (lepton, 4 jets,
    MET; 6 x 7) and the 9 high-level variables."""
    from glassnet.physics import events
    samples = [events.generate(process, 125_000, rng=seed, verbose=0) for seed, process in enumerate(("ttbar", "stop"))]
    X = np.concatenate([np.hstack([s.objects.reshape(len(s), -1), s.high_level]) for s in samples]).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(X))
    return f"physics events (stop vs ttbar) 200,000 x {X.shape[1]}", X[order], np.repeat([0, 1], 125_000)[order]


def main():
    def add_options(parser):
        parser.add_argument("--data", nargs="+", default=["synthetic"], choices=["synthetic", "physics"])
        parser.add_argument("--libraries", nargs="+", default=LIBRARIES[:3], choices=LIBRARIES,
                            help="default: glassnet xgboost lightgbm")
    args = arguments(__doc__, threads=(2,), extra=add_options)
    from sklearn.metrics import roc_auc_score
    for name, X, y in [synthetic() if data == "synthetic" else physics() for data in args.data]:
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder, "data.npz")
            np.savez(data, X=X[:200_000], y=y[:200_000], X_test=X[200_000:])
            for threads in args.threads:
                def bdt_options(library):
                    return dict(data=str(data), trees=TREES, depth=DEPTH, bins=BINS, threads=threads,
                                predictions=str(Path(folder, f"{library}.npy")))
                results = rounds(args.libraries, "bdt", bdt_options, threads, args.rounds, repeats=1, busy=args.busy)
                report(f"{name}: {TREES} trees, depth {DEPTH}, {BINS} bins: fit", results, "fit s", threads,
                       busy=args.busy, seconds=True)
                auc = {library: roc_auc_score(y[200_000:], np.load(Path(folder, f"{library}.npy")))
                       for library in args.libraries}
                print("test AUC: " + ", ".join(f"{library} {value:.4f}" for library, value in auc.items()))
                if "xgboost" in auc:
                    print(f"glassnet - xgboost: {auc['glassnet'] - auc['xgboost']:+.4f}")


if __name__ == "__main__":
    main()
