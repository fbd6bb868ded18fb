"""glassnet.backends — speed policy in one place: the switch between the compiled fast paths and their
NumPy references (``compiled``), the BLAS and Numba threads (``threads``), malloc's reuse (``memory``).

It also answers PyTorch's ``torch.backends`` questions for a NumPy library on the CPU:
``backends.mps.is_available()`` and ``backends.cuda.is_built()`` are False; the cuDNN flags
(``backends.cudnn.deterministic``, ``.benchmark``) can be set and change nothing.
"""
from types import SimpleNamespace

from . import compiled, memory, threads

memory.keep_freed_memory()


def _false() -> bool:
    return False


mps = SimpleNamespace(is_available=_false, is_built=_false)
cuda = SimpleNamespace(is_built=_false, matmul=SimpleNamespace(allow_tf32=False))
cudnn = SimpleNamespace(is_available=_false, enabled=False, deterministic=False, benchmark=False,
                        allow_tf32=False)

__all__ = ["compiled", "cuda", "cudnn", "memory", "mps", "threads"]
