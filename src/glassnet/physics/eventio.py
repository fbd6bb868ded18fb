"""Event files of either kind behind one front: HDF5 (``eventfile``, glassnet's schema) and ROOT
(``rootfile``, Delphes or a flat ntuple), chosen by the file's extension.

    for chunk in iterate_any("signal.root", step_size=50_000): ...     # EventSample chunks
    with open_writer("signal.h5") as writer: writer.write(chunk)       # appends, atomic
"""
from __future__ import annotations

import os
from dataclasses import replace

from . import eventfile, rootfile
from .events import EventSample, concatenate

ROOT_SUFFIXES, HDF5_SUFFIXES = (".root",), (".h5", ".hdf5")


def kind_of(path) -> str:
    """'root' or 'hdf5' from the file name, or a clear error."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix in ROOT_SUFFIXES:
        return "root"
    if suffix in HDF5_SUFFIXES:
        return "hdf5"
    raise eventfile.EventFileError(f"events file {os.fspath(path)!r}: unknown kind {suffix!r}; use "
                                   f"{', '.join(ROOT_SUFFIXES + HDF5_SUFFIXES)}")


def iterate_any(path, step_size: int = 50_000, layout: rootfile.Layout = rootfile.DELPHES,
                max_objects: dict = rootfile.MAX_OBJECTS, high_level: bool = True):
    """``EventSample`` chunks of ``step_size`` events (``layout`` and ``max_objects`` apply to ROOT files:
    see ``rootfile.iterate_root``); ``high_level=False`` leaves the high-level variables out ((n, 0)), for
    either kind, so that chunks of both kinds join."""
    if kind_of(path) == "root":
        return rootfile.iterate_root(path, layout, step_size, max_objects, high_level=high_level)
    chunks = eventfile.iterate_events(path, step_size)
    return chunks if high_level else (replace(c, high_level=c.high_level[:, :0]) for c in chunks)


def read_any(path, layout: rootfile.Layout = rootfile.DELPHES, max_objects: dict = rootfile.MAX_OBJECTS,
             step_size: int = 100_000) -> EventSample:
    """All events of a file in memory."""
    if kind_of(path) == "hdf5":
        return eventfile.load_events(path)
    chunks = list(iterate_any(path, step_size, layout, max_objects))
    if not chunks:
        raise eventfile.EventFileError(f"events file {os.fspath(path)!r} holds no events")
    return concatenate(chunks)


def info(path, layout: rootfile.Layout = rootfile.DELPHES) -> tuple[int, dict]:
    """(number of events, meta) without reading the events."""
    if kind_of(path) == "root":
        return rootfile.root_info(path, layout)
    return eventfile.count_events(path), eventfile.read_meta(path)


def open_writer(path, layout: rootfile.Layout = rootfile.DELPHES):
    """A writer with ``write(chunk)`` that appends ``EventSample`` chunks (use it in a ``with``)."""
    if kind_of(path) == "root":
        return rootfile.RootWriter(path, layout)
    return eventfile.Hdf5Writer(path)
