"""The compiled direct convolution kernels equal the NumPy GEMMs on the same row-run layout."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from glassnet.nn.kernels.im2col import im2col_rows, input_grad_rows, pixels, positions

pytest.importorskip("numba")
from glassnet.nn.kernels import conv_direct  # noqa: E402

geometry = st.tuples(
    st.integers(1, 3), st.integers(1, 6), st.integers(1, 2),  # in channels, out channels, batch
    st.integers(1, 5), st.integers(1, 5),  # kernel
    st.integers(1, 2), st.integers(1, 2),  # dilation
    st.integers(0, 4), st.integers(0, 4),  # extra image size beyond the dilated kernel
)


@settings(max_examples=40, deadline=None)
@given(geometry)
def test_direct_kernels_equal_the_gemms(g):
    c, o, n, kh, kw, dh, dw, eh, ew = g
    kernel, dilation = (kh, kw), (dh, dw)
    shape = (c, n, dh * (kh - 1) + 1 + eh, dw * (kw - 1) + 1 + ew)
    oh, ow, width = eh + 1, ew + 1, shape[3]
    rng = np.random.default_rng(sum(g))
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((o, c, kh, kw)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    length = positions(shape, kernel, (1, 1), dilation)
    rows = x.reshape(c, n, -1)
    cols = im2col_rows(x, kernel, dilation)

    y = np.empty((o, n, length), np.float32)
    conv_direct.forward_rows(rows, w, b, y, width, *dilation)
    expected = (w.reshape(o, -1) @ cols).reshape(o, n, length) + b[:, None, None]
    np.testing.assert_allclose(pixels(y, oh, ow, width), pixels(expected, oh, ow, width), rtol=1e-5, atol=1e-5)

    g_rows = np.zeros((o, n, length), np.float32)  # zero in the junk columns
    pixels(g_rows, oh, ow, width)[...] = rng.standard_normal((o, n, oh, ow))
    grad_w = np.empty_like(w)
    conv_direct.weight_grad_rows(rows, g_rows, grad_w, width, *dilation)
    np.testing.assert_allclose(grad_w, (g_rows.reshape(o, -1) @ cols.T).reshape(w.shape), rtol=1e-5, atol=1e-5)

    grad_x = np.full(shape, np.nan, np.float32)  # every pixel must be written
    conv_direct.input_grad_rows(w, g_rows, grad_x.reshape(c, n, -1), width, *dilation)
    np.testing.assert_allclose(grad_x, input_grad_rows(w.reshape(1, o, -1), g_rows, shape, kernel, dilation),
                               rtol=1e-5, atol=1e-5)


def test_direct_kernels_only_where_they_are_faster():
    assert conv_direct.use_direct(np.float32, np.float32, 1, (1, 1), 1)  # LeNet's first layer
    assert conv_direct.use_direct(np.float32, np.float32, 6, (1, 1), 1)  # and its second
    assert not conv_direct.use_direct(np.float32, np.float32, 32, (1, 1), 1)  # BLAS for many channels
    assert not conv_direct.use_direct(np.float64, np.float64, 1, (1, 1), 1)
    assert not conv_direct.use_direct(np.float32, np.float32, 1, (2, 2), 1)
    assert not conv_direct.use_direct(np.float32, np.float32, 2, (1, 1), 2)


def test_small_kernels_run_on_one_thread_and_the_setting_comes_back():
    import numba
    previous = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        before = numba.get_num_threads()
        with conv_direct.kernel_threads(1e6):
            assert numba.get_num_threads() == 1
        with conv_direct.kernel_threads(1e9):
            assert numba.get_num_threads() == before
        assert numba.get_num_threads() == before
    finally:
        numba.set_num_threads(previous)
