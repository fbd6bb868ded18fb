"""The scan loop that every method shares: propose a batch, evaluate it in parallel, append each point
to the results file as it returns, repeat until the budget of evaluations or of good points is spent.

A batch is written to the pending file before it is evaluated; points left in it (by a crash, or by
the budget running out mid-batch) are evaluated first when the scan is resumed.
A method only says what to evaluate next: ``propose(results, iteration, rng)`` → (unit-cube points,
origins). Its randomness comes from ``rng = default_rng([seed, iteration])``, so a scan is a
function of its seed and its results file, and a resumed scan picks up where the file ends.
"""
from __future__ import annotations


import numpy as np
from tqdm.auto import tqdm

from .evaluate import Command
from .executors import make_executor
from .results import ResultsFile, ScanResults


class Scan:
    """Base class of the scans: parameter space, observable source, likelihood and results file.

    Args:
        space: the ParameterSpace.
        observable: f(params: dict) → observables (a function, Command or FunctionRef). A process
            pool runs a function by reference: one defined at the top level of a module; a FunctionRef
            adds a timeout per point. A Dask cluster needs it picklable.
        likelihood: the Likelihood of the observables.
        output: path of the results CSV.
        batch_size: points proposed (and evaluated in parallel) per iteration.
        good_threshold: a point is good when L > good_threshold.
        record: names of further observables to record (not in the likelihood).
        seed: the scan's seed.
        workers: processes of the local pool (0 = evaluate in this process: no timeout, no protection
            from a crashing function); ignored with a scheduler.
        scheduler: a dask.distributed Client, a scheduler address 'tcp://host:8786', or a cluster for
            the scan to start and stop, e.g. {"kind": "slurm", "jobs": 20, "cores": 4} (see ``cluster``).
        verbose: 0 silences the progress bar.
    """

    def __init__(self, space, observable, likelihood, output, *, batch_size: int = 100,
                 good_threshold: float = 0.9, record=(), seed: int = 0, workers: int | None = None,
                 scheduler=None, verbose: int = 1):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.space, self.observable, self.likelihood = space, observable, likelihood
        self.observables = [*likelihood.observables, *(r for r in record if r not in likelihood.observables)]
        clash = set(space.names) & set(self.observables)
        if clash:
            raise ValueError(f"names used both as parameter and observable: {sorted(clash)}")
        if isinstance(observable, Command):
            observable.check_placeholders(space.names)
        self.file = ResultsFile(output, space.names, self.observables)
        self.batch_size, self.good_threshold, self.seed = batch_size, good_threshold, seed
        self.workers, self.scheduler, self.verbose = workers, scheduler, verbose

    def propose(self, results: ScanResults, iteration: int, rng: np.random.Generator):
        """The next batch: (unit-cube points (n, d), origins (n,)). Subclasses define it."""
        raise NotImplementedError("abstract: a scan method defines propose()")

    def run(self, max_evaluations: int, target_good: int | None = None, resume: bool = False,
            overwrite: bool = False) -> ScanResults:
        """Scan until ``max_evaluations`` points are evaluated (counting those already in the file when
        resuming) or ``target_good`` good points are found. Returns all results.

        A fresh run refuses to replace a results file that has rows unless ``overwrite``; ``resume``
        continues one, first evaluating the points of the batch a crash interrupted.
        """
        with self.file.locked():
            return self._run(max_evaluations, target_good, resume, overwrite)

    def _run(self, max_evaluations, target_good, resume, overwrite) -> ScanResults:
        executor = make_executor(self.workers, self.scheduler)
        bar = None
        try:
            executor.check(self.observable)  # a missing program or module: refused before the first point
            results = self._open(resume, overwrite)
            bar = tqdm(total=max_evaluations, initial=len(results), disable=not self.verbose, unit="eval",
                       desc=type(self).__name__)
            pending = self.file.read_pending() if resume else None
            if pending is not None:
                iteration, ids, origins, params = pending
                todo = ~np.isin(ids, results.id)
                results = self._evaluate(executor, results, iteration, ids[todo], origins[todo], params[todo],
                                         max_evaluations, bar)
            while len(results) < max_evaluations and not self._enough(results, target_good):
                iteration = int(results.iteration.max()) + 1 if len(results) else 0
                unit, origins = self.propose(results, iteration, np.random.default_rng([self.seed, iteration]))
                start = int(results.id.max()) + 1 if len(results) else 0
                results = self._evaluate(executor, results, iteration, np.arange(start, start + len(unit)),
                                         np.asarray(origins, dtype=object), self.space.from_unit(unit),
                                         max_evaluations, bar)
        finally:
            if bar is not None:
                bar.close()
            executor.close()
        return results

    def _open(self, resume: bool, overwrite: bool) -> ScanResults:
        """The results so far: those of the file (resume), or none in a new file."""
        if resume:
            if not self.file.exists():
                raise FileNotFoundError(f"{self.file.path}: no results to resume")
            return self.file.load()
        if self.file.exists():
            if not overwrite and len(self.file.load()):
                raise FileExistsError(f"{self.file.path} already holds results: resume the scan or overwrite it")
            self.file.check_replaceable()
        self.file.create()
        return ScanResults.empty(self.space.names, self.observables)

    def _enough(self, results: ScanResults, target_good: int | None) -> bool:
        return target_good is not None and int(results.good(self.good_threshold).sum()) >= target_good

    def _evaluate(self, executor, results, iteration, ids, origins, params, max_evaluations, bar) -> ScanResults:
        """Evaluate one batch, appending every point to the file the moment it returns. Points beyond
        the budget stay in the pending file, for a resumed scan with a larger budget to evaluate."""
        self.file.write_pending(iteration, ids, origins, params)
        n = min(len(ids), max_evaluations - len(results))
        points = [self.space.as_dict(p) for p in params[:n]]
        n_likelihood = len(self.likelihood.observables)
        rows = []
        for i, values, reason in executor.evaluate(self.observable, self.observables, points):
            row = ScanResults(self.space.names, self.observables, ids[i:i + 1], np.array([iteration]),
                              origins[i:i + 1], params[i:i + 1], values[None],
                              self.likelihood.log_likelihood(values[None, :n_likelihood]),
                              np.array([reason == ""]), np.array([reason], dtype=object))
            rows.append(row)
            self.file.append(row, sync=len(rows) == len(points))
            bar.update(1)
        if n == len(ids):
            self.file.clear_pending()
        results = results.concat(rows)
        if self.verbose and rows:
            good = results.good(self.good_threshold)
            bar.set_postfix(iteration=iteration, good=int(good.sum()),
                            batch_good=f"{good[results.iteration == iteration].mean():.0%}")
        return results
