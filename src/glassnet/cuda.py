"""``glassnet.cuda``: PyTorch's CUDA namespace, answering for a library that runs on the CPU only.

``is_available()`` is False and ``device_count()`` 0, so code that picks
``"cuda" if cuda.is_available() else "cpu"`` runs on the CPU; seeding calls are accepted and do
nothing (there is no GPU generator to seed); anything that needs a GPU raises a clear error.
"""
from __future__ import annotations

from .autograd.legacy import legacy_types


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Accepted (there is no GPU generator); seed the CPU with ``glassnet.manual_seed``."""


manual_seed_all = manual_seed


def is_bf16_supported() -> bool:
    return False


def _no_gpu(*args, **kwargs):
    raise RuntimeError("glassnet runs on the CPU only: there is no CUDA device "
                       "(glassnet.cuda.is_available() is False)")


current_device = get_device_name = set_device = synchronize = empty_cache = _no_gpu

globals().update(legacy_types("glassnet.cuda"))  # cuda.FloatTensor, ...: refuse to make tensors
