"""The ML scan beside a random scan, MCMC (emcee) and nested sampling (dynesty) on four test problems.

    PYTHONPATH=src python benchmarks/scan.py [--good 1000] [--seed 0] [--plots scan-corner]
        [--problems egg_box,rosenbrock,gaussian_shells,gaussian_mixture] [--samplers ml,random,emcee,dynesty]

Each sampler runs on each problem in a fresh process of its own (so no library's thread pools or
imports touch another's) until it has collected --good good points, or spent its budget of exact
evaluations, or (nested sampling) reached its own end. What is measured, what a good point is and
every sampler's settings: see glassnet.physics.scan.compare. Each run also writes a corner plot of
its good points. The likelihoods cost microseconds, so the time column is each sampler's own overhead
(an ML scan's surrogate training, dynesty's ellipsoids), which a real model's seconds per point dwarf.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

from _timing import machine  # noqa: E402

from glassnet.physics.scan.compare import SAMPLERS, corner_plot, reference_log_evidence, run_sampler, table  # noqa: E402
from glassnet.physics.scan.testfunctions import PROBLEMS  # noqa: E402

COMPARED = ("egg_box", "rosenbrock", "gaussian_shells", "gaussian_mixture")
BUDGETS = {"ml": 30_000, "random": 300_000, "emcee": 300_000, "dynesty": 150_000}  # exact evaluations at most


def run_one(problem_name, sampler, good, seed, plots, out) -> None:
    """In a child process: one sampler on one problem; its summary as JSON to ``out``."""
    problem = PROBLEMS[problem_name]()
    run = run_sampler(sampler, problem, good, BUDGETS[sampler], seed)
    summary = run.summary(problem, good)
    if plots:
        os.makedirs(plots, exist_ok=True)
        summary["corner"] = corner_plot(run, problem, os.path.join(plots, f"{problem_name}_{sampler}.png"))
    with open(out, "w") as f:
        json.dump(summary, f)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--good", type=int, default=1000, help="good points to collect")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--problems", default=",".join(COMPARED))
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    parser.add_argument("--plots", default="scan-corner", help="folder for the corner plots ('' for none)")
    parser.add_argument("--one", nargs=3, metavar=("PROBLEM", "SAMPLER", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args.one[0], args.one[1], args.good, args.seed, args.plots, args.one[2])
        return
    print(f"Scans judged against the field's samplers: {args.good} good points, seed {args.seed}\n{machine()}")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for problem_name in args.problems.split(","):
        problem = PROBLEMS[problem_name]()
        summaries = []
        for sampler in args.samplers.split(","):
            with tempfile.TemporaryDirectory() as folder:
                out = os.path.join(folder, "summary.json")
                subprocess.run([sys.executable, __file__, "--one", problem_name, sampler, out, "--good", str(args.good),
                                "--seed", str(args.seed), "--plots", args.plots], check=True, env=env)
                with open(out) as f:
                    summaries.append(json.load(f))
            print(f"  {problem_name} / {sampler}: {summaries[-1]['seconds']:.0f} s, "
                  f"{', '.join(summaries[-1]['notes']) or summaries[-1]['settings']}", flush=True)
        print(f"\n{problem.name} ({len(problem.space)}-D, {problem.n_regions} separate good regions)\n")
        print(table(summaries, reference_log_evidence(problem)) + "\n", flush=True)


if __name__ == "__main__":
    main()
