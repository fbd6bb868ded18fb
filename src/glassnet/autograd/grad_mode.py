"""Global switches of the autograd engine: gradient recording and anomaly detection."""
from __future__ import annotations

import contextlib


class _State:
    grad_enabled = True
    anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool):
    """Turn graph recording on or off inside a ``with`` block (and restore it after)."""
    previous = STATE.grad_enabled
    STATE.grad_enabled = bool(mode)
    try:
        yield
    finally:
        STATE.grad_enabled = previous


def no_grad():
    """``with gn.no_grad():`` — operations inside record no graph (evaluation, parameter updates)."""
    return set_grad_enabled(False)


def enable_grad():
    return set_grad_enabled(True)


@contextlib.contextmanager
def detect_anomaly(enabled: bool = True):
    """Check every forward output and every backward gradient for NaN/inf.

    The first op whose output (or gradient) becomes non-finite while its inputs were finite
    raises ``FloatingPointError`` naming that op — the place a NaN in a loss came from.
    """
    previous = STATE.anomaly
    STATE.anomaly = bool(enabled)
    try:
        yield
    finally:
        STATE.anomaly = previous
