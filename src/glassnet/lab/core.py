"""The lab registry and what a lab returns.

A lab is a function ``fn(out, quick=False, **params) -> LabResult`` registered with ``@lab(...)``:
it reproduces one worked example of the lectures with glassnet's real classes, records its key numbers
beside the lecture's values (pass when they agree to the lecture's printed precision), writes its
figures into ``out`` and says in a few lines what it showed.
"""
from __future__ import annotations

import importlib
import inspect
import math
import os
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..backends.threads import one_blas_thread

PASSED, FAILED, WAITING, RAN = "passed", "failed", "waiting", "ran"


class Waiting(Exception):
    """A lab needs a part of glassnet that another issue is building and that is not importable yet."""


def require(module: str, name: str | None = None, issue: int | None = None):
    """Import ``module`` (and its attribute ``name``) or raise ``Waiting`` naming the part and its issue.
    A missing third-party package is not 'waiting' but an error that names the package."""
    part = f"{module}.{name}" if name else module
    try:
        found = importlib.import_module(module)
        return getattr(found, name) if name else found
    except ModuleNotFoundError as missing:
        if missing.name and not missing.name.startswith("glassnet"):
            raise ImportError(f"{part} needs the package '{missing.name}' (pip install {missing.name})") from None
        raise Waiting(f"waiting for {part} (issue {issue})") from None
    except AttributeError:
        raise Waiting(f"waiting for {part} (issue {issue})") from None


@dataclass
class Number:
    """A key number of a lab; ``expected`` is the lecture's value, compared at ``digits`` decimals."""

    name: str
    value: float
    expected: float | None = None
    digits: int | None = None
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.expected is None:
            return None
        if self.digits is None:
            return math.isclose(self.value, self.expected, rel_tol=1e-6, abs_tol=1e-9)
        # agreement to the printed precision: |value - expected| ≤ half a unit of the last printed digit
        return abs(self.value - self.expected) <= 0.5 * 10.0 ** -self.digits + 1e-12

    def shown(self, x: float) -> str:
        return f"{x:.{self.digits}f}" if self.digits is not None else f"{x:.6g}"


@dataclass
class Check:
    """A statement of the lecture that the lab tests (e.g. 'one linear unit cannot do XOR')."""

    statement: str
    passed: bool
    detail: str = ""


@dataclass
class LabResult:
    """Numbers, checks, figures and text of one lab run; the runner fills in name, status and time."""

    out: Path
    numbers: list[Number] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    text: str = ""
    name: str = ""
    title: str = ""
    source: str = ""
    status: str = RAN
    error: str = ""
    seconds: float = 0.0

    def number(self, name: str, value, expected=None, digits=None, note: str = "") -> Number:
        entry = Number(name, float(value), None if expected is None else float(expected), digits, note)
        self.numbers.append(entry)
        return entry

    def check(self, statement: str, passed, detail: str = "") -> Check:
        entry = Check(statement, bool(passed), detail)
        self.checks.append(entry)
        return entry

    def say(self, line: str) -> None:
        self.text = f"{self.text}\n{line}" if self.text else line

    def figure(self, fig, stem: str) -> Path:
        """Write a matplotlib figure as ``out/stem.png`` (atomically) and close it."""
        import matplotlib.pyplot as plt

        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"{stem}.png"
        fd, tmp = tempfile.mkstemp(suffix=".png", dir=self.out)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=90, bbox_inches="tight")
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a figure is for everyone to read
            os.replace(tmp, path)
        finally:
            plt.close(fig)
            if os.path.exists(tmp):
                os.remove(tmp)
        self.figures.append(path)
        return path

    @property
    def verdict(self) -> str:
        """passed / failed when the lecture gives something to compare with, else 'ran'."""
        marks = [n.passed for n in self.numbers if n.passed is not None] + [c.passed for c in self.checks]
        if not marks:
            return RAN
        return PASSED if all(marks) else FAILED


@dataclass
class Lab:
    name: str
    title: str
    source: str
    params: dict[str, str]
    fn: object
    topic: str

    @property
    def defaults(self) -> dict:
        signature = inspect.signature(self.fn)
        return {name: signature.parameters[name].default for name in self.params}

    def run(self, out, quick: bool = False, **params) -> LabResult:
        """Run the lab into folder ``out``; never raises: errors become a failed result."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise KeyError(f"lab {self.name!r} has no parameter {unknown[0]!r}; "
                           f"it has: {', '.join(self.params) or 'none'}")
        out = Path(out)
        start = time.perf_counter()
        try:
            with one_blas_thread():  # labs multiply small matrices: BLAS threads only wait
                result = self.fn(out, quick=quick, **params)
            result.status = result.verdict
        except Waiting as waiting:
            result = LabResult(out, status=WAITING, error=str(waiting))
        except Exception as error:  # a broken lab is reported, it does not stop the tour
            result = LabResult(out, status=FAILED,
                               error=f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        result.name, result.title, result.source = self.name, self.title, self.source
        result.seconds = time.perf_counter() - start
        return result


REGISTRY: dict[str, Lab] = {}


def lab(name: str, title: str, source: str, params: dict[str, str] | None = None):
    """Register ``fn(out, quick=False, **params)`` as a lab; ``params`` maps each parameter to its help."""
    params = params or {}

    def register(fn):
        signature = inspect.signature(fn)
        missing = [p for p in params if p not in signature.parameters
                   or signature.parameters[p].default is inspect.Parameter.empty]
        if missing:
            raise TypeError(f"lab {name!r}: parameter {missing[0]!r} needs a default in {fn.__name__}()")
        if name in REGISTRY:
            raise ValueError(f"two labs are named {name!r}")
        REGISTRY[name] = Lab(name, title, source, dict(params), fn, fn.__module__.rsplit(".", 1)[-1])
        return fn

    return register


def subplots(*args, **kwargs):
    """``matplotlib.pyplot.subplots`` on the file-only Agg backend (labs run on machines without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)
