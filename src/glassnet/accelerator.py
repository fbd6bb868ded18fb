"""``glassnet.accelerator``: PyTorch's accelerator namespace. glassnet has none: the CPU does the work."""
from __future__ import annotations


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    """None: there is no accelerator (code then falls back to 'cpu')."""
    return None


def device_count() -> int:
    return 0
