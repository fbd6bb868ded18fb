"""The fast pooling windows equal their loop references."""
import numpy as np
from hypothesis import given, settings, strategies as st

from glassnet.nn.kernels.pooling import (
    avg_pool, avg_pool_backward, avg_pool_reference, max_pool, max_pool_backward, max_pool_backward_reference,
    max_pool_reference,
)

geometry = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
                     st.integers(1, 2), st.integers(1, 2), st.integers(0, 3), st.integers(0, 3))


@settings(max_examples=50, deadline=None)
@given(geometry, st.booleans())
def test_max_and_avg_pool_equal_their_references(g, ties):
    kh, kw, sh, sw, dh, dw, eh, ew = g
    kernel, stride, dilation = (kh, kw), (sh, sw), (dh, dw)
    rng = np.random.default_rng(sum(g))
    shape = (2, 3, dh * (kh - 1) + 1 + eh, dw * (kw - 1) + 1 + ew)
    x = rng.standard_normal(shape)
    if ties:  # many equal values: the gradient must go to the first maximum only
        x = np.round(x)
    y = max_pool(x, kernel, stride, dilation)
    np.testing.assert_array_equal(y, max_pool_reference(x, kernel, stride, dilation))
    g_out = rng.standard_normal(y.shape)
    np.testing.assert_allclose(max_pool_backward(g_out, x, y, kernel, stride, dilation),
                               max_pool_backward_reference(g_out, x, kernel, stride, dilation), rtol=1e-12)
    np.testing.assert_allclose(avg_pool(x, kernel, stride), avg_pool_reference(x, kernel, stride), rtol=1e-12)


def test_avg_pool_backward_is_the_adjoint_of_avg_pool():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 7, 6))
    y = avg_pool(x, (3, 2), (2, 1))
    g = rng.standard_normal(y.shape)
    assert np.isclose(np.sum(y * g), np.sum(x * avg_pool_backward(g, x, (3, 2), (2, 1))))


def test_pooling_keeps_the_memory_layout_of_its_input():
    channel_major = np.random.default_rng(0).standard_normal((3, 2, 8, 8)).transpose(1, 0, 2, 3)
    y = max_pool(channel_major, (2, 2), (2, 2), (1, 1))
    assert y.transpose(1, 0, 2, 3).flags.c_contiguous
