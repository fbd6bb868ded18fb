"""Computing the observables of points: Python functions or external programs, in parallel.

An observable source is any picklable callable ``f(params: dict) -> observables``, where observables
are a mapping {name: value}, a sequence in the likelihood's order, or one number. It fails by raising.
``Command`` wraps an external program; ``FunctionRef`` names a function "module:function" to import in
the worker. ``evaluate_point`` runs one point and never raises: a failure becomes an invalid point with
its reason. Executors run many points at once: ``SerialExecutor`` (in this process),
``PoolExecutor`` (a process pool, the default) and ``DaskExecutor`` (a dask.distributed cluster).
"""
from __future__ import annotations

import concurrent.futures
import importlib
import json
import math
import os
import shlex
import signal
import subprocess
import sys

import numpy as np

MAX_REASON = 200


class EvaluationError(Exception):
    """The observable source could not give observables for a point; the message is the reason."""


def one_line(text: str) -> str:
    """A reason fit for one CSV cell: one line, at most MAX_REASON characters."""
    text = " | ".join(line.strip() for line in str(text).strip().splitlines() if line.strip())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def as_observables(output, names) -> np.ndarray:
    """An observable source's output → float array in ``names`` order, or EvaluationError."""
    if output is None:
        raise EvaluationError("no observables returned")
    if isinstance(output, dict):
        missing = [n for n in names if n not in output]
        if missing:
            raise EvaluationError(f"missing observable '{missing[0]}'")
        values = [output[n] for n in names]
    elif np.ndim(output) == 0:
        values = [output]
    else:
        values = list(np.ravel(output))
    if len(values) != len(names):
        raise EvaluationError(f"expected {len(names)} observables {names}, got {len(values)}")
    try:
        values = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise EvaluationError(f"observables are not numbers: {one_line(repr(values))}") from None
    for name, v in zip(names, values):
        if not math.isfinite(v):
            raise EvaluationError(f"observable '{name}' is {v}")
    return values


def evaluate_point(source, names, params: dict):
    """Run ``source`` on one point → (observables array, "") or (NaN array, reason). Never raises."""
    try:
        return as_observables(source(params), names), ""
    except EvaluationError as error:
        reason = str(error)
    except Exception as error:  # the user's code failed: record why, keep scanning
        reason = f"{type(error).__name__}: {error}"
    return np.full(len(names), np.nan), one_line(reason)


def parse_output(text: str, fmt: str = "auto"):
    """A program's standard output → observables: a JSON object, list or number ('json'), or lines
    'name value', 'name = value' or 'name: value' ('text'); 'auto' tries JSON first."""
    if fmt not in ("auto", "json", "text"):
        raise ValueError(f"format must be 'auto', 'json' or 'text', got {fmt!r}")
    if fmt in ("auto", "json"):
        try:
            return json.loads(text)
        except ValueError:
            if fmt == "json":
                raise EvaluationError(f"output is not JSON: {one_line(repr(text[:60]))}") from None
    values = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace("=", " ").replace(":", " ").split()
        if len(parts) != 2:
            raise EvaluationError(f"unparseable output line: {one_line(repr(line[:60]))}")
        try:
            values[parts[0]] = float(parts[1])
        except ValueError:
            raise EvaluationError(f"unparseable output line: {one_line(repr(line[:60]))}") from None
    if not values:
        raise EvaluationError("the program printed nothing")
    return values


class Command:
    """An external program as an observable source.

    ``argv`` is a list (or a shell-like string) whose ``{name}`` placeholders are filled with the
    parameters; the parameters are also written to the program's standard input as a JSON object.
    The program prints the observables (see ``parse_output``). A program that runs longer than
    ``timeout`` seconds is killed with its children; a non-zero exit, garbage or NaN makes the point
    invalid, with the reason.
    """

    def __init__(self, argv, timeout: float | None = 60.0, format: str = "auto", cwd=None, env=None):
        self.argv = shlex.split(argv) if isinstance(argv, str) else [str(a) for a in argv]
        if not self.argv:
            raise ValueError("a Command needs a program to run")
        if format not in ("auto", "json", "text"):
            raise ValueError(f"format must be 'auto', 'json' or 'text', got {format!r}")
        self.timeout, self.format, self.cwd, self.env = timeout, format, cwd, env

    def __repr__(self) -> str:
        return f"Command({shlex.join(self.argv)!r}, timeout={self.timeout})"

    def __call__(self, params: dict):
        try:
            argv = [a.format(**{k: repr(float(v)) for k, v in params.items()}) for a in self.argv]
        except (KeyError, IndexError) as error:
            raise EvaluationError(f"command placeholder {error} is not a parameter") from None
        env = None if self.env is None else {**os.environ, **self.env}
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=self.cwd, env=env, start_new_session=True)
        try:
            out, err = process.communicate(json.dumps(params), timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the program and anything it started
            process.communicate()
            raise EvaluationError(f"timed out after {self.timeout:g} s") from None
        if process.returncode != 0:
            last = err.strip().splitlines()[-1] if err.strip() else ""
            raise EvaluationError(f"exit code {process.returncode}" + (f": {last}" if last else ""))
        return parse_output(out, self.format)


class FunctionRef:
    """A function named "module:function", imported where it runs (in a worker, too).
    ``path`` is put on sys.path first, so a model file beside the config is found."""

    def __init__(self, spec: str, path=None):
        module, sep, name = spec.partition(":")
        if not (sep and module and name):
            raise ValueError(f"a function is named 'module:function', got {spec!r}")
        self.spec, self.module, self.name, self.path = spec, module, name, path
        self._function = None

    def __repr__(self) -> str:
        return f"FunctionRef({self.spec!r})"

    def __getstate__(self):
        return {**self.__dict__, "_function": None}

    def resolve(self):
        """The function itself (ImportError / AttributeError if it cannot be found)."""
        if self._function is None:
            if self.path is not None and str(self.path) not in sys.path:
                sys.path.insert(0, str(self.path))
            self._function = getattr(importlib.import_module(self.module), self.name)
        return self._function

    def __call__(self, params: dict):
        return self.resolve()(params)


class SerialExecutor:
    """Evaluate points one after the other in this process (cheap functions, debugging)."""

    def map_unordered(self, fn, items):
        for i, item in enumerate(items):
            yield i, fn(*item)

    def close(self):
        pass


class PoolExecutor:
    """A local process pool: ``workers`` processes (default: the machine's cores)."""

    def __init__(self, workers: int | None = None):
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers)

    def map_unordered(self, fn, items):
        futures = {self.pool.submit(fn, *item): i for i, item in enumerate(items)}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], future.result()

    def close(self):
        self.pool.shutdown(cancel_futures=True)


class DaskExecutor:
    """A dask.distributed cluster: a ``Client`` you made, or a scheduler address 'tcp://host:8786'
    (then this executor opens the client and closes it)."""

    def __init__(self, client, timeout: float = 30.0):
        try:
            import distributed
        except ImportError:
            raise ImportError("a Dask scheduler needs dask.distributed: pip install 'glassnet[scan]'") from None
        self._distributed = distributed
        self.owns_client = isinstance(client, str)
        if self.owns_client:
            try:
                client = distributed.Client(client, timeout=timeout)
            except (OSError, TimeoutError) as error:
                raise ConnectionError(f"cannot reach the Dask scheduler at {client}: {error}") from None
        self.client = client

    def map_unordered(self, fn, items):
        futures = {self.client.submit(fn, *item, pure=False): i for i, item in enumerate(items)}
        for future in self._distributed.as_completed(list(futures)):
            yield futures[future], future.result()

    def close(self):
        if self.owns_client:
            self.client.close()


def make_executor(workers: int | None = None, scheduler=None):
    """The executor for a scan: Dask if ``scheduler`` (an address or a Client) is given,
    else in this process if ``workers == 0``, else a process pool of ``workers``."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers == 0:
        return SerialExecutor()
    return PoolExecutor(workers)
