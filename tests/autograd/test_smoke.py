import numpy as np

import glassnet as gn


def test_backward_of_a_small_expression():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x * x + x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + np.exp(x.data), rtol=1e-6)
