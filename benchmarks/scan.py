"""Machine-learning scan vs random scan vs MCMC on the egg-box (issue: Machine Learning Scan).

    PYTHONPATH=src python benchmarks/scan.py [--budget 10000] [--seed 0]

Every method gets the same budget of exact evaluations of the egg-box
    x ∈ [0, 10π]², O = (2 + cos(x1/2) cos(x2/2))^5, O* = 100 ± 10,
and is measured by the fraction of evaluations with L > 0.9, how many of the 18 rings hold a good
point, and how many evaluations it took to collect K = 100 good points. The egg-box is cheap, so the
points are evaluated in this process (workers=0): the time column is the scan's own overhead
(surrogate training, proposals, writing results), which a real model's seconds per point dwarf.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from glassnet.physics.scan import MCMCScan, MLScan, RandomScan  # noqa: E402
from glassnet.physics.scan.testfunctions import egg_box  # noqa: E402

THRESHOLD, K = 0.9, 100


def methods():
    return [
        ("random scan", RandomScan, dict(batch_size=200)),
        ("MCMC (20 chains, step 0.02)", MCMCScan, dict(n_chains=20, step_size=0.02)),
        ("MCMC (20 chains, step 0.005)", MCMCScan, dict(n_chains=20, step_size=0.005)),
        ("ML scan (T = 1)", MLScan, dict(temperature=1.0)),
        ("ML scan (T = 0.5, default)", MLScan, dict(temperature=0.5)),
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    problem = egg_box()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, cls, options in methods():
            scan = cls(problem.space, problem.observable, problem.likelihood, os.path.join(folder, "results.csv"),
                       workers=0, seed=args.seed, verbose=0, **options)
            start = time.perf_counter()
            results = scan.run(args.budget, overwrite=True)
            seconds = time.perf_counter() - start
            good = results.good(THRESHOLD)[np.argsort(results.id)]
            to_k = int(np.searchsorted(np.cumsum(good), K) + 1) if good.sum() >= K else None
            rows.append((name, len(results), good.mean(), problem.regions_found(results.params, results.good(THRESHOLD)),
                         to_k, seconds))
            if isinstance(scan, MLScan):
                per_iteration = [results.good(THRESHOLD)[results.iteration == k].mean()
                                 for k in np.unique(results.iteration)]
                print(f"{name}: share of good points per iteration (every 5th): "
                      + " ".join(f"{f:.0%}" for f in per_iteration[::5]), flush=True)
    random_fraction = rows[0][2]
    print(f"\nEgg-box, {args.budget} exact evaluations per method, seed {args.seed}, good = L > {THRESHOLD}\n")
    print("| method | evaluations | good fraction | × random | rings with good points (of 18) "
          f"| evaluations to {K} good | time (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, fraction, rings, to_k, seconds in rows:
        print(f"| {name} | {n} | {fraction:.1%} | {fraction / random_fraction:.1f} | {rings} | "
              f"{to_k if to_k else '—'} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
