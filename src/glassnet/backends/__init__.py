"""glassnet.backends — speed policy in one place: the switch between the compiled fast paths and their
NumPy references (``compiled``) and how many threads BLAS and Numba may use (``threads``). NumPy only."""
from . import compiled, threads

__all__ = ["compiled", "threads"]
