"""The results of a scan: an append-only CSV file that survives a crash, and its in-memory table.

One row per evaluated point, written and flushed to the operating system as soon as the point returns,
so a killed scan loses no finished evaluation; the file is also fsynced at least every
``fsync_interval`` seconds and after each batch, so a power cut loses at most that much. Columns:
    id, iteration, origin, <parameters...>, <observables...>, log_likelihood, likelihood, valid, reason
``origin`` says why the point was evaluated ('initial', 'ml', 'random', 'mcmc'). Before a batch is
evaluated, its points are written (atomically) to ``<results>.pending.json``; a resumed scan
evaluates the pending points that have no row yet, so every proposed point is evaluated exactly once.
"""
from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

META_COLUMNS = ("id", "iteration", "origin")
LIKELIHOOD_COLUMNS = ("log_likelihood", "likelihood", "valid", "reason")


class ResultsMismatch(ValueError):
    """A results file whose columns do not belong to this scan."""


class ResultsDamaged(ResultsMismatch):
    """A results file of this scan with a damaged row (the message names its line)."""


def write_atomically(path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class ScanResults:
    """All evaluated points of a scan, as arrays (rows in the order they returned)."""
    parameters: list
    observables: list
    id: np.ndarray
    iteration: np.ndarray
    origin: np.ndarray
    params: np.ndarray          # (n, len(parameters)), physical values
    values: np.ndarray          # (n, len(observables)), NaN where invalid
    log_likelihood: np.ndarray
    valid: np.ndarray
    reason: np.ndarray

    @classmethod
    def empty(cls, parameters, observables) -> "ScanResults":
        return cls(list(parameters), list(observables), np.zeros(0, int), np.zeros(0, int),
                   np.zeros(0, dtype=object), np.zeros((0, len(parameters))), np.zeros((0, len(observables))),
                   np.zeros(0), np.zeros(0, bool), np.zeros(0, dtype=object))

    def __len__(self) -> int:
        return len(self.id)

    @property
    def likelihood(self) -> np.ndarray:
        return np.exp(self.log_likelihood)

    def good(self, threshold: float) -> np.ndarray:
        """Mask of the points with L > threshold."""
        return self.likelihood > threshold

    def concat(self, others) -> "ScanResults":
        """These rows followed by those of each ScanResults in ``others``."""
        fields = ("id", "iteration", "origin", "params", "values", "log_likelihood", "valid", "reason")
        parts = [self, *others]
        return ScanResults(self.parameters, self.observables,
                           *(np.concatenate([getattr(p, f) for p in parts]) for f in fields))

    def columns(self) -> dict:
        """{column name: array}, in the file's column order."""
        table = {"id": self.id, "iteration": self.iteration, "origin": self.origin}
        table.update({name: self.params[:, i] for i, name in enumerate(self.parameters)})
        table.update({name: self.values[:, i] for i, name in enumerate(self.observables)})
        table.update(log_likelihood=self.log_likelihood, likelihood=self.likelihood, valid=self.valid,
                     reason=self.reason)
        return table

    def rows(self):
        """The rows as lists of CSV cells (floats written with repr, so they read back exactly)."""
        table = self.columns()
        for i in range(len(self)):
            yield [_cell(table[name][i]) for name in table]

    def to_parquet(self, path) -> None:
        """Write the table as a parquet file (needs pyarrow)."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("writing parquet needs pyarrow: pip install pyarrow") from None
        table = {k: (v.astype(str) if v.dtype == object else v) for k, v in self.columns().items()}
        pq.write_table(pa.table(table), f"{path}.tmp")
        os.replace(f"{path}.tmp", path)


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def header(parameters, observables) -> list:
    return [*META_COLUMNS, *parameters, *observables, *LIKELIHOOD_COLUMNS]


def read_results(path, parameters, observables) -> ScanResults:
    """Read a results file written by a scan with these parameter and observable names.
    A damaged file (a cell that is not what its column holds, a row of the wrong length, an id twice)
    is refused with ResultsDamaged naming the line; a last line that a crash cut short is left out."""
    expected = header(parameters, observables)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as error:
        raise ResultsDamaged(f"{path}: not a UTF-8 text file ({error.reason} at byte {error.start})") from None
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(text))
    try:
        found = next(reader, None)
        if found != expected:
            raise ResultsMismatch(f"{path}: columns {found} do not match this scan's {expected}")
        rows, lines = [], []
        for row in reader:
            if len(row) != len(expected):
                raise ResultsDamaged(f"{path}, line {reader.line_num}: {len(row)} cells, expected {len(expected)}")
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as error:
        raise ResultsDamaged(f"{path}, line {reader.line_num}: {error}") from None
    return _from_rows(rows, lines, parameters, observables, path)


def _from_rows(rows, lines, parameters, observables, path) -> ScanResults:
    if not rows:
        return ScanResults.empty(parameters, observables)
    names = header(parameters, observables)
    cells = np.array(rows, dtype=object).reshape(len(rows), len(names))

    def column(name, kind, what, check=None):
        """One column as numbers; ResultsDamaged naming the first line whose cell is not ``what``."""
        k = names.index(name)
        try:
            values = np.array(cells[:, k].astype(str), dtype=kind)
            bad = ~check(values) if check is not None else np.zeros(len(values), bool)
        except (ValueError, OverflowError):
            bad = np.array([not _parses(cell, kind) for cell in cells[:, k]])
            values = None
        if bad.any():
            first = int(np.argmax(bad))
            raise ResultsDamaged(f"{path}, line {lines[first]}: column '{name}' holds {cells[first, k]!r}, "
                                 f"not {what}")
        return values

    count = (lambda v: v >= 0)  # noqa: E731
    ids = column("id", int, "an id (an integer >= 0)", count)
    unique, first_rows, counts = np.unique(ids, return_index=True, return_counts=True)
    if (counts > 1).any():
        again = np.flatnonzero(ids == unique[counts > 1][0])[1]
        raise ResultsDamaged(f"{path}, line {lines[again]}: id {ids[again]} appears twice "
                             f"(first on line {lines[first_rows[counts > 1][0]]})")
    params = [column(name, float, "a finite number", np.isfinite) for name in parameters]
    values = [column(name, float, "a number") for name in observables]
    return ScanResults(list(parameters), list(observables), ids,
                       column("iteration", int, "an iteration (an integer >= 0)", count),
                       cells[:, names.index("origin")].astype(object),
                       np.stack(params, axis=1), np.stack(values, axis=1).reshape(len(rows), len(observables)),
                       column("log_likelihood", float, "a number (or -inf)", lambda v: ~np.isnan(v)),
                       column("valid", int, "0 or 1", lambda v: (v == 0) | (v == 1)).astype(bool),
                       cells[:, names.index("reason")].astype(object))


def _parses(cell: str, kind) -> bool:
    try:
        kind(cell)
        return True
    except (ValueError, OverflowError):
        return False


class ResultsFile:
    """The append-only CSV of a scan, with its pending-batch journal beside it."""

    def __init__(self, path, parameters, observables, fsync_interval: float = 1.0):
        self.path = os.fspath(path)
        self.fsync_interval, self._last_sync = fsync_interval, time.monotonic()
        self.pending_path = f"{self.path}.pending.json"
        self.parameters, self.observables = list(parameters), list(observables)

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def create(self) -> None:
        """Start an empty file (only the header) and forget any pending batch."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(header(self.parameters, self.observables))
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        write_atomically(self.path, buffer.getvalue())
        if os.path.exists(self.pending_path):
            os.remove(self.pending_path)

    def load(self) -> ScanResults:
        """Read the file (checking it first: nothing is changed in a file that is not this scan's), then
        cut off a last line that a crash left half-written."""
        results = read_results(self.path, self.parameters, self.observables)
        with open(self.path, "rb+") as f:
            data = f.read()
            if data and not data.endswith(b"\n"):
                f.truncate(data.rfind(b"\n") + 1)
        return results

    def check_replaceable(self) -> None:
        """ResultsMismatch unless the file is empty or a scan's results file (which --overwrite may replace)."""
        with open(self.path, "rb") as f:
            start = f.read(64)
        if start and not start.startswith(",".join(META_COLUMNS).encode() + b","):
            raise ResultsMismatch(f"{self.path} is not a scan's results file: refusing to overwrite it")

    def append(self, rows: ScanResults, sync: bool = False) -> None:
        """Append rows in one write; fsync if ``sync`` or if the last fsync is fsync_interval old."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows.rows())
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(buffer.getvalue())
            f.flush()
            if sync or time.monotonic() - self._last_sync >= self.fsync_interval:
                os.fsync(f.fileno())
                self._last_sync = time.monotonic()

    def write_pending(self, iteration: int, ids, origins, params) -> None:
        points = [{"id": int(i), "origin": str(o), "params": [float(v) for v in p]}
                  for i, o, p in zip(ids, origins, params)]
        write_atomically(self.pending_path, json.dumps({"iteration": int(iteration), "points": points}))

    def read_pending(self):
        """(iteration, ids, origins, params) of the batch in flight when the scan stopped, or None."""
        if not os.path.exists(self.pending_path):
            return None
        try:
            with open(self.pending_path, encoding="utf-8") as f:
                batch = json.load(f)
            points = batch["points"]
            params = np.array([p["params"] for p in points], dtype=float).reshape(len(points), len(self.parameters))
            pending = (int(batch["iteration"]), np.array([p["id"] for p in points], dtype=int),
                       np.array([str(p["origin"]) for p in points], dtype=object), params)
        except (ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
            raise ResultsDamaged(f"{self.pending_path}: damaged ({type(error).__name__}: {error}); delete it to "
                                 "resume without the batch that was in flight") from None
        if not np.isfinite(params).all():
            raise ResultsDamaged(f"{self.pending_path}: damaged (a parameter is not a finite number); delete it "
                                 "to resume without the batch that was in flight")
        return pending

    @contextmanager
    def locked(self):
        """Hold ``<results>.lock`` while a scan writes (the operating system frees it however the scan
        ends); a second scan on the same file is refused instead of interleaving its rows."""
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with open(f"{self.path}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FileExistsError(f"{self.path}: another scan is writing to it now") from None
            yield

    def clear_pending(self) -> None:
        if os.path.exists(self.pending_path):
            os.remove(self.pending_path)
