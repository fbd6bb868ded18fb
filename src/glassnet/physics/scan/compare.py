"""The ML scan judged against the samplers the field uses, on test problems with known answers.

Each sampler spends exact evaluations of the same likelihood; every evaluated point is kept in the order
it was computed, so every sampler is measured the same way:
  - evaluations to N good points: how many exact evaluations were spent when the N-th good point came;
  - modes found: how many of the problem's separate good regions hold a good point;
  - the evidence Z = ∫ L(x) π(x) dx (flat prior π on the box), where the sampler estimates one.
A point is good when it lies in the 68.3 % (1σ) region of the likelihood: -2 log L below the 68.3 %
quantile of χ² with the problem's ``constraints`` degrees of freedom (one observable within 1σ of its
measured value on the 2-D problems; a point within a mode's 1σ region on the 8-D mixture).

Samplers and their settings (each the package's own defaults where it has them):
  ml       glassnet's MLScan with its defaults (200 initial points, batches of 200, T = 0.5, half of
           the candidates near the 100 best points so far)
  random   uniform points of the box, batches of 1000 (its mean L estimates Z)
  emcee    emcee's EnsembleSampler, default stretch move, max(32, 4 d) walkers started uniformly in the box
  dynesty  dynesty's static NestedSampler (multi-ellipsoid bounds as MultiNest, sample='auto'), 500 live
           points, dlogz = 0.01; its dead and live points, and every rejected proposal, are evaluations
Evaluations are counted inside the box only (a walker stepping out of the prior costs no model run).
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from .baselines import RandomScan
from .loop import MLScan

SAMPLERS = ("ml", "random", "emcee", "dynesty")
ONE_SIGMA = 0.6827


def good_threshold(problem) -> float:
    """L above which a point is in the 1σ region: exp(-q/2), q the 68.3 % quantile of χ²(constraints)."""
    from scipy.stats import chi2
    return math.exp(-chi2.ppf(ONE_SIGMA, problem.constraints) / 2)


@dataclass
class SamplerRun:
    """The exact evaluations of one sampler on one problem, in the order they were made."""
    sampler: str
    problem: str
    params: np.ndarray              # (n, d) physical points
    log_likelihood: np.ndarray      # (n,)
    seconds: float
    settings: str
    log_evidence: tuple | None = None   # (log Z, its error) where the sampler estimates it
    notes: list = field(default_factory=list)

    def good(self, threshold: float) -> np.ndarray:
        return self.log_likelihood > math.log(threshold)

    def evaluations_to(self, n_good: int, threshold: float) -> int | None:
        """Evaluations spent when the n_good-th good point came (None if it never did)."""
        good = np.flatnonzero(self.good(threshold))
        return int(good[n_good - 1]) + 1 if len(good) >= n_good else None

    def summary(self, problem, n_good: int) -> dict:
        threshold = good_threshold(problem)
        good = self.good(threshold)
        return {"sampler": self.sampler, "problem": self.problem, "settings": self.settings,
                "evaluations": len(self.log_likelihood), "good": int(good.sum()),
                "evaluations_to_n_good": self.evaluations_to(n_good, threshold), "n_good": n_good,
                "modes_found": problem.regions_found(self.params, good), "modes": problem.n_regions,
                "log_evidence": self.log_evidence, "seconds": round(self.seconds, 2), "notes": self.notes}


class CountedLikelihood:
    """log L(x) of a problem at physical points, recording every evaluation in order."""

    def __init__(self, problem):
        self.problem, self.points, self.values = problem, [], []
        space = problem.space
        self.low = np.array([d.low for d in space.dimensions])
        self.high = np.array([d.high for d in space.dimensions])

    def __call__(self, x) -> float:
        x = np.array(x, dtype=float)  # a copy: a sampler may reuse the array it passed
        if np.any(x < self.low) or np.any(x > self.high):
            return -math.inf  # outside the prior: no model run
        observables = self.problem.observable(self.problem.space.as_dict(x))
        names = self.problem.likelihood.observables
        log_l = float(self.problem.likelihood.log_likelihood([[observables[n] for n in names]])[0])
        self.points.append(x)
        self.values.append(log_l)
        return log_l

    def run(self, sampler, seconds, settings, **extra) -> SamplerRun:
        d = len(self.problem.space)
        return SamplerRun(sampler, self.problem.name, np.array(self.points).reshape(-1, d),
                          np.array(self.values), seconds, settings, **extra)


def run_scan(method: str, problem, n_good: int, budget: int, seed: int) -> SamplerRun:
    """glassnet's ML scan or random scan, evaluating in this process, until n_good good points."""
    cls, options, settings = {
        "ml": (MLScan, {}, "MLScan defaults: 200 initial, batches of 200, 10 % random, T = 0.5"),
        "random": (RandomScan, {"batch_size": 1000}, "uniform in the box, batches of 1000"),
    }[method]
    with tempfile.TemporaryDirectory() as folder:
        scan = cls(problem.space, problem.observable, problem.likelihood, os.path.join(folder, "r.csv"),
                   good_threshold=good_threshold(problem), seed=seed, workers=0, verbose=0, **options)
        start = time.perf_counter()
        results = scan.run(budget, target_good=n_good)
        seconds = time.perf_counter() - start
    order = np.argsort(results.id, kind="stable")
    log_evidence = None
    if method == "random":
        likelihood = np.exp(results.log_likelihood)
        mean, error = likelihood.mean(), likelihood.std() / math.sqrt(len(likelihood))
        log_evidence = (math.log(mean), error / mean) if mean > 0 else None
    return SamplerRun(method, problem.name, results.params[order], results.log_likelihood[order], seconds,
                      settings, log_evidence)


def run_emcee(problem, n_good: int, budget: int, seed: int) -> SamplerRun:
    """emcee's ensemble sampler (default stretch move) from walkers spread uniformly over the box."""
    import emcee
    log_l = CountedLikelihood(problem)
    d = len(problem.space)
    walkers = max(32, 4 * d)
    rng = np.random.default_rng(seed)
    start = problem.space.from_unit(rng.random((walkers, d)))
    sampler = emcee.EnsembleSampler(walkers, d, log_l)
    sampler.random_state = np.random.RandomState(seed).get_state()  # emcee's moves use NumPy's legacy generator
    threshold = math.log(good_threshold(problem))
    began = time.perf_counter()
    for _ in sampler.sample(start, iterations=budget // walkers + 1):
        if len(log_l.values) >= budget or np.sum(np.array(log_l.values) > threshold) >= n_good:
            break
    run = log_l.run("emcee", time.perf_counter() - began, f"{walkers} walkers, stretch move (a = 2)")
    run.notes.append(f"acceptance {np.mean(sampler.acceptance_fraction):.2f}")
    return run


def run_dynesty(problem, n_good: int, budget: int, seed: int, live_points: int = 500) -> SamplerRun:
    """dynesty's static nested sampler to its usual end (dlogz = 0.01), or until ``budget`` evaluations."""
    import dynesty
    log_l = CountedLikelihood(problem)
    d = len(problem.space)
    sampler = dynesty.NestedSampler(log_l, lambda u: problem.space.from_unit(u[None])[0], d, nlive=live_points,
                                    bound="multi", sample="auto", rstate=np.random.default_rng(seed))
    began = time.perf_counter()
    sampler.run_nested(dlogz=0.01, maxcall=budget, print_progress=False)
    results = sampler.results
    run = log_l.run("dynesty", time.perf_counter() - began, f"{live_points} live points, multi-ellipsoid, dlogz 0.01",
                    log_evidence=(float(results.logz[-1]), float(results.logzerr[-1])))
    run.notes.append(f"{len(results.logl)} dead + live points of {len(log_l.values)} evaluations")
    return run


def run_sampler(sampler: str, problem, n_good: int, budget: int, seed: int = 0) -> SamplerRun:
    """One sampler on one problem, until n_good good points (or its own end, or ``budget`` evaluations)."""
    if sampler in ("ml", "random"):
        return run_scan(sampler, problem, n_good, budget, seed)
    if sampler == "emcee":
        return run_emcee(problem, n_good, budget, seed)
    if sampler == "dynesty":
        return run_dynesty(problem, n_good, budget, seed)
    raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")


def reference_log_evidence(problem, grid: int = 1000) -> float | None:
    """log Z of the problem: its own exact value if known, else a midpoint grid over a 2-D box."""
    if problem.log_evidence is not None:
        return problem.log_evidence
    if len(problem.space) != 2:
        return None
    centres = (np.arange(grid) + 0.5) / grid
    u = np.stack(np.meshgrid(centres, centres, indexing="ij"), axis=-1).reshape(-1, 2)
    x = problem.space.from_unit(u)
    names = problem.likelihood.observables
    values = [[problem.observable(problem.space.as_dict(p))[n] for n in names] for p in x]
    return float(np.log(np.mean(problem.likelihood(values))))


def corner_plot(run: SamplerRun, problem, path) -> str:
    """Corner plot (the ``corner`` package) of the run's good points, on the problem's box."""
    import corner

    from .plots import _pyplot, _save
    _pyplot()
    good = run.good(good_threshold(problem))
    space = problem.space
    bounds = [(d.low, d.high) for d in space.dimensions]
    points = run.params[good] if good.sum() > len(space) else run.params
    figure = corner.corner(points, bins=40, range=bounds, labels=space.names, plot_density=False,
                           plot_contours=False, data_kwargs={"alpha": 0.4, "ms": 1.5})
    shown = "good points" if points is not run.params else "all points (too few good ones)"
    figure.suptitle(f"{run.sampler} on the {problem.name}: {len(points)} {shown} of {len(run.params)} evaluations",
                    y=1.02)
    return _save(figure, os.fspath(path))


def table(summaries, reference=None) -> str:
    """A markdown table of run summaries (all of one problem)."""
    n_good = summaries[0]["n_good"]
    lines = [f"| sampler | evaluations to {n_good:,} good | good / evaluations | modes found | log Z | time (s) |",
             "|---|---:|---:|---:|---:|---:|"]
    for s in summaries:
        to_n = f"{s['evaluations_to_n_good']:,}" if s["evaluations_to_n_good"] else \
            f"not reached ({s['good']:,} in {s['evaluations']:,})"
        evidence = "—" if not s["log_evidence"] else f"{s['log_evidence'][0]:.2f} ± {s['log_evidence'][1]:.2f}"
        lines.append(f"| {s['sampler']} | {to_n} | {s['good']:,} / {s['evaluations']:,} | "
                     f"{s['modes_found']} of {s['modes']} | {evidence} | {s['seconds']:.0f} |")
    if reference is not None:
        lines.append(f"| (exact) | | | | {reference:.2f} | |")
    return "\n".join(lines)
