"""PyTorch's tensor semantics: .data and .grad as Tensors, in-place updates and their version checks,
hooks, autograd.grad, custom Functions, dtypes and promotion, the CPU device API, generators."""
import copy

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")


def test_data_and_grad_are_tensors_sharing_memory():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.grad, gn.Tensor) and isinstance(w.data, gn.Tensor)
    assert not w.data.requires_grad and w.data.grad_fn is None
    w.data.add_(w.grad, alpha=-0.5)          # the classic manual SGD step
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    w.grad.zero_()
    np.testing.assert_allclose(w.grad, [0, 0])
    with pytest.raises(TypeError, match="Tensor or None"):
        w.grad = np.zeros(2)


def test_no_grad_update_changes_the_same_leaf_in_place():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    before = id(w)
    (3 * w).sum().backward()
    with gn.no_grad():
        w -= 0.1 * w.grad
    assert id(w) == before and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), [0.7, 1.7], rtol=1e-6)


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0] = 5.0


@pytest.mark.parametrize("lib", [gn, torch], ids=["glassnet", "torch"])
def test_in_place_ops_on_intermediates_are_recorded(lib):
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)                        # y = 2x + 1
    y.mul_(3)                        # y = 3(2x + 1)
    y[1] = 0.0                       # that element no longer depends on x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [6.0, 0.0, 6.0])


@pytest.mark.parametrize("lib", [gn, torch], ids=["glassnet", "torch"])
def test_setitem_into_a_plain_buffer_records_the_written_values(lib):
    h = lib.tensor([0.5, 1.5], requires_grad=True)
    out = lib.zeros(3, 2)
    for t in range(3):
        out[t] = h * (t + 1)
    assert out.requires_grad and not out.is_leaf
    out.sum().backward()
    np.testing.assert_allclose(h.grad.detach().numpy(), [6.0, 6.0])


@pytest.mark.parametrize("lib", [gn, torch], ids=["glassnet", "torch"])
def test_earlier_uses_keep_their_place_in_the_graph_after_an_in_place_change(lib):
    x = lib.tensor([2.0], requires_grad=True)
    y = x * 3
    z = y * 5          # uses y before the change (Mul needs only the 5 for y's gradient)
    y.mul_(10)         # y = 30x from here on
    (z + y).sum().backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), [15.0 + 30.0])


def test_changing_a_saved_value_in_place_is_caught_in_backward():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()          # sigmoid's backward needs its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b                # Mul keeps b
    with gn.no_grad():
        b.add_(1)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        c.sum().backward()


def test_inplace_activation_matches_torch():
    data = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    grads = []
    for lib in (gn, torch):
        x = lib.tensor(data.copy(), requires_grad=True)
        h = x * 1.5
        h.relu_()
        (h * h).sum().backward()
        grads.append(x.grad.detach().numpy())
    np.testing.assert_allclose(*grads, rtol=1e-6)


def test_hooks_and_retain_grad_and_next_functions():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
    h = x * 3
    handle = h.register_hook(lambda g: g * 10)
    h.retain_grad()
    assert h.grad_fn.name() == "MulBackward"
    kinds = [type(f).__name__ for f, _ in h.grad_fn.next_functions]
    assert kinds == ["AccumulateGrad", "NoneType"]
    h.sum().backward()
    np.testing.assert_allclose(h.grad, [10, 10])
    np.testing.assert_allclose(x.grad, [30, 30])
    np.testing.assert_allclose(seen[0], [30, 30])
    handle.remove()


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = gn.tensor([3.0], requires_grad=True)
    out = (x * x).sum() * y
    gx, gy = gn.autograd.grad(out, [x, y])
    np.testing.assert_allclose(gx, [6, 12])
    np.testing.assert_allclose(gy, [5])
    assert x.grad is None and y.grad is None
    with pytest.raises(RuntimeError, match="not have been used"):
        gn.autograd.grad((x * 2).sum(), [x, y])
    assert gn.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)[1] is None
    with pytest.raises(RuntimeError, match="create_graph"):
        gn.autograd.grad((x * x).sum(), x, create_graph=True)


class Cube(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x ** 3 * scale

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 3 * x ** 2 * ctx.scale, None


class SplitHalves(gn.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x[:2] * 2, x[2:] * 3

    @staticmethod
    def backward(ctx, g_first, g_second):
        return gn.cat([g_first * 2, g_second * 3])


def test_custom_functions_with_ctx_api():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.detach().numpy() ** 2)
    z = gn.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    first, second = SplitHalves.apply(z)
    (first.sum() + 10 * second.sum()).backward()
    np.testing.assert_allclose(z.grad, [2, 2, 30, 30])
    assert gn.autograd.gradcheck(lambda t: Cube.apply(t, 1.5), [np.array([0.5, -1.0])])


def test_custom_function_sees_its_saved_input_changed():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h, 1.0)
    with gn.no_grad():
        h.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_dtypes_have_pytorchs_names_and_promotion():
    assert gn.float is gn.float32 and gn.long is gn.int64 and gn.double is gn.float64
    assert gn.float32 == np.float32 and np.dtype(gn.float64) == np.float64
    assert gn.tensor([1, 2]).dtype == gn.long
    assert (gn.tensor([1, 2]) * 0.5).dtype == gn.float32
    assert (gn.tensor([1, 2]) / gn.tensor([2, 2])).dtype == gn.float32
    assert (gn.tensor([1.0]) + gn.tensor([1.0], dtype=gn.float64)).dtype == gn.float64
    assert (gn.tensor([True]) + 1).dtype == gn.long
    assert gn.ones(2).type(gn.LongTensor).dtype == gn.long
    assert isinstance(gn.FloatTensor([1, 2]), gn.FloatTensor) and not isinstance(gn.ones(1).long(), gn.FloatTensor)
    assert gn.Tensor(2, 3).shape == (2, 3) and gn.Tensor([1, 2]).dtype == gn.float32
    assert gn.ones(2).type() == "glassnet.FloatTensor"
    assert gn.finfo(gn.float32).eps == pytest.approx(np.finfo(np.float32).eps)
    assert gn.float32.is_floating_point and not gn.int64.is_floating_point


def test_the_device_api_is_the_cpu():
    device = gn.device("cuda" if gn.cuda.is_available() else "cpu")
    assert device == gn.device("cpu") and str(device) == "cpu"
    x = gn.ones(2).to(device)
    assert x.device == device and x.cpu() is x and x.to("cpu", gn.float64).dtype == gn.float64
    net = gn.nn.Linear(2, 1).to(device)
    assert next(net.parameters()).device.type == "cpu"
    assert not gn.accelerator.is_available() and not gn.backends.mps.is_available()
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        gn.zeros(2, device="cuda")


def test_generators_give_repeatable_streams():
    g = gn.Generator().manual_seed(42)
    a = gn.randn(3, generator=g)
    g.manual_seed(42)
    np.testing.assert_array_equal(a, gn.randn(3, generator=g))
    picks = gn.multinomial(gn.tensor([0.0, 1.0, 3.0]), 100, replacement=True, generator=g)
    assert picks.dtype == gn.long and set(picks.tolist()) <= {1, 2}
    order = gn.multinomial(gn.tensor([1.0, 1.0, 1.0, 0.0]), 3, generator=g)
    assert sorted(order.tolist()) == [0, 1, 2]
    assert gn.randint(0, 5, (10,), generator=g).dtype == gn.long
    assert gn.manual_seed(0) is gn.default_generator


def test_python_conversions_and_formatting():
    loss = gn.tensor(0.25)
    assert f"{loss:.3f}" == "0.250" and float(loss) == 0.25
    assert int(gn.tensor([3])) == 3 and [10, 20, 30][gn.tensor(1)] == 20
    assert list(gn.arange(3)) == [0, 1, 2]
    with pytest.raises(TypeError, match="0-d tensor"):
        len(loss)


def test_deepcopy_of_a_state_dict_and_of_a_module():
    net = gn.nn.Linear(3, 2)
    state = copy.deepcopy(net.state_dict())
    with gn.no_grad():
        net.weight.fill_(0)
    assert not np.allclose(state["weight"], 0)
    twin = copy.deepcopy(net)
    assert isinstance(twin.weight, gn.nn.Parameter) and twin.weight is not net.weight
    with pytest.raises(RuntimeError, match="deepcopy"):
        copy.deepcopy(net.weight * 2)


def test_modules_keep_buffers_as_tensors_and_state_dict_values_are_tensors():
    bn = gn.nn.BatchNorm1d(3)
    assert isinstance(bn.running_mean, gn.Tensor)
    state = bn.state_dict()
    assert all(isinstance(v, gn.Tensor) for v in state.values())
    bn(gn.randn(8, 3))
    assert not np.allclose(state["running_mean"], 0)  # state_dict shares memory, as in PyTorch
    result = gn.nn.BatchNorm1d(3).load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
