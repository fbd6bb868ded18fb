"""BLAS threading for loops of small matrix products.

A recurrent step multiplies a (B, H) state by an (H, G·H) weight: far too small to share between
threads, and on a busy machine OpenBLAS's threads spin-wait on each other for longer than the
product takes (ten times slower on two loaded cores). PyTorch runs such products on one thread by
its grain-size rule; ``one_blas_thread()`` does the same around the time loop of a kernel, and
``blas_thread_count()`` (read before entering it) tells how many threads the caller allowed, for
a kernel to use in a way that needs no barrier per product (``recurrent.py`` runs batch parts).
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # then BLAS keeps its own thread count
    ThreadpoolController = None

_BLAS = None


def _blas_libraries() -> list:
    global _BLAS
    if _BLAS is None:
        _BLAS = [] if ThreadpoolController is None else \
            [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    return _BLAS


def blas_thread_count() -> int:
    """The most threads a BLAS library NumPy uses may run now (1 without threadpoolctl: unknown)."""
    return max((lib.num_threads for lib in _blas_libraries()), default=1)


SMALL_PRODUCT_FLOPS = 5e7  # below this a matrix product is faster on one thread than on several


@contextmanager
def blas_threads(threads: int):
    """Limit the BLAS libraries NumPy uses to ``threads`` threads inside the block (a no-op without
    threadpoolctl)."""
    libraries = [(lib, lib.num_threads) for lib in _blas_libraries() if lib.num_threads != threads]
    for lib, _ in libraries:
        lib.set_num_threads(threads)
    try:
        yield
    finally:
        for lib, previous in libraries:
            lib.set_num_threads(previous)


def one_blas_thread(flops: float = 0.0):
    """One BLAS thread inside the block, unless the products in it are large (``flops``, the
    multiply-adds of the largest one, at least ``SMALL_PRODUCT_FLOPS``)."""
    return blas_threads(1) if flops < SMALL_PRODUCT_FLOPS else nullcontext()
