"""Loaders for users' own data: the MNIST IDX format and CSV tables (features + a label column).

Errors name the file and what is wrong with it (missing, empty, truncated, a non-numeric cell).
"""
from __future__ import annotations

import csv
import gzip
import os

import numpy as np

# IDX type codes (the third byte of the magic number) -> big-endian dtype
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


FLOAT32_MAX = float(np.finfo(np.float32).max)


class DataFileError(ValueError):
    """A data file that cannot be read: the message names the file and the problem."""


def _read_bytes(path) -> bytes:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise DataFileError(f"{path}: broken gzip stream ({error})") from None
    return raw


def read_idx(path) -> np.ndarray:
    """Read an IDX file (optionally gzipped): magic 0 0 <type> <ndim>, ndim big-endian int32 sizes, data."""
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataFileError(f"{path}: not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataFileError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">i4", ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataFileError(f"{path}: IDX header promises shape {shape} ({expected} bytes of data), "
                            f"the file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def load_mnist(images_path, labels_path=None, normalize: bool = True, flatten: bool = True):
    """MNIST-format data from IDX files (``train-images-idx3-ubyte[.gz]`` and its labels file).

    Returns X float32 ``(n, rows·cols)`` (or ``(n, 1, rows, cols)`` without ``flatten``), pixels
    divided by 255 with ``normalize``, and y int64 ``(n,)`` (None without a labels file).
    """
    images = read_idx(images_path)
    if images.ndim != 3:
        raise DataFileError(f"{images_path}: MNIST images are 3-D (n, rows, cols), got shape {images.shape}")
    X = images.astype(np.float32) / (255.0 if normalize else 1.0)
    X = X.reshape(len(X), -1) if flatten else X[:, None]
    if labels_path is None:
        return X, None
    y = read_idx(labels_path)
    if y.shape != (len(X),):
        raise DataFileError(f"{labels_path}: labels of shape {y.shape}; expected {len(X)} labels for "
                            f"{len(X)} images")
    return X, y.astype(np.int64)


def load_csv(path, target=None, features=None, delimiter: str = ",", finite: bool = True):
    """A CSV table with a header row: returns ``(X, y, feature_names)``.

    ``target`` (a column name) is taken out as y: int64 if every value is an integer (that int64
    holds exactly), float32 if numeric, otherwise the strings themselves (class names). X float32
    ``(n, n_features)`` holds the ``features`` columns in that order (default: every other column);
    they must be numeric. Without ``target``, y is None. With ``finite`` (the default) a NaN, an
    infinity or a number too large for float32 in any used cell is an error naming every such cell
    (up to ten); pass ``finite=False`` to keep NaN as "missing" (for the boosted trees). Two columns
    of one name, or an empty target cell, are errors too.
    """
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not a text (UTF-8) CSV file") from None
    rows = [row for row in csv.reader(text.splitlines(), delimiter=delimiter) if row]
    if not rows:
        raise DataFileError(f"{path}: the file is empty")
    header, body = [name.strip() for name in rows[0]], rows[1:]
    _check_header(path, header)
    if not body:
        raise DataFileError(f"{path}: only a header row, no data")
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataFileError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)}")
    wanted = ([] if target is None else [target]) + list(features or [])
    missing = [name for name in wanted if name not in header]
    if missing:
        raise DataFileError(f"{path}: no column {', '.join(map(repr, missing))} (columns: {', '.join(header)})")
    target_col = header.index(target) if target is not None else None
    features = ([header.index(name) for name in features] if features is not None
                else [i for i in range(len(header)) if i != target_col])
    X = np.empty((len(body), len(features)), dtype=np.float32)
    with np.errstate(over="ignore"):  # a number too large for float32 becomes inf, reported below
        for line, row in enumerate(body, start=2):
            for j, col in enumerate(features):
                try:
                    X[line - 2, j] = float(row[col])
                except ValueError:
                    raise DataFileError(f"{path}, line {line}: column {header[col]!r} holds {row[col]!r}, "
                                        f"not a number") from None
    if finite:
        bad = np.argwhere(~np.isfinite(X))
        _refuse_cells(path, [(row + 2, header[features[j]], body[row][features[j]]) for row, j in bad])
    y = None if target_col is None else _target_array(path, [row[target_col].strip() for row in body],
                                                      header[target_col], finite)
    return X, y, [header[i] for i in features]


def _check_header(path, header: list[str]) -> None:
    seen = {}
    for i, name in enumerate(header, start=1):
        if name in seen:
            raise DataFileError(f"{path}: columns {seen[name]} and {i} are both named {name!r}; "
                                f"column names must be unique")
        seen[name] = i


def _refuse_cells(path, cells: list) -> None:
    """One error naming the cells (line, column, text) that are not finite numbers, if any."""
    if cells:
        shown = "; ".join(f"line {line}, column {column!r} holds {text.strip()!r}" for line, column, text in cells[:10])
        more = f" (and {len(cells) - 10} more)" if len(cells) > 10 else ""
        raise DataFileError(f"{path}: {shown}{more}: not a finite number (float32)")


def _target_array(path, values: list[str], name: str, finite: bool) -> np.ndarray:
    empty = [line for line, value in enumerate(values, start=2) if not value]
    if empty:
        raise DataFileError(f"{path}, line {empty[0]}: the target column {name!r} is empty"
                            + (f" (and in {len(empty) - 1} more rows)" if len(empty) > 1 else ""))
    try:
        numbers = np.array([float(v) for v in values])
    except ValueError:
        return np.array(values)
    if finite:
        _refuse_cells(path, [(line, name, value) for line, (value, number) in enumerate(zip(values, numbers), start=2)
                             if not abs(number) <= FLOAT32_MAX])
    exact = np.isfinite(numbers) & (np.abs(numbers) <= 2**53)  # integers a float64 (and int64) holds exactly
    if np.all(exact) and np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers.astype(np.float32)
