"""Global switches of the autograd engine: gradient recording and anomaly detection.

Each switch works as PyTorch's does: in a ``with`` block, as a decorator, and (``set_grad_enabled``)
as a plain call.
"""
from __future__ import annotations

import functools


class _State:
    grad_enabled = True
    anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


class _Switch:
    """Sets one ``STATE`` flag inside a ``with`` block or a decorated function, restoring it after."""

    flag = "grad_enabled"
    value = False

    def __enter__(self):
        self._previous = getattr(STATE, self.flag)
        setattr(STATE, self.flag, self.value)
        return self

    def __exit__(self, *exc_info):
        setattr(STATE, self.flag, self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def switched(*args, **kwargs):
            with type(self)(*self._arguments()):
                return fn(*args, **kwargs)
        return switched

    def _arguments(self) -> tuple:
        return ()


class no_grad(_Switch):  # noqa: N801  (PyTorch's names)
    """``with gn.no_grad():`` (or ``@gn.no_grad()``) — operations inside record no graph
    (evaluation, parameter updates)."""

    value = False


class enable_grad(_Switch):  # noqa: N801
    """Record the graph again inside a ``no_grad`` region."""

    value = True


class inference_mode(_Switch):  # noqa: N801
    """As ``no_grad`` (glassnet has no extra inference-only speed-ups); ``inference_mode(False)`` records."""

    def __init__(self, mode: bool = True):
        self.value = not mode

    def _arguments(self) -> tuple:
        return (not self.value,)


class set_grad_enabled(_Switch):  # noqa: N801
    """``set_grad_enabled(False)`` turns recording off at once (as a call) or inside a ``with`` block."""

    def __init__(self, mode: bool):
        self.value = bool(mode)
        self._previous = STATE.grad_enabled
        STATE.grad_enabled = self.value

    def __enter__(self):
        return self

    def __call__(self, fn):
        STATE.grad_enabled = self._previous  # as a decorator it switches only inside the function
        return super().__call__(fn)

    def _arguments(self) -> tuple:
        return (self.value,)


class detect_anomaly(_Switch):  # noqa: N801
    """Check every forward output and every backward gradient for NaN/inf.

    The first op whose output (or gradient) becomes non-finite while its inputs were finite
    raises ``FloatingPointError`` naming that op — the place a NaN in a loss came from.
    """

    flag = "anomaly"

    def __init__(self, enabled: bool = True, check_nan: bool = True):
        self.value = bool(enabled and check_nan)

    def _arguments(self) -> tuple:
        return (self.value,)


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off for the rest of the program."""
    STATE.anomaly = bool(mode)
