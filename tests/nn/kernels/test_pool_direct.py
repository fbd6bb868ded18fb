"""The compiled 2×2 max pool equals the NumPy kernels (and PyTorch where a window holds a NaN)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from glassnet.nn.kernels.pooling import max_pool, max_pool_backward_reference

pytest.importorskip("numba")
from glassnet.nn.kernels import pool_direct  # noqa: E402

OPTIONS = ((2, 2), (2, 2), (1, 1))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 7), st.integers(2, 7), st.booleans(), st.booleans())
def test_fast_max_pool_equals_the_numpy_kernels(n, c, h, w, ties, channel_major):
    rng = np.random.default_rng(n * 100 + c * 10 + h + w)
    x = rng.standard_normal((c, n, h, w) if channel_major else (n, c, h, w)).astype(np.float32)
    if ties:  # many equal values: the gradient must go to the first maximum only
        x = np.round(x)
    if channel_major:
        x = x.transpose(1, 0, 2, 3)
    y, mask = pool_direct.max_pool_2x2(x)
    np.testing.assert_array_equal(y, max_pool(x, *OPTIONS))
    if n > 1 and c > 1:  # the input's memory layout is kept
        assert y.transpose(1, 0, 2, 3).flags.c_contiguous == channel_major
    g = rng.standard_normal(y.shape).astype(np.float32)
    np.testing.assert_array_equal(pool_direct.max_pool_2x2_backward(g, mask),
                                  max_pool_backward_reference(g, x, *OPTIONS))


def test_windows_with_nan_follow_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[[[1, np.nan, 0, 5], [np.nan, 0, 3, 5]], [[2, 2, -np.inf, 1], [1, 2, 7, np.nan]]]], np.float32)
    g = np.array([[[[1, 2]], [[3, 4]]]], np.float32)
    y, mask = pool_direct.max_pool_2x2(x)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(tx, 2)
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(pool_direct.max_pool_2x2_backward(g, mask), tx.grad.detach().numpy())
    g[0, 0, 0, 0] = np.nan  # a NaN gradient stays in its pixel
    assert np.isnan(pool_direct.max_pool_2x2_backward(g, mask)).sum() == 1


def test_only_the_2x2_float32_pool_is_compiled():
    x32 = np.zeros((1, 1, 4, 4), np.float32)
    assert pool_direct.fits(x32, (2, 2), (2, 2), (0, 0), (1, 1))
    assert not pool_direct.fits(x32.astype(np.float64), (2, 2), (2, 2), (0, 0), (1, 1))
    assert not pool_direct.fits(x32, (3, 3), (2, 2), (0, 0), (1, 1))
    assert not pool_direct.fits(x32, (2, 2), (1, 1), (0, 0), (1, 1))
    assert not pool_direct.fits(x32, (2, 2), (2, 2), (1, 1), (1, 1))
