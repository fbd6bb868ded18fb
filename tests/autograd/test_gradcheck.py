"""Finite-difference gradient checks of every autograd Function, on random (broadcasting) shapes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet.autograd import gradcheck

SETTINGS = settings(max_examples=15, deadline=None)


def arrays(shapes, seed, positive=False):
    rng = np.random.default_rng(seed)
    out = [rng.standard_normal(s) for s in shapes]
    return [np.abs(a) + 0.5 for a in out] if positive else out


binary_shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1),
    lambda a, b: gn.where(a.data > b.data, a, b),
])
@SETTINGS
@given(shapes=binary_shapes, seed=st.integers(0, 1000))
def test_binary_ops_with_broadcasting(op, shapes, seed):
    assert gradcheck(op, arrays(shapes.input_shapes, seed))


@SETTINGS
@given(shapes=binary_shapes, seed=st.integers(0, 1000))
def test_pow_of_tensors(shapes, seed):
    assert gradcheck(lambda a, b: a ** b, arrays(shapes.input_shapes, seed, positive=True))


unary_cases = {
    "neg": (lambda x: -x, False), "exp": (lambda x: x.exp(), False), "log": (lambda x: x.log(), True),
    "sqrt": (lambda x: x.sqrt(), True), "abs": (lambda x: x.abs(), True), "tanh": (lambda x: x.tanh(), False),
    "sigmoid": (lambda x: x.sigmoid(), False), "sin": (lambda x: x.sin(), False), "cos": (lambda x: x.cos(), False), "square": (lambda x: x ** 2, False),
    "cube_root": (lambda x: x ** (1 / 3), True), "clip": (lambda x: x.clip(-0.5, 0.7), False),
    "clone": (lambda x: x.clone(), False), "cast": (lambda x: x.astype(np.float64) * 2, False),
}


@pytest.mark.parametrize("name", sorted(unary_cases))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 1000))
def test_unary_ops(name, shape, seed):
    fn, positive = unary_cases[name]
    (x,) = arrays([shape], seed, positive)
    if name == "clip":  # keep points away from the kinks, where the derivative is undefined
        x = np.where(np.abs(x + 0.5) < 1e-3, x + 0.01, x)
        x = np.where(np.abs(x - 0.7) < 1e-3, x + 0.01, x)
    assert gradcheck(fn, [x])


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), seed=st.integers(0, 1000),
       data=st.data())
def test_reductions(shape, seed, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                               st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True).map(tuple)))
    keepdims = data.draw(st.booleans())
    (x,) = arrays([shape], seed)
    for reduce in ("sum", "mean", "max", "min"):
        assert gradcheck(lambda t: getattr(t, reduce)(axis=axis, keepdims=keepdims), [x])


def test_max_splits_the_gradient_between_ties_like_torch_amax():
    x = gn.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0.5, 0, 0.5]])


@SETTINGS
@given(batch=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3),
       n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 1000))
def test_matmul_batched_and_broadcast(batch, n, k, m, seed):
    sa, sb = batch.input_shapes
    assert gradcheck(lambda a, b: a @ b, arrays([sa + (n, k), sb + (k, m)], seed))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((4, 2, 3), (3,)),
                                   ((3,), (4, 3, 2))])
def test_matmul_with_vectors(sa, sb):
    assert gradcheck(lambda a, b: a @ b, arrays([sa, sb], 0))


def test_shape_ops():
    (x,) = arrays([(2, 3, 4)], 1)
    assert gradcheck(lambda t: t.reshape(4, 6) * np.arange(24).reshape(4, 6), [x])
    assert gradcheck(lambda t: t.transpose(2, 0, 1) * np.arange(24).reshape(4, 2, 3), [x])
    assert gradcheck(lambda t: t.transpose(0, 2) * np.arange(24).reshape(4, 3, 2), [x])
    assert gradcheck(lambda t: t.permute(1, 2, 0).flatten() * np.arange(24), [x])
    assert gradcheck(lambda t: t.unsqueeze(1).squeeze() * np.arange(24).reshape(2, 3, 4), [x])
    assert gradcheck(lambda t: t.T * np.arange(24).reshape(4, 3, 2), [x])


@pytest.mark.parametrize("index", [
    (slice(None), 1), (Ellipsis, slice(1, 3)), (0, slice(None), None), np.array([1, 1, 0]),
    (np.array([0, 1, 1]), slice(None), np.array([3, 3, 0])), np.array([True, False]),
])
def test_indexing(index):
    (x,) = arrays([(2, 3, 4)], 2)
    assert gradcheck(lambda t: t[index] ** 2, [x])


def test_repeated_advanced_index_accumulates():
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_allclose(x.grad, [2, 0, 1])


def test_concatenate_and_stack():
    a, b, c = arrays([(2, 3), (2, 1), (2, 3)], 3)
    assert gradcheck(lambda p, q: gn.cat([p, q, p], dim=1) ** 2, [a, b])
    assert gradcheck(lambda p, q: gn.stack([p, q], dim=1) ** 2, [a, c])
    assert gradcheck(lambda p, q: gn.stack([p, q], axis=-1) ** 2, [a, c])


def test_gradcheck_reports_the_worst_element_of_a_wrong_gradient():
    class WrongSquare(gn.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.x = x
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * ctx.x  # should be 2x

    with pytest.raises(AssertionError, match="input 0.*analytic.*numerical"):
        gradcheck(lambda t: WrongSquare.apply(t), [np.array([1.0, 2.0])])
