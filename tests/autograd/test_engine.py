"""The reverse-mode engine: accumulation, graph freeing, long graphs, modes and its error messages."""
import gc
import weakref

import numpy as np
import pytest

import glassnet as gn


def test_gradients_accumulate_over_paths_and_calls():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3 + x * x          # two paths into x
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 3 + 2 * x.data)
    (x * 2).sum().backward()   # a second backward adds to .grad, as in PyTorch
    np.testing.assert_allclose(x.grad, 5 + 2 * x.data)


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = gn.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 10
    np.testing.assert_allclose(b.grad, [1, 1])


def test_backward_twice_through_freed_buffers_raises():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.data)


def test_backward_on_non_scalar_needs_a_gradient():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0], dtype=np.float32))
    np.testing.assert_allclose(x.grad, [2, 20])


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gn.tensor([1.0]).sum().backward()


def test_no_grad_records_nothing_and_detach_cuts_the_graph():
    x = gn.tensor([1.0], requires_grad=True)
    with gn.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    z = (x * 2).detach() * x
    z.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0])


def test_graph_of_100000_nodes_backpropagates_without_recursion():
    x = gn.tensor(np.float32(1.0), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_backward_frees_the_arrays_saved_by_forward():
    x = gn.tensor(np.ones(1000, dtype=np.float32), requires_grad=True)
    hidden = x.exp()
    saved = weakref.ref(hidden._ctx.y)
    loss = (hidden * 2).sum()
    del hidden
    loss.backward()
    gc.collect()
    assert saved() is None


def test_retain_grad_keeps_gradient_of_an_intermediate():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    assert x.grad is not None


def test_dtypes_are_kept():
    x32 = gn.tensor([1.0, 2.0], requires_grad=True)
    assert x32.dtype == np.float32
    assert (x32 * 2.5 + 1).dtype == np.float32
    assert (x32 / 3).exp().dtype == np.float32
    (x32 * 2.5).sum().backward()
    assert x32.grad.dtype == np.float32
    x64 = gn.tensor(np.array([1.0]), requires_grad=True)
    assert (x64 * 2).dtype == np.float64
    assert gn.tensor([1, 2]).dtype == np.int64


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        gn.tensor([1, 2], requires_grad=True)


def test_detect_anomaly_names_the_op_that_made_the_nan():
    x = gn.tensor([-1.0, 4.0], requires_grad=True)
    with gn.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Sqrt produced NaN"):
            with np.errstate(invalid="ignore"):
                x.sqrt()


def test_detect_anomaly_checks_gradients_in_backward():
    x = gn.tensor([0.0, 1.0], requires_grad=True)
    with gn.detect_anomaly():
        y = x.sqrt()  # finite forward, infinite derivative at 0
        with pytest.raises(FloatingPointError, match="backward of Sqrt"):
            with np.errstate(divide="ignore"):
                y.sum().backward()


def test_numpy_array_on_the_left_keeps_the_graph():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, gn.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3, 4])


def test_comparisons_return_bool_tensors_and_reductions_take_dim():
    x = gn.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert isinstance(x > 0, gn.Tensor) and (x > 0).dtype == gn.bool
    assert (x > 0).sum().item() == 3
    np.testing.assert_allclose(x.sum(dim=1, keepdim=True), [[-1], [7]])
    np.testing.assert_allclose(x.mean(axis=0), [2, 1])
    np.testing.assert_allclose(x.var(dim=0, unbiased=False), [1, 9])
    np.testing.assert_allclose(x.var(dim=0), [2, 18])  # PyTorch's default divides by N - 1


def test_manual_seed_makes_runs_repeat():
    gn.manual_seed(3)
    a = gn.randn(4).data
    gn.manual_seed(3)
    np.testing.assert_array_equal(a, gn.randn(4).data)
