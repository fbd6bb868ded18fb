"""How many threads BLAS and Numba may use: glassnet's thread policy in one place.

Small products stay on one thread. A recurrent step multiplies a (B, H) state by an (H, G·H)
weight, a LeNet layer's kernels take well under a millisecond: split between threads, each call
ends in a barrier where the threads wait for each other, which costs more than the work once the
other core is busy (ten times slower on two loaded cores). So a product of fewer than
``SMALL_PRODUCT_FLOPS`` multiply-adds runs on one thread (PyTorch's grain-size rule), and kernels
that have independent parts (the rows of a batch, the features of a histogram) give each its own
thread, start to end, with no barrier until the join.

- ``blas_threads(n)`` / ``one_blas_thread(flops)``: limit the BLAS libraries (NumPy's, SciPy's, the
  one Numba calls) inside a block; ``blas_thread_count()`` says what the caller allowed.
- ``numba_threads(n)``: Numba's threads inside a block; its OpenMP pool starts with the passive wait.
- ``kernel_threads(multiply_adds)``: one Numba thread inside a block whose kernels are small.

BLAS libraries are found with threadpoolctl (the ``fast`` extra); without it they keep their own
thread counts, and without Numba ``numba_threads`` does nothing.
"""
from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext

from .compiled import numba

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # then BLAS keeps its own thread count
    ThreadpoolController = None

SMALL_PRODUCT_FLOPS = 5e7  # below this a product is faster on one thread than on several

_blas = {"libraries": None}  # threadpoolctl's controllers of the BLAS libraries, looked up on first use


def _blas_libraries() -> list:
    if _blas["libraries"] is None:
        _blas["libraries"] = [] if ThreadpoolController is None else \
            [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    return _blas["libraries"]


def blas_loaded() -> None:
    """Call after loading another BLAS library (SciPy's, which Numba's ``np.dot`` calls), so that
    the limits cover it too."""
    _blas["libraries"] = None


def blas_thread_count() -> int:
    """The most threads a BLAS library may run now (1 without threadpoolctl: unknown)."""
    return max((lib.num_threads for lib in _blas_libraries()), default=1)


@contextmanager
def blas_threads(threads: int):
    """Limit the BLAS libraries to ``threads`` threads inside the block (a no-op without threadpoolctl)."""
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


def _start_numba_pool() -> int:
    """Start Numba's thread pool (once per process) with OpenMP's passive wait, unless the user set
    OMP_WAIT_POLICY, and return its thread count. By default OpenMP's threads spin after every
    parallel region; a tree fit runs hundreds of short regions, and on cores shared with other busy
    processes each one then waits for spinning threads the OS has preempted (2 threads took 3x as
    long as 1 on a loaded machine, and about as long as 1 with the passive wait). The variable is
    read once, when the OpenMP runtime starts, and restored at once: nothing else sees it."""
    saved = os.environ.get("OMP_WAIT_POLICY")
    os.environ["OMP_WAIT_POLICY"] = saved or "PASSIVE"
    try:
        return numba.get_num_threads()
    finally:
        if saved is None:
            del os.environ["OMP_WAIT_POLICY"]


def job_threads(n_jobs: int | None) -> int:
    """scikit-learn's ``n_jobs`` as a thread count: None or negative means all the threads Numba
    has (all cores without Numba), else at most that many."""
    available = numba.config.NUMBA_NUM_THREADS if numba is not None else os.cpu_count() or 1
    return available if n_jobs is None or n_jobs < 0 else min(max(int(n_jobs), 1), available)


@contextmanager
def numba_threads(n_jobs: int | None):
    """Numba's compiled kernels run on ``job_threads(n_jobs)`` threads inside the block."""
    if numba is None:
        yield
        return
    previous = _start_numba_pool()
    numba.set_num_threads(job_threads(n_jobs))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


@contextmanager
def kernel_threads(multiply_adds: float):
    """Numba's threads inside the block: one for a kernel of fewer than ``SMALL_PRODUCT_FLOPS``
    multiply-adds, else as many as set."""
    previous = numba.get_num_threads()
    narrowed = multiply_adds < SMALL_PRODUCT_FLOPS and previous > 1
    if narrowed:
        numba.set_num_threads(1)
    try:
        yield
    finally:
        if narrowed:
            numba.set_num_threads(previous)
