"""Baselines with the Scan interface: a uniform random scan and a Metropolis-Hastings MCMC."""
from __future__ import annotations

import numpy as np

from .base import Scan


class RandomScan(Scan):
    """Uniform random points of the parameter space (uniform in log x on log dimensions)."""

    def propose(self, results, iteration, rng):
        return self.space.sample_unit(self.batch_size, rng), np.full(self.batch_size, "random", dtype=object)


class MCMCScan(Scan):
    """Metropolis-Hastings with ``n_chains`` chains run side by side (one batch = one step of each).

    Each chain proposes u' = reflect(u + ε), ε ~ N(0, step_size² I) in the unit cube (reflection at the
    walls keeps the proposal symmetric), and moves there with probability min(1, (L(u')/L(u))^(1/T)).
    Every proposal is an exact evaluation and counts against the budget, accepted or not. The chains'
    state is replayed from the results (the acceptance draws come from ``default_rng([seed, k, 1])``),
    so a resumed MCMC continues the same chains.
    """

    def __init__(self, space, observable, likelihood, output, *, n_chains: int = 20, step_size: float = 0.02,
                 temperature: float = 1.0, **options):
        super().__init__(space, observable, likelihood, output, batch_size=n_chains, **options)
        if not step_size > 0 or not temperature > 0:
            raise ValueError(f"step_size and temperature must be > 0, got {step_size}, {temperature}")
        self.n_chains, self.step_size, self.temperature = n_chains, step_size, temperature
        self._replayed, self._u, self._log_l = -1, None, None
        self.accepted = 0

    def propose(self, results, iteration, rng):
        if iteration == 0:
            return self.space.sample_unit(self.n_chains, rng), np.full(self.n_chains, "initial", dtype=object)
        self._replay(results)
        step = self._u + self.step_size * rng.standard_normal(self._u.shape)
        return reflect(step), np.full(self.n_chains, "mcmc", dtype=object)

    def _replay(self, results) -> None:
        """Bring the chains' positions up to date with the iterations in ``results`` not yet replayed."""
        for k in np.unique(results.iteration[results.iteration > self._replayed]):
            rows = np.flatnonzero(results.iteration == k)
            chain = results.id[rows] - results.id[rows].min()
            u, log_l = self.space.to_unit(results.params[rows]), results.log_likelihood[rows]
            if k == 0:
                self._u, self._log_l = np.zeros((self.n_chains, len(self.space))), np.full(self.n_chains, -np.inf)
                self._u[chain], self._log_l[chain] = u, log_l
            else:
                log_draw = np.log(np.random.default_rng([self.seed, int(k), 1]).random(self.n_chains))[chain]
                with np.errstate(invalid="ignore"):  # -inf - -inf: a chain lost in an invalid region walks on
                    ratio = (log_l - self._log_l[chain]) / self.temperature
                move = (log_draw < ratio) | np.isneginf(self._log_l[chain])
                self._u[chain[move]], self._log_l[chain[move]] = u[move], log_l[move]
                self.accepted += int(move.sum())
            self._replayed = int(k)


def reflect(u: np.ndarray) -> np.ndarray:
    """Fold points back into [0, 1] by reflecting at the walls: 1.1 → 0.9, -0.1 → 0.1."""
    u = np.mod(u, 2.0)
    return np.where(u > 1, 2 - u, u)
