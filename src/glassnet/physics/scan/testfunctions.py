"""Test problems with known answers, to measure a scan against the random, MCMC and nested samplers.

Each ``ToyProblem`` bundles a parameter space, an observable function (defined at the top level of this
module, so worker processes import it by name; one point → {name: value}), a likelihood, and where
known a ``region`` labelling function that tells which of the separate good regions a point belongs
to (``n_regions`` of them). ``constraints`` is how many independent measured quantities the likelihood
has (its χ² has that many degrees of freedom), which sets what a good point is in a comparison.
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
    constraints: int = 1        # degrees of freedom of -2 log L
    log_evidence: float | None = None   # log ∫ L dx / volume, where it is known exactly

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


SHELL_CENTRES, SHELL_RADIUS, SHELL_WIDTH = ((-3.5, 0.0), (3.5, 0.0)), 2.0, 0.1


def _shell_distance(p):
    x, y = p["x"], p["y"]
    return {"d": min(abs(math.hypot(x - cx, y - cy) - SHELL_RADIUS) for cx, cy in SHELL_CENTRES)}


def _shell_side(x):
    return (np.asarray(x)[:, 0] > 0).astype(int)


def gaussian_shells() -> ToyProblem:
    """The two Gaussian shells of MultiNest's tests (Feroz & Hobson 2008): x ∈ [-6, 6]², two rings of
    radius 2 around (±3.5, 0); d = distance to the nearer ring, d* = 0 ± 0.1, so L = exp(-d²/(2·0.1²))."""
    space = ParameterSpace([Dimension("x", -6, 6), Dimension("y", -6, 6)])
    return ToyProblem("two Gaussian shells", space, _shell_distance,
                      Likelihood([Gaussian("d", 0.0, SHELL_WIDTH)]), _shell_side, 2)


MIXTURE_DIM, MIXTURE_SIGMA = 8, 0.5
MIXTURE_CENTRES = np.random.default_rng(8).uniform(-3, 3, (4, MIXTURE_DIM))  # 4 modes, 3.5 to 6.7 apart (7σ to 13σ)


def _mixture_radius(p):
    """r with exp(-r²/(2σ²)) = Σ_k exp(-|x - μ_k|²/(2σ²)): the mixture's likelihood as one Gaussian observable."""
    x = np.array([p[f"x{i + 1}"] for i in range(MIXTURE_DIM)])
    exponents = -((x - MIXTURE_CENTRES) ** 2).sum(axis=1) / (2 * MIXTURE_SIGMA ** 2)
    top = exponents.max()
    log_sum = top + math.log(np.exp(exponents - top).sum())
    return {"r": MIXTURE_SIGMA * math.sqrt(max(0.0, -2 * log_sum))}


def _mixture_mode(x):
    return np.argmin(((np.asarray(x)[:, None, :] - MIXTURE_CENTRES) ** 2).sum(-1), axis=1)


def gaussian_mixture() -> ToyProblem:
    """x ∈ [-5, 5]^8, L = Σ_k exp(-|x - μ_k|²/(2σ²)) with 4 modes μ_k, σ = 0.5: written as one observable
    r (the mixture's 'distance') with r* = 0 ± σ. Its χ² has 8 degrees of freedom."""
    space = ParameterSpace([Dimension(f"x{i + 1}", -5, 5) for i in range(MIXTURE_DIM)])
    return ToyProblem(f"{MIXTURE_DIM}-D Gaussian mixture", space, _mixture_radius,
                      Likelihood([Gaussian("r", 0.0, MIXTURE_SIGMA)]), _mixture_mode, len(MIXTURE_CENTRES),
                      constraints=MIXTURE_DIM, log_evidence=_mixture_log_evidence(space))


def _mixture_log_evidence(space) -> float:
    """Each mode (far inside the box) integrates to (2πσ²)^(d/2); Z is their sum over the box's volume."""
    volume = np.prod([d.high - d.low for d in space.dimensions])
    return math.log(len(MIXTURE_CENTRES) * (2 * math.pi * MIXTURE_SIGMA ** 2) ** (MIXTURE_DIM / 2) / volume)


PROBLEMS = {"egg_box": egg_box, "rosenbrock": rosenbrock, "himmelblau": himmelblau,
            "spherical_shell": spherical_shell, "valid_region": valid_region,
            "gaussian_shells": gaussian_shells, "gaussian_mixture": gaussian_mixture}
