"""Scan configuration files (TOML), checked key by key: a mistake is one line naming the key.

    [scan]                     # method = "ml" | "random" | "mcmc"; budget = evaluations
    method = "ml"
    output = "results.csv"     # relative paths are relative to the config file
    budget = 2000
    [parameters]
    x1 = { min = 0, max = 31.4159 }
    m0 = { min = 100, max = 1e4, scale = "log" }
    [observable]               # command = "python model.py {x1} {m0}"  or  function = "model:observables"
    command = "python model.py {x1} {m0}"
    timeout = 60               # seconds per point, for a program or a function alike
    [likelihood]               # a Gaussian (value, sigma) or a limit (lower and/or upper, optional sigma)
    O = { value = 100, sigma = 10 }
    [ml]                       # MLScan's options;  [mcmc] the MCMC's
    temperature = 0.5
    [cluster]                  # optional: a Dask cluster the scan starts (see cluster.py)
    kind = "slurm"             # slurm, htcondor, pbs, or local
    jobs = 20                  # and any option of dask-jobqueue's cluster: cores, memory, walltime, queue, ...
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass

from .baselines import MCMCScan, RandomScan
from .cluster import CLUSTERS
from .evaluate import Command, FunctionRef
from .likelihood import Gaussian, Likelihood, Limit
from .loop import MLScan
from .results import LIKELIHOOD_COLUMNS, META_COLUMNS
from .space import Dimension, ParameterSpace


class ConfigError(ValueError):
    """A mistake in a scan config; the message is one line and names the key."""


REQUIRED = object()
POSITIVE = (lambda v: v > 0, "> 0")
AT_LEAST_1 = (lambda v: v >= 1, ">= 1")
NON_NEGATIVE = (lambda v: v >= 0, ">= 0")
FRACTION = (lambda v: 0 <= v <= 1, "between 0 and 1")
TYPES = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list"}


def between(low, high):
    return (lambda v: low <= v <= high, f"between {low:,} and {high:,}")


def one_of(*choices):
    return (lambda v: v in choices, f"one of {', '.join(map(repr, choices))}")


SCHEMA = {
    "scan": {
        "method": (str, "ml", one_of("ml", "random", "mcmc")), "output": (str, "results.csv", None),
        "budget": (int, REQUIRED, AT_LEAST_1), "target_good": (int, None, AT_LEAST_1),
        "good_threshold": (float, 0.9, FRACTION), "batch_size": (int, None, between(1, 100_000)),
        "seed": (int, 0, None), "workers": (int, None, between(0, 1024)), "scheduler": (str, None, None),
    },
    "observable": {
        "command": ((str, list), None, None), "function": (str, None, None), "timeout": (float, 60.0, POSITIVE),
        "format": (str, "auto", one_of("auto", "json", "text")), "record": (list, [], None),
        "max_output_mb": (float, 10.0, POSITIVE),
    },
    "ml": {
        "n_initial": (int, 200, between(1, 1_000_000)), "random_fraction": (float, 0.1, FRACTION),
        "n_candidates": (int, 20000, between(1, 10_000_000)), "temperature": (float, 0.5, POSITIVE),
        "target": (str, "observables", one_of("observables", "log_likelihood")),
        "hidden": (list, [64, 64, 64], None), "activation": (str, "tanh", one_of("tanh", "relu", "elu", "sigmoid", "softplus")),
        "lr": (float, 3e-3, POSITIVE), "train_steps": (int, 200, AT_LEAST_1),
        "first_train_steps": (int, 1000, AT_LEAST_1), "train_batch_size": (int, 256, between(1, 1_000_000)),
        "validity_classifier": (bool, False, None), "density_penalty": (float, 0.0, NON_NEGATIVE),
        "density_radius": (float, 0.02, POSITIVE),
    },
    "mcmc": {"n_chains": (int, 20, between(1, 100_000)), "step_size": (float, 0.02, POSITIVE),
             "temperature": (float, 1.0, POSITIVE)},
}
PARAMETER_KEYS = {"min": (float, REQUIRED, None), "max": (float, REQUIRED, None),
                  "scale": (str, "linear", one_of("linear", "log"))}
TERM_KEYS = {"value": (float, None, None), "sigma": (float, None, POSITIVE), "lower": (float, None, None),
             "upper": (float, None, None)}


def _check(table, schema: dict, where: str) -> dict:
    """The table's values with defaults filled in, or a ConfigError naming the first bad key."""
    if not isinstance(table, dict):
        raise ConfigError(f"'{where}' must be a table")
    for key in table:
        if key not in schema:
            raise ConfigError(f"unknown key '{where}.{key}' (known: {', '.join(schema)})")
    values = {}
    for key, (kind, default, check) in schema.items():
        name = f"{where}.{key}"
        if key not in table:
            if default is REQUIRED:
                raise ConfigError(f"missing key '{name}'")
            values[key] = default
            continue
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        is_bool = isinstance(value, bool)  # a bool is an int to Python, not to a config
        if float in kinds and isinstance(value, int) and not is_bool:
            value = float(value)
        if not isinstance(value, kinds) or (is_bool and bool not in kinds):
            raise ConfigError(f"'{name}' must be {' or '.join(TYPES[k] for k in kinds)}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"'{name}' must be a finite number, got {value!r}")
        if check is not None and not check[0](value):
            raise ConfigError(f"'{name}' must be {check[1]}, got {value!r}")
        values[key] = value
    return values


def _check_name(name: str, section: str) -> None:
    """A parameter or observable name becomes a column of the results file: it must be a name of its own."""
    if not name.strip() or name in META_COLUMNS or name in LIKELIHOOD_COLUMNS:
        raise ConfigError(f"'{section}.{name}': {name!r} cannot be a name here (the results file has a column "
                          f"of that name, or it is empty)")


def _parameters(table) -> ParameterSpace:
    if not isinstance(table, dict) or not table:
        raise ConfigError("'parameters' needs at least one parameter, e.g. x = { min = 0, max = 1 }")
    dimensions = []
    for name, spec in table.items():
        _check_name(name, "parameters")
        p = _check(spec, PARAMETER_KEYS, f"parameters.{name}")
        if not p["min"] < p["max"]:
            raise ConfigError(f"'parameters.{name}': min ({p['min']:g}) must be below max ({p['max']:g})")
        if p["scale"] == "log" and p["min"] <= 0:
            raise ConfigError(f"'parameters.{name}': a log scale needs min > 0, got {p['min']:g}")
        try:
            dimensions.append(Dimension(name, p["min"], p["max"], log=p["scale"] == "log"))
        except ValueError as error:
            raise ConfigError(f"'parameters.{name}': {error}") from None
    return ParameterSpace(dimensions)


def _likelihood(table) -> Likelihood:
    if not isinstance(table, dict) or not table:
        raise ConfigError("'likelihood' needs at least one term, e.g. O = { value = 100, sigma = 10 }")
    terms = []
    for name, spec in table.items():
        _check_name(name, "likelihood")
        t, where = _check(spec, TERM_KEYS, f"likelihood.{name}"), f"likelihood.{name}"
        if t["value"] is not None:
            if t["lower"] is not None or t["upper"] is not None:
                raise ConfigError(f"'{where}': give either value and sigma or lower/upper limits, not both")
            if t["sigma"] is None:
                raise ConfigError(f"missing key '{where}.sigma' (a measured value needs its uncertainty)")
            terms.append(Gaussian(name, t["value"], t["sigma"]))
        elif t["lower"] is None and t["upper"] is None:
            raise ConfigError(f"'{where}' needs value and sigma, or a lower and/or upper limit")
        else:
            if t["lower"] is not None and t["upper"] is not None and not t["lower"] < t["upper"]:
                raise ConfigError(f"'{where}': lower ({t['lower']:g}) must be below upper ({t['upper']:g})")
            terms.append(Limit(name, t["lower"], t["upper"], t["sigma"]))
    return Likelihood(terms)


def _observable(o: dict, folder: str, space: ParameterSpace):
    if (o["command"] is None) == (o["function"] is None):
        raise ConfigError("'observable' needs exactly one of 'observable.command' or 'observable.function'")
    if o["command"] is not None:
        if not o["command"] or (isinstance(o["command"], list) and not all(isinstance(a, str) for a in o["command"])):
            raise ConfigError("'observable.command' must be a command line or a list of strings")
        try:
            command = Command(o["command"], timeout=o["timeout"], format=o["format"], cwd=folder,
                              max_output=int(o["max_output_mb"] * 1e6))
            command.check_placeholders(space.names)
        except ValueError as error:
            raise ConfigError(f"'observable.command': {error}") from None
        return command
    try:
        return FunctionRef(o["function"], path=folder, timeout=o["timeout"])
    except ValueError as error:
        raise ConfigError(f"'observable.function': {error}") from None


def _output(path: str, config_path) -> str:
    """The results file's path, refused if it is a folder or the config itself."""
    if os.path.isdir(path):
        raise ConfigError(f"'scan.output' is a folder ({path}): name the results file, e.g. results.csv")
    if os.path.exists(path) and os.path.samefile(path, config_path):
        raise ConfigError(f"'scan.output' is the config file itself ({path})")
    return path


@dataclass
class ScanConfig:
    """A checked scan configuration; ``build()`` makes the Scan it describes."""
    path: str
    method: str
    output: str
    budget: int
    target_good: int | None
    space: ParameterSpace
    likelihood: Likelihood
    observable: object
    scan: dict
    options: dict   # the [ml] or [mcmc] table
    record: list
    cluster: dict | None = None   # the [cluster] table

    @property
    def observables(self) -> list:
        """The results file's observable columns: the likelihood's, then the recorded ones."""
        return [*self.likelihood.observables, *(r for r in self.record if r not in self.likelihood.observables)]

    def scheduler(self, override=None):
        """Where the points run: ``override`` (an address, or a cluster kind that takes the [cluster]
        table's options), else the file's scheduler or [cluster] table."""
        if override in CLUSTERS:
            return {**(self.cluster or {}), "kind": override}
        return override or self.scan["scheduler"] or self.cluster

    def build(self, workers=None, scheduler=None, verbose: int = 1):
        """The Scan; ``workers`` and ``scheduler`` override the file's."""
        common = dict(good_threshold=self.scan["good_threshold"], seed=self.scan["seed"], record=self.record,
                      workers=self.scan["workers"] if workers is None else workers,
                      scheduler=self.scheduler(scheduler), verbose=verbose)
        batch = {} if self.scan["batch_size"] is None else {"batch_size": self.scan["batch_size"]}
        args = (self.space, self.observable, self.likelihood, self.output)
        if self.method == "ml":
            return MLScan(*args, **batch, **{**self.options, "hidden": tuple(self.options["hidden"])}, **common)
        if self.method == "mcmc":
            return MCMCScan(*args, **self.options, **common)
        return RandomScan(*args, **batch, **common)


def load_config(path) -> ScanConfig:
    """Read and check a scan config file (ConfigError on any mistake)."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    known = ("scan", "parameters", "observable", "likelihood", "ml", "mcmc", "cluster")
    for section in data:
        if section not in known:
            raise ConfigError(f"unknown key '{section}' (known sections: {', '.join(known)})")
    for section in ("scan", "parameters", "observable", "likelihood"):
        if section not in data:
            raise ConfigError(f"missing section '[{section}]'")
    scan = _check(data["scan"], SCHEMA["scan"], "scan")
    cluster = _cluster(data.get("cluster"), scan["scheduler"])
    observable = _check(data["observable"], SCHEMA["observable"], "observable")
    method_options = _check(data.get(scan["method"], {}), SCHEMA[scan["method"]], scan["method"]) \
        if scan["method"] in ("ml", "mcmc") else {}
    stray = sorted(({"ml", "mcmc"} - {scan["method"]}) & set(data))
    if stray:
        raise ConfigError(f"section '[{stray[0]}]' does not apply to scan.method = {scan['method']!r}")
    hidden = method_options.get("hidden")
    if hidden is not None and not (hidden and len(hidden) <= 16 and all(type(h) is int and 1 <= h <= 4096 for h in hidden)):
        raise ConfigError(f"'ml.hidden' must be a list of at most 16 layer sizes, each from 1 to 4096, got {hidden!r}")
    record = observable["record"]
    if not all(isinstance(r, str) for r in record):
        raise ConfigError(f"'observable.record' must be a list of observable names, got {record!r}")
    for name in record:
        _check_name(name, "observable.record")
    space, likelihood = _parameters(data["parameters"]), _likelihood(data["likelihood"])
    names = set(space.names) & (set(likelihood.observables) | set(record))
    if names:
        raise ConfigError(f"'{sorted(names)[0]}' is both a parameter and an observable")
    folder = os.path.dirname(os.path.abspath(path))
    output = _output(os.path.join(folder, scan["output"]), path)
    return ScanConfig(os.fspath(path), scan["method"], output, scan["budget"], scan["target_good"], space,
                      likelihood, _observable(observable, folder, space), scan, method_options, record, cluster)


def _cluster(table, scheduler):
    """The [cluster] table as a cluster spec (kind checked here, the rest by dask-jobqueue), or None."""
    if table is None:
        return None
    if scheduler is not None:
        raise ConfigError("give either 'scan.scheduler' or a [cluster] table, not both")
    if not isinstance(table, dict) or table.get("kind") not in CLUSTERS:
        raise ConfigError(f"'cluster.kind' must be one of {', '.join(map(repr, CLUSTERS))}, "
                          f"got {table.get('kind') if isinstance(table, dict) else table!r}")
    jobs = table.get("jobs", 1)
    if not (type(jobs) is int and 0 <= jobs <= 10_000):
        raise ConfigError(f"'cluster.jobs' must be an integer between 0 and 10,000, got {jobs!r}")
    return dict(table)
