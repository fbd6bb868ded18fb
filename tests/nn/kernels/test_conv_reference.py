"""Conv2dFunction (every fast path, the compiled kernels on and off) equals the lecture's
pad → im2col → GEMM → col2im reference, forward and backward."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import glassnet as gn
from glassnet.backends import compiled
from glassnet.nn.functional import conv2d
from glassnet.nn.kernels.conv_reference import conv2d_backward, conv2d_forward

geometry = st.tuples(
    st.sampled_from([1, 3, 6, 10]), st.integers(1, 5), st.integers(1, 3),  # in channels, out channels, batch
    st.integers(1, 5), st.integers(1, 4),                                   # kernel (square), stride
    st.integers(1, 2), st.integers(0, 2), st.integers(0, 5),                # dilation, padding, extra size
)


@pytest.mark.parametrize("switch", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=25, deadline=None)
@given(g=geometry)
def test_conv2d_equals_the_im2col_reference(g, switch, dtype):
    c, o, n, k, s, d, p, extra = g
    rng = np.random.default_rng(sum(g))
    size = d * (k - 1) + 1 + extra
    x, w, b = (rng.standard_normal(shape).astype(dtype) for shape in [(n, c, size, size + 1), (o, c, k, k), (o,)])
    with compiled.flags(enabled=switch):
        tensors = [gn.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = conv2d(*tensors, stride=s, padding=p, dilation=d)
        g_out = rng.standard_normal(y.shape).astype(dtype)
        (y * gn.tensor(g_out)).sum().backward()
    options = ((s, s), ((p, p), (p, p)), (d, d))
    tolerance = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(y.detach().numpy(), conv2d_forward(x, w, b, *options), rtol=tolerance, atol=tolerance)
    for tensor, expected in zip(tensors, conv2d_backward(g_out, x, w, *options)):
        np.testing.assert_allclose(gn.autograd.as_array(tensor.grad), expected, rtol=tolerance, atol=tolerance)
