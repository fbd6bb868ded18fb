"""The Hopfield network (Hopfield 1982; the Deep Learning Seminar opens with the 2024 Nobel Prize in
Physics): an associative memory of N threshold units, all connected by symmetric weights set by
Hebb's rule, that recalls a stored pattern from a corrupted one by lowering an energy.

With bipolar states s ∈ {−1, +1}ᴺ and P stored patterns ξ¹ … ξᴾ:

    storage (Hebb)   w_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ,  w_ii = 0
    update           s_i ← sign(h_i),  h_i = Σ_j w_ij s_j − θ_i   (s_i kept when h_i = 0)
    energy           E(s) = −½ Σ_ij w_ij s_i s_j + Σ_i θ_i s_i

An asynchronous update (one unit at a time) never raises E, so the state slides into a minimum;
the stored patterns are minima while P stays below about 0.14 N (Amit, Gutfreund, Sompolinsky 1985).
Synchronous updates (all units at once) may end in a two-state cycle instead.
"""
from __future__ import annotations

import numpy as np

from ..autograd import as_array, get_rng
from ..nn import Module
from ..nn.hebbian import hebb

UNITS = {"bipolar": (-1.0, 1.0), "binary": (0.0, 1.0)}
MODES = ("async", "sync")


class Hopfield(Module):
    """A Hopfield network of ``num_units`` units, ``units='bipolar'`` (states ±1) or ``'binary'``
    (states 0/1, Hopfield's V_i; stored as s = 2V − 1, with thresholds θ_i = ½ Σ_j w_ij that make
    the binary dynamics the same as the bipolar one). Buffers: ``weight`` (N, N), ``threshold`` (N,).

    Example::

        net = Hopfield(100)
        net.store(patterns)                      # (P, 100) of ±1
        recalled = net.recall(noisy, rng=0)      # asynchronous updates until nothing changes
        net.energy(recalled) <= net.energy(noisy)
    """

    def __init__(self, num_units: int, units: str = "bipolar"):
        super().__init__()
        if units not in UNITS:
            raise ValueError(f"Hopfield: units must be one of {sorted(UNITS)}, got {units!r}")
        if num_units < 2:
            raise ValueError(f"Hopfield needs at least 2 units, got {num_units}")
        self.num_units, self.units = num_units, units
        self.low, self.high = UNITS[units]
        self.register_buffer("weight", np.zeros((num_units, num_units)))
        self.register_buffer("threshold", np.zeros(num_units))

    def _states(self, states, name: str = "states") -> np.ndarray:
        """``states`` as a float (B, N) array of the network's two values, or a clear error."""
        s = np.array(as_array(states), dtype=np.float64)
        if s.ndim not in (1, 2) or s.shape[-1] != self.num_units:
            raise ValueError(f"Hopfield({self.num_units}) expects {name} of shape (batch, {self.num_units}) "
                             f"or ({self.num_units},), got {s.shape}")
        if not np.all((s == self.low) | (s == self.high)):
            raise ValueError(f"Hopfield with {self.units} units expects {name} of {self.low:g} and "
                             f"{self.high:g} only, got values {np.unique(s)[:6]}")
        return np.atleast_2d(s)

    def bipolar(self, states) -> np.ndarray:
        """States as ±1 (s = 2V − 1 for binary units)."""
        s = self._states(states)
        return s if self.units == "bipolar" else 2 * s - 1

    def store(self, patterns) -> "Hopfield":
        """Add the patterns (P, N) to the memory by Hebb's rule: W += (1/N) Σ_μ ξ^μ ξ^μᵀ, w_ii = 0."""
        xi = self.bipolar(patterns)
        weight = as_array(self.weight)
        weight += hebb(xi, xi) / self.num_units
        np.fill_diagonal(weight, 0.0)
        if self.units == "binary":
            as_array(self.threshold)[:] = 0.5 * weight.sum(axis=1)
        return self

    def _parts(self) -> tuple[np.ndarray, np.ndarray]:
        return as_array(self.weight), as_array(self.threshold)

    def field(self, states) -> np.ndarray:
        """The local fields h_i = Σ_j w_ij s_j − θ_i, shape (B, N)."""
        weight, threshold = self._parts()
        return self._states(states) @ weight - threshold

    def energy(self, states) -> np.ndarray:
        """E(s) = −½ sᵀ W s + θᵀ s for each state, shape (B,) (a float for one state)."""
        s = self._states(states)
        weight, threshold = self._parts()
        energy = -0.5 * np.einsum("bi,ij,bj->b", s, weight, s) + s @ threshold
        return energy if np.ndim(as_array(states)) == 2 else float(energy[0])

    def _fire(self, h: np.ndarray, current: np.ndarray) -> np.ndarray:
        """The threshold unit: high if h > 0, low if h < 0, unchanged if h = 0."""
        return np.where(h > 0, self.high, np.where(h < 0, self.low, current))

    def step(self, states, mode: str = "async", rng=None) -> np.ndarray:
        """One sweep: every unit updated once, in a random order (``async``) or all at once (``sync``)."""
        if mode not in MODES:
            raise ValueError(f"Hopfield: mode must be one of {MODES}, got {mode!r}")
        s = self._states(states).copy()
        weight, threshold = self._parts()
        if mode == "sync":
            return self._fire(s @ weight - threshold, s)
        for i in get_rng(rng).permutation(self.num_units):
            s[:, i] = self._fire(s @ weight[:, i] - threshold[i], s[:, i])
        return s

    def recall(self, states, mode: str = "async", max_sweeps: int = 100, rng=None) -> np.ndarray:
        """Update until a sweep changes nothing (a fixed point) or ``max_sweeps``; returns the final
        states, shaped like ``states``."""
        rng = get_rng(rng)
        s = self._states(states)
        for _ in range(max_sweeps):
            new = self.step(s, mode, rng)
            if np.array_equal(new, s):
                break
            s = new
        return s if np.ndim(as_array(states)) == 2 else s[0]

    def forward(self, states) -> np.ndarray:
        """``recall(states)`` with asynchronous updates."""
        return self.recall(states)

    def extra_repr(self) -> str:
        return f"num_units={self.num_units}, units={self.units!r}"
