"""Keep freed memory for the next training step instead of giving it back to the system.

A training step allocates the same large arrays every time (activations, gate buffers, window
matrices, gradients: megabytes each) and frees them at the end of the step. glibc's malloc serves
arrays over its mmap threshold (128 kB, adjusted upwards as it goes) with fresh pages from the
system and returns heap memory above its trim threshold at every free; the next step then
touches new pages again, and every first touch of a 4 kB page is a page fault. On the virtual
machines where glassnet was measured a fault cost several microseconds: an LSTM step spent a
quarter of its time in them, an MLP step a sixth. GPU frameworks keep a cache of freed blocks for
the same reason; here two settings of glibc's malloc do it:

- arrays up to ``MMAP_THRESHOLD`` come from the heap (so their memory can be reused), and
- the heap is not trimmed until ``TRIM_THRESHOLD`` of it is free.

The process then keeps about the peak of one step's arrays (under ``MMAP_THRESHOLD`` each) after
it. The settings are made once, when glassnet is imported, on Linux with glibc only, and not at
all when the environment has ``GLASSNET_MALLOC=system`` or sets glibc's own ``MALLOC_*_`` tuning.
"""
from __future__ import annotations

import ctypes
import os
import sys

MMAP_THRESHOLD = 32 * 2 ** 20   # glibc's largest allowed value
TRIM_THRESHOLD = 1 * 2 ** 30
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def keep_freed_memory() -> bool:
    """Apply the two malloc settings; returns whether they were applied."""
    if not sys.platform.startswith("linux") or os.environ.get("GLASSNET_MALLOC") == "system":
        return False
    if any(name.startswith("MALLOC_") and name.endswith("_") for name in os.environ):
        return False  # the user tunes malloc already
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
