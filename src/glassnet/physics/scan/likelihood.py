"""The likelihood of a point from its observables: L(x) = Π_i L_i(O_i(x); O_i*, σ_i*).

Two kinds of term, each normalized so that its best value is L_i = 1 (log L_i = 0):
    Gaussian   log L_i = -(O_i - O_i*)² / (2 σ_i²)
    Limit      log L_i = 0 inside [lower, upper]; outside, -(O_i - bound)² / (2 σ_i²)
               with a width σ_i, or -∞ (a hard cut) without one.
A point whose program failed has no observables (NaN) and L = 0 (log L = -∞).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Gaussian:
    """A measured observable: O* ± σ."""
    observable: str
    value: float
    sigma: float

    def __post_init__(self):
        if not 0 < self.sigma < np.inf or not np.isfinite(self.value):
            raise ValueError(f"Gaussian '{self.observable}': needs a finite value and a finite sigma > 0, "
                             f"got {self.value} ± {self.sigma}")

    def log_likelihood(self, o: np.ndarray) -> np.ndarray:
        return -0.5 * ((o - self.value) / self.sigma) ** 2


@dataclass(frozen=True)
class Limit:
    """An upper and/or lower limit, hard (sigma=None) or smeared by a Gaussian width sigma."""
    observable: str
    lower: float | None = None
    upper: float | None = None
    sigma: float | None = None

    def __post_init__(self):
        if any(v is not None and not np.isfinite(v) for v in (self.lower, self.upper, self.sigma)):
            raise ValueError(f"Limit '{self.observable}': bounds and sigma must be finite numbers")
        if self.lower is None and self.upper is None:
            raise ValueError(f"Limit '{self.observable}' needs a lower or an upper bound")
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"Limit '{self.observable}': lower ({self.lower}) must be below upper ({self.upper})")
        if self.sigma is not None and not self.sigma > 0:
            raise ValueError(f"Limit '{self.observable}': sigma must be > 0, got {self.sigma}")

    def log_likelihood(self, o: np.ndarray) -> np.ndarray:
        lower = -np.inf if self.lower is None else self.lower
        upper = np.inf if self.upper is None else self.upper
        outside = np.clip(o, lower, upper) - o           # 0 inside, distance to the bound outside
        if self.sigma is None:
            return np.where(outside == 0, 0.0, -np.inf)
        return -0.5 * (outside / self.sigma) ** 2


class Likelihood:
    """A product of terms; ``observables`` lists the observables it needs, in column order."""

    def __init__(self, terms):
        self.terms = list(terms)
        self.observables = list(dict.fromkeys(t.observable for t in self.terms))
        if not self.terms:
            raise ValueError("a likelihood needs at least one term")

    def __repr__(self) -> str:
        return f"Likelihood({self.terms})"

    def log_likelihood(self, observables) -> np.ndarray:
        """(n, len(observables)) array → log L (n,); -∞ where an observable is NaN (invalid point)."""
        o = np.atleast_2d(np.asarray(observables, dtype=float))
        column = {name: o[:, i] for i, name in enumerate(self.observables)}
        total = np.zeros(len(o))
        with np.errstate(invalid="ignore"):
            for term in self.terms:
                total = total + term.log_likelihood(column[term.observable])
        return np.where(np.isnan(total), -np.inf, total)

    def __call__(self, observables) -> np.ndarray:
        """L = exp(log L)."""
        return np.exp(self.log_likelihood(observables))
