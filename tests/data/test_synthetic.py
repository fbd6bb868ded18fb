import numpy as np
import pytest

import glassnet.data as gd

CLASSIFIERS = [gd.make_circle, gd.make_xor, gd.make_gaussian, gd.make_spiral, gd.make_moons]
REGRESSORS = [gd.make_regression_plane, gd.make_multi_gaussian]


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSORS + [gd.make_blobs_multiclass])
def test_shapes_dtypes_and_seeding(make):
    X, y = make(101, noise=0.1, rng=3)
    assert X.shape == (101, 2) and X.dtype == np.float32 and y.shape == (101,)
    X2, y2 = make(101, noise=0.1, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, noise=0.1, rng=4)[0])


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_binary_labels(make):
    _, y = make(200, rng=0)
    assert y.dtype == np.int64 and set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize("make", [gd.make_circle, gd.make_gaussian, gd.make_spiral, gd.make_moons])
def test_two_halves(make):
    assert make(201, rng=0)[1].sum() in (100, 101)


def test_noise_free_geometry():
    X, y = gd.make_circle(400, rng=0)
    radius = np.linalg.norm(X, axis=1)
    assert np.all(radius[y == 1] <= 2.5) and np.all(radius[y == 0] >= 3.5)
    X, y = gd.make_xor(400, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    assert np.abs(X).min() >= 0.3
    X, y = gd.make_regression_plane(50, rng=0)
    np.testing.assert_allclose(y, X.sum(axis=1) / 10, rtol=1e-5)
    X, y = gd.make_multi_gaussian(300, rng=0)
    assert y.dtype == np.float32 and -1 <= y.min() < 0 < y.max() <= 1
    assert y[np.linalg.norm(X - [-4, 2.5], axis=1) < 0.5].min() > 0.7  # a positive bump at (-4, 2.5)


def test_spiral_radius_grows_with_turn():
    X, y = gd.make_spiral(200, rng=0)
    assert np.linalg.norm(X, axis=1).max() <= 5.0
    assert (y == 1).sum() == 100


def test_noise_flips_labels_near_edge():
    X0, y0 = gd.make_circle(1000, noise=0.0, rng=1)
    X5, y5 = gd.make_circle(1000, noise=0.5, rng=1)
    inside = (np.linalg.norm(X5, axis=1) < 2.5).astype(np.int64)
    assert (inside != y5).mean() > 0.05 and np.array_equal(
        (np.linalg.norm(X0, axis=1) < 2.5).astype(np.int64), y0)


def test_blobs_multiclass():
    for k in (3, 4, 5):
        _, y = gd.make_blobs_multiclass(100, n_classes=k, rng=0)
        assert set(np.unique(y)) == set(range(k))
    with pytest.raises(ValueError, match="n_classes"):
        gd.make_blobs_multiclass(10, n_classes=7)


def test_bad_noise_is_refused():
    with pytest.raises(ValueError, match="noise"):
        gd.make_circle(10, noise=-0.1)


def test_polynomial_follows_coefficients():
    X, y = gd.make_polynomial(50, coefficients=[1.0, 0.0, 2.0], noise=0.0, rng=0)
    assert X.shape == (50, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y, 1 + 2 * X[:, 0] ** 2, rtol=1e-5)
