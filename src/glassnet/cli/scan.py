"""glassnet scan — run, resume and plot a Machine Learning Scan described by a TOML config."""
from __future__ import annotations

import os

from . import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("scan", help="machine-learning scan of a model's parameter space",
                                   description="Scan a model's parameter space (config: see glassnet.physics.scan.config).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("run", "start a scan"), ("resume", "continue a scan from its results file")):
        p = actions.add_parser(name, help=text)
        p.add_argument("config", help="the scan's TOML config")
        p.add_argument("--budget", type=int, help="total evaluations (overrides scan.budget)")
        p.add_argument("--target-good", type=int, help="stop after this many good points")
        p.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:8786), or a cluster to start: "
                                             "slurm, htcondor, pbs or local (options from the config's [cluster])")
        p.add_argument("--workers", type=int, help="local worker processes (0: evaluate in this process)")
        p.add_argument("--verbose", type=int, default=1, help="0 silences the progress bar")
        if name == "run":
            p.add_argument("--overwrite", action="store_true", help="replace an existing results file")
    p = actions.add_parser("plot", help="figures of a scan's results")
    p.add_argument("config", help="the scan's TOML config")
    p.add_argument("--out", default=None, help="folder for the PNG files (default: beside the results)")
    p = actions.add_parser("compare", help="the ML scan beside random, MCMC (emcee) and nested sampling (dynesty)",
                           description="Run samplers on a test problem until each has N good points; print "
                                       "evaluations, modes found and evidence; write corner plots.")
    p.add_argument("problem", help="egg_box, rosenbrock, gaussian_shells, gaussian_mixture, himmelblau, ...")
    p.add_argument("--samplers", default="ml,random,emcee,dynesty", help="comma-separated (default: all four)")
    p.add_argument("--good", type=int, default=1000, help="good points to collect (default 1000)")
    p.add_argument("--budget", type=int, default=20000, help="most exact evaluations per sampler (default 20000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="scan-compare", help="folder for the corner plots and summary.json")
    p = actions.add_parser("export", help="write a scan's results as a parquet file (needs pyarrow)")
    p.add_argument("config", help="the scan's TOML config")
    p.add_argument("parquet", help="the parquet file to write")
    parser.set_defaults(func=run)


def _config(path):
    from ..physics.scan.config import ConfigError, load_config
    try:
        return load_config(path)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def run(args) -> int:
    from ..physics.scan.cluster import ClusterError
    from ..physics.scan.evaluate import SetupError
    from ..physics.scan.results import ResultsMismatch
    if args.action == "compare":
        return compare(args)
    config = _config(args.config)
    if args.action == "plot":
        from ..physics.scan.plots import plot_scan
        results = _results(config)
        for path in plot_scan(results, config.space, config.scan["good_threshold"],
                              args.out or os.path.dirname(config.output)):
            print(path)
        return 0
    if args.action == "export":
        try:
            _results(config).to_parquet(args.parquet)
        except ImportError as error:
            raise UsageError(str(error)) from None
        print(args.parquet)
        return 0
    budget = args.budget if args.budget is not None else config.budget
    if budget < 1:
        raise UsageError(f"--budget must be >= 1, got {budget}")
    scan = config.build(workers=args.workers, scheduler=args.scheduler, verbose=args.verbose)
    try:
        results = scan.run(budget, target_good=args.target_good or config.target_good,
                           resume=args.action == "resume", overwrite=getattr(args, "overwrite", False))
    except (OSError, ResultsMismatch, SetupError, ConnectionError, ImportError, ClusterError) as error:
        raise UsageError(str(error)) from None
    good = results.good(scan.good_threshold)
    invalid = int((~results.valid).sum())
    print(f"{len(results)} evaluations, {int(good.sum())} good (L > {scan.good_threshold:g}, "
          f"{good.mean():.1%}), {invalid} invalid; results in {os.path.relpath(config.output)}")
    return 0


def _results(config):
    from ..physics.scan.results import ResultsMismatch, read_results
    if not os.path.exists(config.output):
        raise UsageError(f"{config.output}: no results yet (run the scan first)")
    try:
        return read_results(config.output, config.space.names, config.observables)
    except ResultsMismatch as error:
        raise UsageError(str(error)) from None


def compare(args) -> int:
    import json

    from ..physics.scan.compare import SAMPLERS, corner_plot, reference_log_evidence, run_sampler, table
    from ..physics.scan.results import write_atomically
    from ..physics.scan.testfunctions import PROBLEMS
    if args.problem not in PROBLEMS:
        raise UsageError(f"problem must be one of {', '.join(PROBLEMS)}, got {args.problem!r}")
    samplers = args.samplers.split(",")
    for sampler in samplers:
        if sampler not in SAMPLERS:
            raise UsageError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    if args.good < 1 or args.budget < 1:
        raise UsageError(f"--good and --budget must be >= 1, got {args.good} and {args.budget}")
    problem = PROBLEMS[args.problem]()
    os.makedirs(args.out, exist_ok=True)
    summaries = []
    try:
        for sampler in samplers:
            run = run_sampler(sampler, problem, args.good, args.budget, args.seed)
            summaries.append(run.summary(problem, args.good))
            summaries[-1]["corner"] = corner_plot(run, problem, os.path.join(args.out, f"{args.problem}_{sampler}.png"))
    except ImportError as error:
        raise UsageError(f"{error} (the comparison needs emcee, dynesty, corner and scipy: "
                         "pip install 'glassnet[scan]')") from None
    reference = reference_log_evidence(problem)
    print(f"{problem.name}: {len(problem.space)}-D, {problem.n_regions} separate good regions\n")
    print(table(summaries, reference))
    write_atomically(os.path.join(args.out, "summary.json"),
                     json.dumps({"problem": problem.name, "reference_log_evidence": reference, "runs": summaries}, indent=1))
    return 0
