"""Random numbers: ``gn.Generator`` and the global generator behind ``gn.manual_seed``.

Every random factory, initializer, dropout mask and shuffle draws from a ``Generator`` passed as
``generator=`` (or ``rng=``: a Generator, a NumPy Generator or a seed) or from the global one.
The streams are NumPy's PCG64, so the numbers differ from PyTorch's; the same seed gives the same run.
"""
from __future__ import annotations

import numpy as np


class Generator:
    """``g = gn.Generator().manual_seed(42)``; pass it as ``generator=g`` to keep a stream of its own."""

    def __init__(self, device="cpu"):
        from .device import check_device
        check_device(device)
        self.device = device
        self._seed = int(np.random.SeedSequence().entropy % 2**63)
        self.numpy = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> "Generator":
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Re-seed from fresh entropy and return the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The generator's state (JSON-serializable, unlike PyTorch's byte tensor)."""
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.numpy.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed glassnet's global generator: the same seed gives the same run. Returns that generator."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng(rng=None) -> np.random.Generator:
    """The NumPy generator to draw from: ``rng`` if given (a glassnet or NumPy Generator, or a seed
    for a new one), else the global generator's."""
    if rng is None:
        return default_generator.numpy
    if isinstance(rng, Generator):
        return rng.numpy
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def get_rng_state() -> dict:
    """The global generator's state (JSON-serializable), for checkpoints."""
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)
