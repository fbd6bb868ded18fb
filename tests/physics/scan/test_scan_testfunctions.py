import numpy as np

from glassnet.physics.scan import evaluate_point
from glassnet.physics.scan.testfunctions import (
    HIMMELBLAU_MINIMA, egg_box, himmelblau, rosenbrock, spherical_shell, valid_region,
)


def _observe(problem, x):
    return np.array([evaluate_point(problem.observable, problem.likelihood.observables, problem.space.as_dict(p))[0]
                     for p in x])


def test_egg_box_has_18_rings_and_random_finds_about_2_percent():
    problem = egg_box()
    peaks = np.array([(2 * np.pi * i, 2 * np.pi * j) for i in range(6) for j in range(6) if (i + j) % 2 == 0])
    assert len(peaks) == 18
    np.testing.assert_allclose(_observe(problem, peaks)[:, 0], 243.0)
    assert len(np.unique(problem.region(peaks))) == 18
    x = problem.space.from_unit(np.random.default_rng(0).random((20000, 2)))
    good = problem.likelihood(_observe(problem, x)) > 0.9
    assert 0.015 < good.mean() < 0.025
    assert problem.regions_found(x, good) == 18


def test_minima_of_rosenbrock_and_himmelblau_are_good():
    assert rosenbrock().likelihood(_observe(rosenbrock(), np.array([[1.0, 1.0]])))[0] == 1.0
    problem = himmelblau()
    np.testing.assert_allclose(problem.likelihood(_observe(problem, HIMMELBLAU_MINIMA)), 1.0, atol=1e-9)
    assert sorted(problem.region(HIMMELBLAU_MINIMA)) == [0, 1, 2, 3]


def test_spherical_shell_and_valid_region():
    shell = spherical_shell(dim=4, radius=0.5)
    assert shell.space.names == ["x1", "x2", "x3", "x4"]
    assert shell.likelihood(_observe(shell, np.array([[0.5, 0, 0, 0], [0, 0, 0, 0.9]])))[0] == 1.0
    problem = valid_region()
    values = _observe(problem, np.array([[0.5, 0.5], [1.5, 0.0]]))
    assert values[0, 0] == 1.0 and np.isnan(values[1, 0])
    assert evaluate_point(problem.observable, ["O"], {"x": 1.5, "y": 0.0})[1] == "no observables returned"
