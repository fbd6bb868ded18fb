"""``glassnet.backends``: PyTorch's backend switches, for a NumPy library on the CPU.

``backends.mps.is_available()`` and ``backends.cuda.is_built()`` are False; the cuDNN flags
(``backends.cudnn.deterministic``, ``.benchmark``) can be set and change nothing.
"""
from types import SimpleNamespace


def _false() -> bool:
    return False


mps = SimpleNamespace(is_available=_false, is_built=_false)
cuda = SimpleNamespace(is_built=_false, matmul=SimpleNamespace(allow_tf32=False))
cudnn = SimpleNamespace(is_available=_false, enabled=False, deterministic=False, benchmark=False,
                        allow_tf32=False)
