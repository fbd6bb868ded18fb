"""Test problems with known answers, to measure a scan against the random and MCMC baselines.

Each ``ToyProblem`` bundles a parameter space, an observable function (picklable, one point → {name:
value}), a likelihood, and where known a ``region`` labelling function that tells which of the
separate good regions a point belongs to (``n_regions`` of them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .likelihood import Gaussian, Likelihood
from .space import Dimension, ParameterSpace


@dataclass
class ToyProblem:
    name: str
    space: ParameterSpace
    observable: object
    likelihood: Likelihood
    region: object = None       # points (n, d) → region labels (n,), for good points
    n_regions: int = 1

    def regions_found(self, params: np.ndarray, good: np.ndarray) -> int:
        """How many separate good regions hold at least one of the good points."""
        if self.region is None:
            return int(good.any())
        return len(np.unique(self.region(params[good])))


def _egg_box(p):
    return {"O": (2 + math.cos(p["x1"] / 2) * math.cos(p["x2"] / 2)) ** 5}


def _egg_box_ring(x):
    """The ring around the peak (2πi, 2πj), i ≡ j (mod 2), as the label 6i + j."""
    i, j = np.round(np.asarray(x) / (2 * np.pi)).astype(int).T
    return 6 * i + j


def egg_box() -> ToyProblem:
    """x ∈ [0, 10π]², O = (2 + cos(x1/2) cos(x2/2))^5, O* = 100 ± 10. The good points (O ≈ 100) lie on
    18 rings, one around each peak of O (cos(x1/2) cos(x2/2) = 1), some cut by the edges of the box."""
    space = ParameterSpace([Dimension("x1", 0, 10 * np.pi), Dimension("x2", 0, 10 * np.pi)])
    return ToyProblem("egg-box", space, _egg_box, Likelihood([Gaussian("O", 100.0, 10.0)]), _egg_box_ring, 18)


def _rosenbrock(p):
    return {"f": (1 - p["x"]) ** 2 + 100 * (p["y"] - p["x"] ** 2) ** 2}


def rosenbrock() -> ToyProblem:
    """f = (1 - x)² + 100 (y - x²)² on [-2, 2] × [-1, 3], f* = 0 ± 1: a thin curved valley."""
    space = ParameterSpace([Dimension("x", -2, 2), Dimension("y", -1, 3)])
    return ToyProblem("Rosenbrock", space, _rosenbrock, Likelihood([Gaussian("f", 0.0, 1.0)]))


HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])


def _himmelblau(p):
    x, y = p["x"], p["y"]
    return {"f": (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2}


def _himmelblau_minimum(x):
    return np.argmin(((np.asarray(x)[:, None, :] - HIMMELBLAU_MINIMA) ** 2).sum(-1), axis=1)


def himmelblau() -> ToyProblem:
    """f = (x² + y - 11)² + (x + y² - 7)² on [-5, 5]², f* = 0 ± 1: four separate minima."""
    space = ParameterSpace([Dimension("x", -5, 5), Dimension("y", -5, 5)])
    return ToyProblem("Himmelblau", space, _himmelblau, Likelihood([Gaussian("f", 0.0, 1.0)]),
                      _himmelblau_minimum, 4)


def _radius(p):
    return {"r": math.sqrt(sum(v * v for v in p.values()))}


def spherical_shell(dim: int = 3, radius: float = 0.5, width: float = 0.01) -> ToyProblem:
    """x ∈ [-1, 1]^dim, r = |x|, r* = radius ± width: a thin spherical shell."""
    space = ParameterSpace([Dimension(f"x{i + 1}", -1, 1) for i in range(dim)])
    return ToyProblem(f"spherical shell ({dim}-D)", space, _radius, Likelihood([Gaussian("r", radius, width)]))


def _inside_disk(p):
    if p["x"] ** 2 + p["y"] ** 2 >= 1:
        return None  # the model has no prediction here: an invalid point
    return {"O": p["x"] + p["y"]}


def valid_region() -> ToyProblem:
    """x, y ∈ [-2, 2]; only inside the unit disk is there an observable, O = x + y, O* = 1 ± 0.1.
    The good band O ≈ 1 runs on outside the disk, where every point is invalid."""
    space = ParameterSpace([Dimension("x", -2, 2), Dimension("y", -2, 2)])
    return ToyProblem("valid region", space, _inside_disk, Likelihood([Gaussian("O", 1.0, 0.1)]))


PROBLEMS = {"egg_box": egg_box, "rosenbrock": rosenbrock, "himmelblau": himmelblau,
            "spherical_shell": spherical_shell, "valid_region": valid_region}
