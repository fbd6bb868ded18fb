"""The parameter space of a scan: named dimensions with bounds, each on a linear or a log scale.

Every method works in the unit cube u ∈ [0, 1]^d and maps to the physical point x by
    x = lo + u (hi - lo)                       (linear)
    x = exp(log lo + u (log hi - log lo))      (log)
so a uniform draw in u is uniform in x (linear) or in log x (log).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dimension:
    """One parameter: name, bounds low < high, and whether it is scanned on a log scale."""
    name: str
    low: float
    high: float
    log: bool = False

    def __post_init__(self):
        if not (math.isfinite(self.low) and math.isfinite(self.high) and math.isfinite(self.high - self.low)):
            raise ValueError(f"parameter '{self.name}': bounds must be finite numbers, got [{self.low}, {self.high}]")
        if not self.low < self.high:
            raise ValueError(f"parameter '{self.name}': low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"parameter '{self.name}': a log scale needs low > 0, got {self.low}")


class ParameterSpace:
    """An ordered set of Dimensions; points are arrays of shape (n, d) in ``names`` order."""

    def __init__(self, dimensions):
        self.dimensions = list(dimensions)
        self.names = [d.name for d in self.dimensions]
        if not self.dimensions:
            raise ValueError("a parameter space needs at least one dimension")
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"parameter names repeat: {self.names}")
        self._log = np.array([d.log for d in self.dimensions])
        low = np.array([d.low for d in self.dimensions], dtype=float)
        high = np.array([d.high for d in self.dimensions], dtype=float)
        self._low = np.where(self._log, np.log(np.where(self._log, low, 1.0)), low)
        self._high = np.where(self._log, np.log(np.where(self._log, high, 1.0)), high)

    @classmethod
    def from_bounds(cls, bounds: dict) -> "ParameterSpace":
        """``{"x": (0, 1), "m0": (100, 1e4, "log")}`` → ParameterSpace."""
        return cls(Dimension(name, lo, hi, log=(scale[0] == "log") if scale else False)
                   for name, (lo, hi, *scale) in bounds.items())

    def __len__(self) -> int:
        return len(self.dimensions)

    def __repr__(self) -> str:
        dims = ", ".join(f"{d.name}∈[{d.low:g}, {d.high:g}]{' log' if d.log else ''}" for d in self.dimensions)
        return f"ParameterSpace({dims})"

    def from_unit(self, u) -> np.ndarray:
        """Unit-cube points (n, d) → physical points (n, d)."""
        x = self._low + np.asarray(u, dtype=float) * (self._high - self._low)
        x[..., self._log] = np.exp(x[..., self._log])
        return x

    def to_unit(self, x) -> np.ndarray:
        """Physical points (n, d) → unit-cube points (n, d)."""
        x = np.asarray(x, dtype=float)
        y = np.where(self._log, np.log(np.where(self._log, x, 1.0)), x)
        return (y - self._low) / (self._high - self._low)

    def sample_unit(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n uniform points of the unit cube."""
        return rng.random((n, len(self)))

    def as_dict(self, x) -> dict:
        """One physical point → {name: float}, what an observable function receives."""
        return {name: float(v) for name, v in zip(self.names, x)}
