"""Computing the observables of one point: a Python function or an external program.

An observable source is any callable ``f(params: dict) -> observables``, where observables are a
mapping {name: value}, a sequence in the likelihood's order, or one number. It fails by raising.
``Command`` wraps an external program; ``FunctionRef`` names a function "module:function" to import
where it runs (a worker process, a Dask worker). ``evaluate_point`` runs one point and never raises:
a failure becomes an invalid point with its reason. Where the points are computed (this process, a
pool of worker processes, a Dask cluster) is the business of ``executors``.

A source is described to a worker process by ``spec()``, a small JSON-able dict (``source_from_spec``
rebuilds it there): the program's argv, or the function's module and name. ``setup_problem`` tells,
before the first point, whether a source can run at all (the program exists, the module imports).
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import select
import selectors
import shlex
import shutil
import signal
import string
import subprocess
import sys
import time

import numpy as np

MAX_REASON = 200
MAX_OUTPUT = 10_000_000     # bytes of standard output kept from a program; more makes the point invalid
STDERR_TAIL = 65_536        # bytes of standard error kept (the end: the reason is its last line)
SCRIPT_SUFFIXES = (".py", ".sh", ".pl", ".R", ".r", ".jl", ".rb", ".js", ".lua")

# Process groups of the programs this process is running now: a scan worker kills them if the scan dies.
RUNNING_GROUPS: set = set()


class EvaluationError(Exception):
    """The observable source could not give observables for a point; the message is the reason."""


class SetupError(ValueError):
    """The observable source cannot run at all (a missing program or module): refused before the first point."""


def one_line(text: str) -> str:
    """A reason fit for one CSV cell: one line of printable characters, at most MAX_REASON long."""
    lines = ("".join(c if c.isprintable() else " " for c in line).strip() for line in str(text).splitlines())
    text = " | ".join(line for line in lines if line)
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def describe_exit(returncode: int) -> str:
    """'exit code 3' or 'killed by signal 11 (SIGSEGV)' for a process's return code."""
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        name = f" ({signal.Signals(-returncode).name})"
    except ValueError:
        name = ""
    return f"killed by signal {-returncode}{name}"


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
    except (TypeError, ValueError, OverflowError):
        raise EvaluationError(f"observables are not numbers: {one_line(repr(values)[:MAX_REASON])}") from None
    for name, v in zip(names, values):
        if not math.isfinite(v):
            raise EvaluationError(f"observable '{name}' is {v}")
    return values


def evaluate_point(source, names, params: dict):
    """Run ``source`` on one point → (observables array, "") or (NaN array, reason). Never raises
    for what the source does: an exception, or a ``sys.exit`` in a function, is the point's reason."""
    try:
        return as_observables(source(params), names), ""
    except EvaluationError as error:
        reason = str(error)
    except SystemExit as error:  # sys.exit() in the user's function must not end the scan
        reason = f"the function called sys.exit({error.code!r})"
    except Exception as error:  # the user's code failed: record why, keep scanning
        reason = exception_reason(error)
    return np.full(len(names), np.nan), one_line(reason)


def exception_reason(error: BaseException) -> str:
    """'ValueError: out of range', or the exception's name alone when it has no message."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def parse_output(text: str, fmt: str = "auto"):
    """A program's standard output → observables: a JSON object, list or number ('json'), or lines
    'name value', 'name = value' or 'name: value' ('text'); 'auto' tries JSON first."""
    if fmt not in ("auto", "json", "text"):
        raise ValueError(f"format must be 'auto', 'json' or 'text', got {fmt!r}")
    if fmt in ("auto", "json"):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
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


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_program(argv, stdin_text: str, timeout: float | None, max_output: int = MAX_OUTPUT, cwd=None, env=None):
    """Run a program in a process group of its own, writing ``stdin_text`` to its standard input →
    (return code, standard output, the end of standard error).

    The output is read as it comes, never more than ``max_output`` bytes of stdout and the last
    STDERR_TAIL bytes of stderr are kept; past the timeout or the output limit the program is killed
    (EvaluationError). Whatever the program left running in its group is killed when it ends.
    """
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=cwd, env=env, start_new_session=True)
    RUNNING_GROUPS.add(process.pid)
    try:
        return _collect(process, stdin_text.encode(), timeout, max_output)
    finally:
        _kill_group(process.pid)  # the program's leftovers, or the program itself on a timeout
        process.wait()
        RUNNING_GROUPS.discard(process.pid)
        for pipe in (process.stdin, process.stdout, process.stderr):
            pipe.close()


def _collect(process, stdin: bytes, timeout, max_output):
    """Feed stdin, read stdout and stderr until both close, or until the program has exited and
    nothing is left to read (a background child of it may hold them open), within ``timeout``."""
    deadline = None if timeout is None else time.monotonic() + timeout
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        selector.register(process.stdin, selectors.EVENT_WRITE, None)
        readers = 2
        while readers:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise EvaluationError(f"timed out after {timeout:g} s")
            events = selector.select(0.1 if left is None else min(left, 0.1))
            if not events and process.poll() is not None:
                break
            for key, _ in events:
                if key.data is None:  # stdin has room: write a piece that cannot block
                    try:
                        stdin = stdin[os.write(key.fd, stdin[:select.PIPE_BUF]):]
                    except BrokenPipeError:  # the program does not read its input
                        stdin = b""
                    if not stdin:
                        selector.unregister(key.fileobj)
                        key.fileobj.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    readers -= 1
                elif key.data is out:
                    out += chunk
                    if len(out) > max_output:
                        raise EvaluationError(f"printed more than {max_output:,} bytes (the output limit)")
                else:
                    err += chunk
                    del err[:-STDERR_TAIL]
    try:  # it closed its output: give it the rest of its time to exit
        process.wait(None if deadline is None else max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired:
        raise EvaluationError(f"timed out after {timeout:g} s") from None
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def placeholders(argv) -> list:
    """The ``{name}`` placeholders of a command's arguments, in order."""
    return [field for a in argv for _, field, _, _ in string.Formatter().parse(a) if field is not None]


class Command:
    """An external program as an observable source.

    ``argv`` is a list (or a shell-like string) whose ``{name}`` placeholders are filled with the
    parameters (``{m0:.3f}`` formats one); the parameters are also written to the program's standard
    input as a JSON object. The program prints the observables (see ``parse_output``). A program that
    runs longer than ``timeout`` seconds, or prints more than ``max_output`` bytes, is killed with its
    children; a non-zero exit, garbage or NaN makes the point invalid, with the reason.
    """

    def __init__(self, argv, timeout: float | None = 60.0, format: str = "auto", cwd=None, env=None,
                 max_output: int = MAX_OUTPUT):
        self.argv = shlex.split(argv) if isinstance(argv, str) else [str(a) for a in argv]
        if not self.argv:
            raise ValueError("a Command needs a program to run")
        if format not in ("auto", "json", "text"):
            raise ValueError(f"format must be 'auto', 'json' or 'text', got {format!r}")
        if timeout is not None and not 0 < timeout < math.inf:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
        if not max_output >= 1:
            raise ValueError(f"max_output must be >= 1 byte, got {max_output}")
        self.timeout, self.format, self.cwd, self.env = timeout, format, cwd, env
        self.max_output = int(max_output)

    def __repr__(self) -> str:
        return f"Command({shlex.join(self.argv)!r}, timeout={self.timeout})"

    def fill(self, params: dict) -> list:
        """The argv with the placeholders filled in (EvaluationError naming a bad placeholder)."""
        try:
            return [a.format(**{k: float(v) for k, v in params.items()}) for a in self.argv]
        except (KeyError, IndexError) as error:
            raise EvaluationError(f"command placeholder {error} is not a parameter") from None
        except (ValueError, AttributeError) as error:
            raise EvaluationError(f"bad command placeholder: {error}") from None

    def check_placeholders(self, names) -> None:
        """ValueError unless every placeholder is a parameter among ``names`` and formats a number."""
        try:
            self.fill({name: 0.5 for name in names})
        except EvaluationError as error:
            raise ValueError(str(error)) from None

    def __call__(self, params: dict):
        argv = self.fill(params)
        env = None if self.env is None else {**os.environ, **self.env}
        returncode, out, err = run_program(argv, json.dumps(params), self.timeout, self.max_output, self.cwd, env)
        if returncode != 0:
            last = err.strip().splitlines()[-1] if err.strip() else ""
            raise EvaluationError(describe_exit(returncode) + (f": {last}" if last else ""))
        return parse_output(out, self.format)

    def spec(self) -> dict:
        return {"command": self.argv, "timeout": self.timeout, "format": self.format, "cwd": self.cwd,
                "env": self.env, "max_output": self.max_output}

    def setup_problem(self) -> str:
        """Why this program cannot run here ('' if it can): the program, or the script it is given, is missing."""
        program = self.argv[0]
        if "{" in program:
            return ""
        folder = self.cwd or os.getcwd()
        if os.sep in program or (os.altsep and os.altsep in program):
            path = os.path.join(folder, program)
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                return f"program '{program}' not found or not executable (in {folder})"
        else:
            search = (self.env or {}).get("PATH", os.environ.get("PATH", os.defpath))
            if shutil.which(program, path=search) is None:
                return f"program '{program}' not found on the PATH"
        script = next((a for a in self.argv[1:] if not a.startswith("-")), "")
        if script.endswith(SCRIPT_SUFFIXES) and "{" not in script and not os.path.isfile(os.path.join(folder, script)):
            return f"script '{script}' not found (in {folder})"
        return ""


class FunctionRef:
    """A function named "module:function", imported where it runs (in a worker, too).
    ``path`` is put on sys.path first, so a model file beside the config is found; ``timeout``
    (seconds) is how long a worker process may spend on one point before it is killed."""

    def __init__(self, spec: str, path=None, timeout: float | None = None):
        module, sep, name = spec.partition(":")
        if not (sep and module and name):
            raise ValueError(f"a function is named 'module:function', got {spec!r}")
        if timeout is not None and not 0 < timeout < math.inf:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout}")
        self.module, self.name, self.path, self.timeout = module, name, path, timeout
        self._function = None

    @property
    def ref(self) -> str:
        return f"{self.module}:{self.name}"

    def __repr__(self) -> str:
        return f"FunctionRef({self.ref!r})"

    @classmethod
    def from_callable(cls, function, timeout: float | None = None) -> "FunctionRef":
        """The reference of a function defined at the top level of a module (a script run as
        ``__main__`` is imported by its file name, as multiprocessing does)."""
        module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
        if module is None or not name.isidentifier():
            raise ValueError(f"{function!r} cannot run in a worker process: give a function defined at the "
                             "top level of a module (not a lambda, a closure or an object), or use workers=0")
        path = None
        if module == "__main__":
            main_file = getattr(sys.modules["__main__"], "__file__", None)
            if main_file is None:
                raise ValueError(f"{name} is defined in an interactive session: define it in a module file, "
                                 "or use workers=0")
            path, module = os.path.split(os.path.abspath(main_file))
            module = os.path.splitext(module)[0]
        return cls(f"{module}:{name}", path=path, timeout=timeout)

    def __getstate__(self):
        return {**self.__dict__, "_function": None}

    def resolve(self):
        """The function itself (ImportError / AttributeError / TypeError if it cannot be had)."""
        if self._function is None:
            if self.path is not None and str(self.path) not in sys.path:
                sys.path.insert(0, str(self.path))
            function = getattr(importlib.import_module(self.module), self.name)
            if not callable(function):
                raise TypeError(f"'{self.ref}' is a {type(function).__name__}, not a function")
            self._function = function
        return self._function

    def __call__(self, params: dict):
        return self.resolve()(params)

    def spec(self) -> dict:
        return {"function": self.ref, "path": None if self.path is None else str(self.path), "timeout": self.timeout}

    def setup_problem(self) -> str:
        """Why this function cannot be used ('' if it can): importing it fails, or it is not callable."""
        try:
            self.resolve()
        except (Exception, SystemExit) as error:
            return one_line(f"cannot import function '{self.ref}': {exception_reason(error)}")
        return ""


def source_from_spec(spec: dict):
    """The Command or FunctionRef that ``spec()`` described."""
    if "command" in spec:
        return Command(spec["command"], spec["timeout"], spec["format"], spec["cwd"], spec["env"], spec["max_output"])
    return FunctionRef(spec["function"], spec["path"], spec["timeout"])


def as_source(observable, timeout: float | None = None):
    """A Command or FunctionRef for a worker process: those as they are, a function by reference."""
    if isinstance(observable, (Command, FunctionRef)):
        return observable
    if not callable(observable):
        raise TypeError(f"an observable source is a function, Command or FunctionRef, got {observable!r}")
    return FunctionRef.from_callable(observable, timeout)


def setup_problem(source) -> str:
    """Why ``source`` cannot run here at all ('' if it can, or if that cannot be known before a point)."""
    check = getattr(source, "setup_problem", None)
    return check() if check is not None else ""
