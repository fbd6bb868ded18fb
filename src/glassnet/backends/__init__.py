"""glassnet.backends — speed policy in one place: the switch between the compiled fast paths and their
NumPy references (``compiled``), the BLAS and Numba threads (``threads``), malloc's reuse (``memory``)."""
from . import compiled, memory, threads

memory.keep_freed_memory()

__all__ = ["compiled", "memory", "threads"]
