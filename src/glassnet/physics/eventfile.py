"""Event files: an ``EventSample`` in HDF5 (open format, readable from any language with h5py / HDF5).

Schema (version 1), n events of up to N objects:

    /objects     float32 (n, N, 7)  [photon, lepton charge, b-jet +1 / jet -1, MET, pT, E, m], TeV
    /momenta     float32 (n, N, 4)  (E, px, py, pz) in TeV; the MET row is (MET, MET_x, MET_y, 0)
    /mask        bool    (n, N)     True for real objects; padded rows are zero in /objects and /momenta
    /high_level  float32 (n, H)     high-level variables, named by the attribute ``high_level``
    attributes:  format = "glassnet-events", version = 1, features (JSON list of the 7 names),
                 high_level (JSON list of the H names), meta (JSON: process, m_stop, m_neutralino, sqrt_s, seed)

Files are written atomically (a temporary file in the same folder, then renamed); reading checks every
part of the schema and raises ``EventFileError`` naming the file and what is wrong.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile

import numpy as np

from .events import FEATURES, HIGH_LEVEL, EventSample

FORMAT, VERSION = "glassnet-events", 1
DATASETS = ("objects", "momenta", "mask", "high_level")


class EventFileError(ValueError):
    """An events file that is missing, corrupt, or does not follow the schema."""


def _h5py():
    try:
        import h5py
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError("event files need h5py: pip install 'glassnet[physics]'") from error
    return h5py


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in ``path``'s folder; on success rename it to ``path``, on error remove it,
    so that ``path`` is never left half-written."""
    path = os.fspath(path)
    handle, temporary = tempfile.mkstemp(suffix=".tmp", dir=os.path.dirname(os.path.abspath(path)))
    os.close(handle)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise


class AtomicWriter:
    """Base of the event-file writers: ``write(chunk)`` appends to a temporary file (``self._file``, which
    ``open_file(temporary)`` opens) that becomes ``path`` only when the writer closes without an error."""

    def __init__(self, path):
        self.path, self.count = os.fspath(path), 0
        self._atomic = atomic_path(self.path)
        self._file = self.open_file(self._atomic.__enter__())

    def open_file(self, temporary: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        self._file.close()
        self._atomic.__exit__(kind, error, traceback)
        return False


class Hdf5Writer(AtomicWriter):
    """Write ``EventSample`` chunks into one events file, appending each ``write`` (resizable datasets);
    the file appears at ``path`` only when the writer is closed without an error (atomic). The meta of
    the first chunk is the file's."""

    def open_file(self, temporary: str):
        return _h5py().File(temporary, "w")

    def __init__(self, path):
        super().__init__(path)
        self._file.attrs["format"], self._file.attrs["version"] = FORMAT, VERSION
        self._file.attrs["features"], self._file.attrs["high_level"] = json.dumps(FEATURES), json.dumps(HIGH_LEVEL)

    def write(self, sample: EventSample) -> None:
        f, n = self._file, len(sample)
        for name in DATASETS:
            array = np.asarray(getattr(sample, name))
            if name not in f:
                f.attrs["meta"] = json.dumps(sample.meta)
                f.create_dataset(name, data=array, maxshape=(None,) + array.shape[1:], chunks=True)
                continue
            if f[name].shape[1:] != array.shape[1:]:
                raise ValueError(f"cannot append events with {name} {array.shape[1:]} per event to "
                                 f"{self.path!r}, which holds {f[name].shape[1:]}")
            f[name].resize(self.count + n, axis=0)
            f[name][self.count:] = array
        self.count += n


def save_events(sample: EventSample, path) -> None:
    """Write ``sample`` to ``path`` (HDF5, the schema above), atomically."""
    with Hdf5Writer(path) as writer:
        writer.write(sample)


@contextlib.contextmanager
def _open_checked(path):
    """(the open HDF5 file, its meta, fail) after checking the schema's attributes and shapes."""
    h5py = _h5py()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"events file {path!r} does not exist")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise EventFileError(f"events file {path!r} is not a readable HDF5 file (corrupt or truncated?): "
                             f"{error}") from error
    with f:
        def fail(message):
            return EventFileError(f"events file {path!r}: {message}")

        if f.attrs.get("format") != FORMAT:
            raise fail(f"not a glassnet events file (format attribute {f.attrs.get('format')!r}, "
                       f"expected {FORMAT!r})")
        if int(f.attrs.get("version", -1)) != VERSION:
            raise fail(f"schema version {f.attrs.get('version')} is not supported (this glassnet reads {VERSION})")
        try:
            features, high_level = json.loads(f.attrs["features"]), json.loads(f.attrs["high_level"])
            meta = json.loads(f.attrs["meta"])
        except (KeyError, ValueError) as error:
            raise fail(f"missing or unreadable attribute: {error}") from error
        if tuple(features) != FEATURES or tuple(high_level) != HIGH_LEVEL:
            raise fail(f"its feature names {features} / {high_level} do not match this glassnet's "
                       f"{list(FEATURES)} / {list(HIGH_LEVEL)}")
        missing = [name for name in DATASETS if name not in f]
        if missing:
            raise fail(f"missing dataset(s) {', '.join(missing)}")
        _check_shapes({name: f[name] for name in DATASETS}, fail)
        yield f, meta, fail


def _read(f, meta, fail, rows=slice(None)) -> EventSample:
    try:
        arrays = {name: f[name][rows] for name in DATASETS}
    except OSError as error:
        raise fail(f"cannot read its data (corrupt or truncated?): {error}") from error
    if not all(np.isfinite(arrays[name]).all() for name in ("objects", "momenta", "high_level")):
        raise fail("contains NaN or infinite values")
    return EventSample(arrays["objects"], arrays["momenta"], arrays["mask"].astype(bool),
                       arrays["high_level"], dict(meta))


def load_events(path) -> EventSample:
    """Read an events file, checking its schema; ``EventFileError`` if anything does not fit."""
    with _open_checked(path) as (f, meta, fail):
        return _read(f, meta, fail)


def iterate_events(path, step_size: int = 50_000):
    """``EventSample`` chunks of ``step_size`` events from an events file (one chunk in memory at a time)."""
    with _open_checked(path) as (f, meta, fail):
        n = f["mask"].shape[0]
        for start in range(0, n, int(step_size)):
            yield _read(f, meta, fail, slice(start, start + int(step_size)))


def count_events(path) -> int:
    with _open_checked(path) as (f, _, _):
        return int(f["mask"].shape[0])


def read_meta(path) -> dict:
    with _open_checked(path) as (_, meta, _):
        return meta


def _check_shapes(arrays: dict, fail) -> None:
    n, n_objects = arrays["mask"].shape[:2] if arrays["mask"].ndim == 2 else (None, None)
    expected = {"objects": (n, n_objects, len(FEATURES)), "momenta": (n, n_objects, 4),
                "mask": (n, n_objects), "high_level": (n, len(HIGH_LEVEL))}
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise fail(f"dataset {name!r} has shape {arrays[name].shape}, expected {shape} "
                       f"(from /mask's (n, N) and the schema)")
