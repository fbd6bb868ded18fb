"""The file layer: safetensors files with JSON metadata, written atomically, read with checks.

A safetensors file is an 8-byte little-endian header length, a JSON header (tensor names, dtypes,
shapes, byte offsets, and a ``__metadata__`` map of strings), then the raw tensor bytes. Nothing in it
can execute code; anything that is not such a file (a pickle, a PyTorch zip, a truncated or corrupted
file) is refused with a ``FileFormatError`` naming the file and the problem.
"""
from __future__ import annotations

import json
import os
import struct
import tempfile

import numpy as np
import safetensors.numpy

FORMAT_KEY = "glassnet.format"


class FileFormatError(ValueError):
    """A file that is not a readable glassnet file; the message says which file and why."""


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``: readers see
    the old file or the new one, never half of one."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_safetensors(path, tensors: dict, metadata: dict) -> None:
    """``tensors`` name -> ndarray, ``metadata`` name -> JSON-able value (stored as JSON strings)."""
    arrays = {name: np.require(value, requirements="C") for name, value in tensors.items()}  # keeps 0-d
    header = {key: json.dumps(value) for key, value in metadata.items()}
    atomic_write(path, safetensors.numpy.save(arrays, metadata=header))


def _foreign_kind(raw: bytes) -> str | None:
    """What a file that glassnet refuses looks like, if recognizable."""
    if raw[:1] == b"\x80" or raw[:2] in (b"(d", b"(l", b"}q", b"]q"):
        return "a Python pickle, which glassnet never loads (unpickling can run code)"
    if raw[:4] == b"PK\x03\x04":
        return "a zip archive (a PyTorch .pt file?), which glassnet never loads"
    return None


def read_safetensors(path, expected_format: str | tuple) -> tuple[dict, dict]:
    """Read and check a file written by ``write_safetensors``; returns (tensors, metadata)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    kind = _foreign_kind(raw)
    if kind:
        raise FileFormatError(f"{path}: it looks like {kind}")
    if len(raw) < 8 or raw[8:9] != b"{":
        raise FileFormatError(f"{path}: not a safetensors file")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if header_len > len(raw) - 8:
        raise FileFormatError(f"{path}: truncated (the header needs {header_len} bytes, "
                              f"the file holds {len(raw) - 8})")
    try:
        header = json.loads(raw[8:8 + header_len])
        tensors = safetensors.numpy.load(raw)
    except (ValueError, UnicodeDecodeError, safetensors.SafetensorError) as error:
        raise FileFormatError(f"{path}: corrupted or truncated safetensors file ({error})") from None
    try:
        metadata = {k: json.loads(v) for k, v in (header.get("__metadata__") or {}).items()}
    except (TypeError, ValueError, AttributeError) as error:
        raise FileFormatError(f"{path}: corrupted metadata ({error})") from None
    expected = (expected_format,) if isinstance(expected_format, str) else expected_format
    if metadata.get(FORMAT_KEY) not in expected:
        found = metadata.get(FORMAT_KEY)
        what = f"a {found!r} file" if found else "a safetensors file without glassnet metadata"
        raise FileFormatError(f"{path}: {what}, expected {' or '.join(map(repr, expected))}")
    return tensors, metadata


# ----- nested state (dicts, lists, numbers, arrays) <-> JSON + named tensors -----

def flatten_state(tree, prefix: str, tensors: dict):
    """A JSON-able copy of ``tree`` with every array (and NumPy scalar) moved into ``tensors`` under a
    dotted name and replaced by ``{"__tensor__": name}`` (``"__scalar__"`` for a NumPy scalar)."""
    if isinstance(tree, np.ndarray) or isinstance(getattr(tree, "data", None), np.ndarray):
        tensors[prefix] = np.asarray(getattr(tree, "data", tree))
        return {"__tensor__": prefix}
    if isinstance(tree, np.generic):
        tensors[prefix] = np.asarray(tree)
        return {"__scalar__": prefix}
    if isinstance(tree, dict):
        return {"__dict__": [[key, flatten_state(value, f"{prefix}.{key}", tensors)]
                             for key, value in tree.items()]}
    if isinstance(tree, (list, tuple)):
        items = [flatten_state(v, f"{prefix}.{i}", tensors) for i, v in enumerate(tree)]
        return {"__tuple__": items} if isinstance(tree, tuple) else items
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"cannot save {prefix!r}: a {type(tree).__name__} is neither data nor an array")


def unflatten_state(tree, tensors: dict):
    """Inverse of ``flatten_state`` (dict keys keep their type: int keys stay ints)."""
    if isinstance(tree, list):
        return [unflatten_state(v, tensors) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__tensor__" in tree:
        return tensors[tree["__tensor__"]].copy()
    if "__scalar__" in tree:
        return tensors[tree["__scalar__"]][()]
    if "__tuple__" in tree:
        return tuple(unflatten_state(v, tensors) for v in tree["__tuple__"])
    if "__dict__" in tree:
        return {key: unflatten_state(value, tensors) for key, value in tree["__dict__"]}
    raise ValueError(f"unexpected entry {sorted(tree)}")
