"""The file layer: safetensors files with JSON metadata, written atomically, read with checks.

A safetensors file is an 8-byte little-endian header length, a JSON header (tensor names, dtypes,
shapes, byte offsets, and a ``__metadata__`` map of strings), then the raw tensor bytes. Nothing in it
can execute code; anything that is not such a file (a pickle, a PyTorch zip, a truncated or corrupted
file) is refused with a ``FileFormatError`` naming the file and the problem. Writes to a path are atomic,
and the temporary files of writes that were killed are cleaned by the next write.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import tempfile

import numpy as np
import safetensors.numpy

from ..autograd import as_array

FORMAT_KEY = "glassnet.format"


class FileFormatError(ValueError):
    """A file that is not a readable glassnet file; the message says which file and why."""


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``: readers see
    the old file or the new one, never half of one. The temporary file's name holds the writer's
    machine and process id, so that temporary files left by writers that were killed (kill -9, a
    power cut) are recognized and removed by the next write to ``path`` from the same machine."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_temporary_prefix(path)}{_writer()}.", suffix=".tmp", dir=folder)
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


def _temporary_prefix(path: str) -> str:
    return f".{os.path.basename(path)}."


def _writer() -> str:
    """``host-pid`` of this process, as it appears in its temporary files' names."""
    return f"{socket.gethostname().replace('.', '_').replace('-', '_')}-{os.getpid()}"


def remove_stale_temporaries(path) -> list[str]:
    """Remove the temporary files of writes to ``path`` whose writer (on this machine) is no longer
    running; returns their names. (Other machines' files, and names without a process id, are left.)"""
    path = os.fspath(path)
    folder, prefix = os.path.dirname(os.path.abspath(path)), _temporary_prefix(path)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    host = _writer().rsplit("-", 1)[0]
    for name in names:
        writer_host, _, pid = name[len(prefix):].split(".", 1)[0].rpartition("-")
        if (name.startswith(prefix) and name.endswith(".tmp") and writer_host == host and pid.isdigit()
                and not _running(int(pid))):
            try:
                os.remove(os.path.join(folder, name))
                removed.append(name)
            except OSError:
                pass  # another process cleaned it first, or it is not ours to remove
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def write_safetensors(f, tensors: dict, metadata: dict) -> None:
    """``tensors`` name -> array or Tensor, ``metadata`` name -> JSON-able value (stored as JSON
    strings), to ``f``: a path (written atomically) or a binary file object (written at its position)."""
    arrays = {name: np.require(as_array(value), requirements="C") for name, value in tensors.items()}  # keeps 0-d
    header = {key: json.dumps(value) for key, value in metadata.items()}
    data = safetensors.numpy.save(arrays, metadata=header)
    if hasattr(f, "write"):
        f.write(data)
    elif isinstance(f, (str, os.PathLike)):
        atomic_write(f, data)
    else:
        raise TypeError(f"save expects a path or a binary file object, got {type(f).__name__}")


def _foreign_kind(raw: bytes) -> str | None:
    """What a file that glassnet refuses looks like, if recognizable."""
    if raw[:1] == b"\x80" or raw[:2] in (b"(d", b"(l", b"}q", b"]q"):
        return "a Python pickle, which glassnet never loads (unpickling can run code)"
    if raw[:4] == b"PK\x03\x04":
        return "a zip archive (a PyTorch .pt file?), which glassnet never loads"
    return None


def read_safetensors(f, expected_format: str | tuple) -> tuple[dict, dict, str]:
    """Read and check a file written by ``write_safetensors`` from ``f`` (a path or a binary file
    object); returns (tensors, metadata, the file's name for messages)."""
    if hasattr(f, "read"):
        where, raw = getattr(f, "name", None) or type(f).__name__, f.read()
        if not isinstance(raw, bytes):
            raise TypeError(f"load expects a binary file object (open(path, 'rb')), got text from {where}")
    elif isinstance(f, (str, os.PathLike)):
        where = os.fspath(f)
        if not os.path.isfile(where):
            raise FileNotFoundError(f"no such file: {where}")
        with open(where, "rb") as file:
            raw = file.read()
    else:
        raise TypeError(f"load expects a path or a binary file object, got {type(f).__name__}")
    if len(raw) < 9 or raw[8:9] != b"{":  # a safetensors file: 8 bytes of header length, then JSON
        kind = _foreign_kind(raw)  # (the length's first byte may be anything, 0x80 included)
        raise FileFormatError(f"{where}: it looks like {kind}" if kind else f"{where}: not a safetensors file")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if header_len > len(raw) - 8:
        raise FileFormatError(f"{where}: truncated (the header needs {header_len} bytes, "
                              f"the file holds {len(raw) - 8})")
    try:
        header = json.loads(raw[8:8 + header_len])
        tensors = safetensors.numpy.load(raw)
    except RecursionError:
        raise FileFormatError(f"{where}: the safetensors header is nested too deeply") from None
    except (ValueError, UnicodeDecodeError, safetensors.SafetensorError) as error:
        raise FileFormatError(f"{where}: corrupted or truncated safetensors file ({error})") from None
    metadata = {}
    for key, value in ((header.get("__metadata__") if isinstance(header, dict) else None) or {}).items():
        try:
            metadata[key] = json.loads(value)
        except RecursionError:
            raise FileFormatError(f"{where}: {key}: nested too deeply") from None
        except (TypeError, ValueError) as error:
            raise FileFormatError(f"{where}: {key}: corrupted metadata ({error})") from None
    expected = (expected_format,) if isinstance(expected_format, str) else expected_format
    if metadata.get(FORMAT_KEY) not in expected:
        found = metadata.get(FORMAT_KEY)
        what = f"a {found!r:.60} file" if found else "a safetensors file without glassnet metadata"
        raise FileFormatError(f"{where}: {what}, expected {' or '.join(map(repr, expected))}")
    return tensors, metadata, where
