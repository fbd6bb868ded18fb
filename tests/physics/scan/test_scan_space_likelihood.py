import numpy as np
import pytest

from glassnet.physics.scan import Dimension, Gaussian, Likelihood, Limit, ParameterSpace


def test_unit_cube_round_trip_linear_and_log():
    space = ParameterSpace.from_bounds({"x": (-2, 6), "m": (10, 1000, "log")})
    u = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    x = space.from_unit(u)
    np.testing.assert_allclose(x, [[-2, 10], [2, 100], [6, 1000]])
    np.testing.assert_allclose(space.to_unit(x), u, atol=1e-12)
    assert space.as_dict(x[1]) == {"x": 2.0, "m": pytest.approx(100.0)}


def test_bad_dimensions_are_refused():
    with pytest.raises(ValueError, match="low .* must be below high"):
        Dimension("x", 1, 0)
    with pytest.raises(ValueError, match="log scale needs low > 0"):
        Dimension("m", 0, 10, log=True)
    with pytest.raises(ValueError, match="bounds must be finite numbers"):
        Dimension("x", -np.inf, 0)
    with pytest.raises(ValueError, match="bounds must be finite numbers"):
        Dimension("x", -1e308, 1e308)  # the width overflows
    with pytest.raises(ValueError, match="repeat"):
        ParameterSpace([Dimension("x", 0, 1), Dimension("x", 0, 2)])


def test_gaussian_and_limit_terms():
    likelihood = Likelihood([Gaussian("a", 100, 10), Limit("b", upper=1.0, sigma=0.5), Limit("c", lower=0.0)])
    o = np.array([[100, 0.5, 1.0],    # all satisfied: L = 1
                  [110, 0.5, 1.0],    # one σ off: log L = -1/2
                  [100, 2.0, 1.0],    # 2 σ above the upper limit: log L = -2
                  [100, 0.5, -1.0],   # below a hard lower limit: L = 0
                  [np.nan, 0.5, 1.0]])  # an invalid point: L = 0
    np.testing.assert_allclose(likelihood.log_likelihood(o), [0, -0.5, -2, -np.inf, -np.inf])
    np.testing.assert_allclose(likelihood(o)[:3], np.exp([0, -0.5, -2]))
    assert likelihood.observables == ["a", "b", "c"]


def test_bad_terms_are_refused():
    with pytest.raises(ValueError, match="finite sigma > 0, got 1.0 ± 0.0"):
        Gaussian("a", 1.0, 0.0)
    with pytest.raises(ValueError, match="finite value"):
        Gaussian("a", float("nan"), 1.0)
    with pytest.raises(ValueError, match="must be finite numbers"):
        Limit("a", upper=float("inf"))
    with pytest.raises(ValueError, match="lower .* must be below upper"):
        Limit("a", lower=2.0, upper=1.0)
    with pytest.raises(ValueError, match="needs a lower or an upper"):
        Limit("a")
