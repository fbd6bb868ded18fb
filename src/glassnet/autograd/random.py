"""The global random generator behind ``gn.manual_seed`` (initializers, dropout, shuffling)."""
from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed glassnet's global generator: the same seed gives the same run."""
    global _rng
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _rng = np.random.default_rng(int(seed))
    return _rng


def get_rng(rng: np.random.Generator | int | None = None) -> np.random.Generator:
    """``rng`` if given (a Generator, or a seed for a new one), else the global generator."""
    if rng is None:
        return _rng
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def get_rng_state() -> dict:
    """The global generator's state (JSON-serializable), for checkpoints."""
    return _rng.bit_generator.state


def set_rng_state(state: dict) -> None:
    _rng.bit_generator.state = state
