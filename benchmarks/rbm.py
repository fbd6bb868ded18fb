"""RBM: glassnet.models.RBM vs scikit-learn's BernoulliRBM on the 8x8 digits (1797 x 64, pixels / 16).

Matched settings: 100 hidden units, persistent CD with one Gibbs step (BernoulliRBM's algorithm),
learning rate 0.1, batches of 10, the same number of epochs, one BLAS thread. Each fit runs in its own
fresh Python process (so one library's thread pools and caches cannot slow the other), the two
libraries alternating, ``--rounds`` times; the table shows the median fit time and the ratio, and the
pseudo-log-likelihood of each fitted model on the digits, computed exactly (the sum over all pixels)
for both by glassnet's ``RBM.pseudo_log_likelihood``.
Run: PYTHONPATH=src python benchmarks/rbm.py [--rounds 7] [--epochs 10]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _timing import machine

LIBRARIES = ("glassnet", "scikit-learn")


def fit_once(library: str, epochs: int, seed: int) -> dict:
    """Fit one RBM in this process; its fit time (seconds) and pseudo-log-likelihood per sample."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from glassnet.data import load_digits
    from glassnet.models import RBM

    X, _ = load_digits()
    with threadpool_limits(limits=1):
        if library == "glassnet":
            model = RBM(64, 100, persistent=True, rng=seed)
            start = time.perf_counter()
            model.fit(X, epochs=epochs, batch_size=10, lr=0.1, rng=seed)
            seconds = time.perf_counter() - start
        else:
            from sklearn.neural_network import BernoulliRBM
            theirs = BernoulliRBM(100, learning_rate=0.1, batch_size=10, n_iter=epochs, random_state=seed)
            start = time.perf_counter()
            theirs.fit(X)
            seconds = time.perf_counter() - start
            model = RBM(64, 100, dtype=np.float64)
            model.load_state_dict({"weight": theirs.components_, "visible_bias": theirs.intercept_visible_,
                                   "hidden_bias": theirs.intercept_hidden_})
    return {"seconds": seconds, "pll": float(model.pseudo_log_likelihood(X).mean())}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--worker", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(fit_once(args.worker, args.epochs, args.seed)))
        return
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs = {library: [] for library in LIBRARIES}
    for seed in range(args.rounds):
        for library in LIBRARIES:
            out = subprocess.run([sys.executable, __file__, "--worker", library, "--epochs", str(args.epochs),
                                  "--seed", str(seed)], capture_output=True, text=True, check=True, env=environment)
            runs[library].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"RBM on the 8x8 digits: 100 hidden units, PCD-1, lr 0.1, batch 10, {args.epochs} epochs, one BLAS thread, "
          f"{args.rounds} rounds, a fresh process per fit\n{machine()}, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"{'':<14}{'fit s (median)':>16}{'pseudo-LL (median)':>20}")
    median = {library: {key: statistics.median(r[key] for r in runs[library]) for key in ("seconds", "pll")}
              for library in LIBRARIES}
    for library in LIBRARIES:
        print(f"{library:<14}{median[library]['seconds']:>16.3f}{median[library]['pll']:>20.2f}")
    glassnet, sklearn = median["glassnet"], median["scikit-learn"]
    print(f"speed-up (scikit-learn time / glassnet time): {sklearn['seconds'] / glassnet['seconds']:.2f}; "
          f"pseudo-LL difference: {100 * (glassnet['pll'] - sklearn['pll']) / abs(sklearn['pll']):+.1f} %")


if __name__ == "__main__":
    main()
