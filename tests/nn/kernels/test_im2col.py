"""The fast im2col/col2im equal their loop references, over shapes, strides and dilations."""
import numpy as np
from hypothesis import given, settings, strategies as st

from glassnet.nn.kernels.im2col import batch_slices, col2im, col2im_reference, im2col, im2col_reference, output_size

geometry = st.tuples(
    st.integers(1, 3), st.integers(1, 2),  # channels, batch
    st.integers(1, 3), st.integers(1, 3),  # kernel
    st.integers(1, 3), st.integers(1, 3),  # stride
    st.integers(1, 2), st.integers(1, 2),  # dilation
    st.integers(0, 4), st.integers(0, 4),  # extra image size beyond the dilated kernel
)


@settings(max_examples=60, deadline=None)
@given(geometry)
def test_im2col_and_col2im_equal_their_references(g):
    c, n, kh, kw, sh, sw, dh, dw, eh, ew = g
    kernel, stride, dilation = (kh, kw), (sh, sw), (dh, dw)
    shape = (c, n, dh * (kh - 1) + 1 + eh, dw * (kw - 1) + 1 + ew)
    rng = np.random.default_rng(sum(g))
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(im2col(x, kernel, stride, dilation), im2col_reference(x, kernel, stride, dilation))
    cols = rng.standard_normal(im2col_reference(x, kernel, stride, dilation).shape)
    np.testing.assert_allclose(col2im(cols, shape, kernel, stride, dilation),
                               col2im_reference(cols, shape, kernel, stride, dilation), rtol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    # <im2col(x), c> = <x, col2im(c)> for all x, c
    rng = np.random.default_rng(0)
    shape, options = (2, 3, 7, 6), ((3, 2), (2, 1), (1, 2))
    x = rng.standard_normal(shape)
    cols = rng.standard_normal(im2col(x, *options).shape)
    assert np.isclose(np.sum(im2col(x, *options) * cols), np.sum(x * col2im(cols, shape, *options)))


def test_output_size_and_batch_slices():
    assert output_size(28 + 4, 5, 1, 1) == 28
    assert output_size(7, 3, 2, 2) == 2
    slices = batch_slices(64, 25 * 28 * 28)
    assert slices[0].start == 0 and slices[-1].stop == 64
    assert all(a.stop == b.start for a, b in zip(slices, slices[1:]))
    assert batch_slices(3, 10 ** 9) == [slice(0, 1), slice(1, 2), slice(2, 3)]


@settings(max_examples=40, deadline=None)
@given(geometry)
def test_stride_1_row_runs_hold_the_same_windows_as_im2col(g):
    from glassnet.nn.kernels.im2col import col2im_rows, im2col_rows, pixels, positions
    c, n, kh, kw, _, _, dh, dw, eh, ew = g
    kernel, dilation = (kh, kw), (dh, dw)
    shape = (c, n, dh * (kh - 1) + 1 + eh, dw * (kw - 1) + 1 + ew)
    oh, ow = eh + 1, ew + 1
    rng = np.random.default_rng(sum(g))
    x = rng.standard_normal(shape)
    rows = im2col_rows(x, kernel, dilation)
    assert rows.shape == (c * kh * kw, n * positions(shape, kernel, (1, 1), dilation))
    real = pixels(rows.reshape(len(rows), n, -1), oh, ow, shape[3]).reshape(len(rows), -1)  # junk dropped
    np.testing.assert_array_equal(real, im2col_reference(x, kernel, (1, 1), dilation))
    cols = rng.standard_normal(real.shape)
    with_junk = np.zeros(rows.shape)
    pixels(with_junk.reshape(len(rows), n, -1), oh, ow, shape[3])[...] = cols.reshape(len(rows), n, oh, ow)
    np.testing.assert_allclose(col2im_rows(with_junk, shape, kernel, dilation, out=np.zeros(shape)),
                               col2im_reference(cols, shape, kernel, (1, 1), dilation), rtol=1e-12)
