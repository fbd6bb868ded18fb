import numpy as np

from glassnet.physics.scan.baselines import reflect
from glassnet.physics.scan.proposal import (
    draw_candidates, neighbour_counts, neighbour_counts_reference, rejection_sample,
)


def test_neighbour_counts_equal_the_loop():
    rng = np.random.default_rng(1)
    u, points = rng.random((50, 3)), rng.random((40, 3))
    np.testing.assert_array_equal(neighbour_counts(u, points, 0.3, chunk=7), neighbour_counts_reference(u, points, 0.3))
    assert neighbour_counts(u, np.zeros((0, 3)), 0.3).sum() == 0


def test_rejection_sampling_follows_the_weight():
    rng = np.random.default_rng(2)
    # w(u) = u on [0, 1]: the kept points have density 2u, mean 2/3; w = 0 on u > 0.9
    log_weight = lambda u: np.where(u[:, 0] < 0.9, np.log(u[:, 0] + 1e-300), -np.inf)  # noqa: E731
    points = rejection_sample(log_weight, 4000, 1, rng, n_candidates=5000)
    assert points.shape == (4000, 1)
    assert points.max() < 0.9
    assert abs(points.mean() - 0.6) < 0.02   # E[u] for density ∝ u on [0, 0.9] = 2/3 · 0.9


def test_local_candidates_leave_the_distribution_unchanged():
    rng = np.random.default_rng(3)
    log_weight = lambda u: np.log(u[:, 0] + 1e-300)  # noqa: E731  density 2u on [0, 1], mean 2/3
    centres = np.array([[0.2], [0.25]])  # candidates crowd where the weight is low: dividing by q undoes it
    points = rejection_sample(log_weight, 4000, 1, rng, n_candidates=5000, centres=centres, local_share=0.8,
                              local_scale=0.05)
    assert points.shape == (4000, 1) and abs(points.mean() - 2 / 3) < 0.02
    u, log_q = draw_candidates(2000, 2, rng, np.array([[0.5, 0.5], [0.9, 0.1]]), 0.5, 0.1)
    assert ((u >= 0) & (u <= 1)).all() and 1750 < len(u) < 2000  # local ones outside the cube are dropped
    gauss = [np.exp(-((u - c) ** 2).sum(1) / (2 * 0.01)) / (2 * np.pi * 0.01) for c in ([0.5, 0.5], [0.9, 0.1])]
    np.testing.assert_allclose(np.exp(log_q), 0.5 + 0.5 * (gauss[0] + gauss[1]) / 2)


def test_rejection_sampling_gives_up_on_zero_weight():
    points = rejection_sample(lambda u: np.full(len(u), -np.inf), 10, 2, np.random.default_rng(0),
                              n_candidates=100, max_rounds=3)
    assert points.shape == (0, 2)


def test_reflect_keeps_points_in_the_cube():
    np.testing.assert_allclose(reflect(np.array([1.1, -0.1, 0.5, 2.3])), [0.9, 0.1, 0.5, 0.3])
