"""The Machine Learning Scan (Ren, Wu, Yang, Zhao, Nucl. Phys. B 943 (2019) 114613, arXiv:1708.06615).

Each iteration:
  1. train an MLP on the points evaluated so far (warm: it continues from the last iteration's weights),
     regressing the observables O(x) (the likelihood is then L(Ô(x))) or log L(x) directly;
  2. propose points by rejection sampling of candidates against the predicted likelihood (see
     ``proposal``: uniform candidates, and some near the best points so far), plus a share of uniform
     random points that keep exploring;
  3. compute the proposed points exactly (in parallel) and add them to the training set;
  4. repeat until the budget of evaluations or of good points is spent.
"""
from __future__ import annotations

import numpy as np

from ...backends.threads import one_blas_thread
from .base import Scan
from .proposal import density_log_penalty, rejection_sample
from .surrogate import MLPClassifier, MLPRegressor

TARGETS = ("observables", "log_likelihood")


class MLScan(Scan):
    """Active-learning scan with a glassnet MLP surrogate (see the module's docstring).

    Args (besides Scan's):
        n_initial: uniform random points of iteration 0, before the first training.
        random_fraction: share of each batch drawn uniformly at random (exploration).
        n_candidates: candidates per rejection-sampling round.
        local_share, local_scale, n_centres: the share of the candidates drawn from Gaussians of width
            ``local_scale`` (unit cube) around the ``n_centres`` points of highest likelihood so far;
            the proposals still follow the predicted likelihood (see ``proposal``). 0 = uniform only.
        temperature: proposals follow L̂^(1/T); T = 1 follows the predicted likelihood itself, the
            default T = 0.5 (L̂²) sharpens them towards L = 1, which the surrogate's errors blur.
        target: what the MLP regresses, 'observables' or 'log_likelihood'.
        hidden, activation, lr, train_steps, first_train_steps, train_batch_size: the MLP and its
            Adam training (steps per iteration; the first training from scratch takes more).
        validity_classifier: also train an MLP classifier of P(valid | x) and weight proposals by it.
        density_penalty, density_radius: λ and r of the density penalty 1 / (1 + λ N_r(x)), where
            N_r counts good points already found within r (in unit-cube distance); λ = 0 turns it off.
    """

    def __init__(self, space, observable, likelihood, output, *, n_initial: int = 200, batch_size: int = 200,
                 random_fraction: float = 0.1, n_candidates: int = 20000, temperature: float = 0.5,
                 target: str = "observables", hidden=(64, 64, 64), activation: str = "tanh", lr: float = 3e-3,
                 train_steps: int = 200, first_train_steps: int = 1000, train_batch_size: int = 256,
                 validity_classifier: bool = False, density_penalty: float = 0.0, density_radius: float = 0.02,
                 local_share: float = 0.5, local_scale: float = 0.05, n_centres: int = 100, **options):
        super().__init__(space, observable, likelihood, output, batch_size=batch_size, **options)
        if target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
        if not 0 <= random_fraction <= 1:
            raise ValueError(f"random_fraction must be in [0, 1], got {random_fraction}")
        if not 0 <= local_share < 1 or not local_scale > 0 or n_centres < 1:
            raise ValueError(f"local_share must be in [0, 1), local_scale > 0 and n_centres >= 1, got "
                             f"{local_share}, {local_scale}, {n_centres}")
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        if n_initial < 1:
            raise ValueError(f"n_initial must be >= 1, got {n_initial}")
        self.n_initial, self.random_fraction, self.n_candidates = n_initial, random_fraction, n_candidates
        self.temperature, self.target = temperature, target
        self.density_penalty, self.density_radius = density_penalty, density_radius
        self.local_share, self.local_scale, self.n_centres = local_share, local_scale, n_centres
        n_out = len(likelihood.observables) if target == "observables" else 1
        mlp_options = dict(hidden=hidden, activation=activation, lr=lr, steps=train_steps,
                           first_steps=first_train_steps, batch_size=train_batch_size)
        self.regressor = MLPRegressor(n_out, **mlp_options)
        self.classifier = MLPClassifier(**mlp_options) if validity_classifier else None

    def propose(self, results, iteration, rng):
        d = len(self.space)
        if iteration == 0:
            return self.space.sample_unit(self.n_initial, rng), np.full(self.n_initial, "initial", dtype=object)
        u = self.space.to_unit(results.params)
        proposed = np.zeros((0, d))
        with one_blas_thread():
            if self._fit(results, u, rng):
                good = u[results.good(self.good_threshold)]
                n_ml = self.batch_size - int(round(self.random_fraction * self.batch_size))
                best = np.argsort(results.log_likelihood)[::-1][:self.n_centres]
                centres = u[best[np.isfinite(results.log_likelihood[best])]]
                proposed = rejection_sample(lambda c: self._log_weight(c, good), n_ml, d, rng, self.n_candidates,
                                            centres=centres, local_share=self.local_share,
                                            local_scale=self.local_scale)
        n_random = self.batch_size - len(proposed)  # the exploration share, and any shortfall of kept candidates
        points = np.concatenate([proposed, self.space.sample_unit(n_random, rng)])
        return points, np.array(["ml"] * len(proposed) + ["random"] * n_random, dtype=object)

    def _fit(self, results, u, rng) -> bool:
        """Retrain the surrogates on ``results``; False if there is nothing to learn from yet."""
        if self.target == "observables":
            rows = results.valid
            y = results.values[rows, :len(self.likelihood.observables)]
        else:
            rows = np.isfinite(results.log_likelihood)
            y = results.log_likelihood[rows, None]
        if rows.sum() < 2:
            return False
        self.regressor.fit(u[rows], y, rng)
        if self.classifier is not None:
            self.classifier.fit(u, results.valid, rng)
        return True

    def predict_log_likelihood(self, u) -> np.ndarray:
        """The surrogate's log L̂ at unit-cube points u."""
        prediction = self.regressor.predict(u)
        if self.target == "observables":
            return self.likelihood.log_likelihood(prediction)
        return prediction[:, 0]

    def _log_weight(self, u, good) -> np.ndarray:
        log_w = self.predict_log_likelihood(u) / self.temperature
        if self.classifier is not None:
            log_w = log_w + np.log(self.classifier.predict_proba(u) + 1e-12)
        if self.density_penalty > 0:
            log_w = log_w + density_log_penalty(u, good, self.density_penalty, self.density_radius)
        return log_w
