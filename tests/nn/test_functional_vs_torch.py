"""Activations and losses against PyTorch: forward values and input gradients (float32, rtol 1e-4),
and finite-difference checks of each Function (float64)."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import gradcheck

F = gn.nn.functional
torch = pytest.importorskip("torch")
TF = torch.nn.functional


def compare(gn_fn, torch_fn, *arrays, rtol=1e-4, atol=1e-6, grad_of=(0,)):
    g_in = [gn.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    g_out, t_out = gn_fn(*g_in), torch_fn(*t_in)
    np.testing.assert_allclose(g_out.data, t_out.detach().numpy(), rtol=rtol, atol=atol)
    seed = np.random.default_rng(1).standard_normal(t_out.shape).astype(np.float32)
    g_out.backward(seed)
    t_out.backward(torch.tensor(seed))
    for i in grad_of:
        np.testing.assert_allclose(g_in[i].grad, t_in[i].grad.detach().numpy(), rtol=rtol, atol=atol)


def x32(*shape, scale=3.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


ACTIVATIONS = {
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "relu": (F.relu, torch.relu),
    "leaky_relu": (lambda z: F.leaky_relu(z, 0.2), lambda z: TF.leaky_relu(z, 0.2)),
    "elu": (lambda z: F.elu(z, 0.7), lambda z: TF.elu(z, 0.7)),
    "softplus": (lambda z: F.softplus(z, 2.0, 5.0), lambda z: TF.softplus(z, 2.0, 5.0)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda z: F.gelu(z, "tanh"), lambda z: TF.gelu(z, approximate="tanh")),
    "softmax": (lambda z: F.softmax(z, dim=1), lambda z: TF.softmax(z, dim=1)),
    "log_softmax": (lambda z: F.log_softmax(z, dim=-1), lambda z: TF.log_softmax(z, dim=-1)),
    "maxout": (lambda z: F.maxout(z, 2), lambda z: z.reshape(4, 3, 2).amax(-1)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name):
    compare(*ACTIVATIONS[name], x32(4, 6))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradcheck(name):
    z = np.random.default_rng(2).standard_normal((3, 4)) * 2
    z[np.abs(z) < 1e-2] = 0.5  # keep off the kinks of relu-like functions
    assert gradcheck(ACTIVATIONS[name][0], [z])


def test_activations_are_stable_for_huge_inputs():
    z = gn.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    for fn in (F.sigmoid, F.tanh, F.softplus, F.elu, lambda t: F.softmax(t, 0), lambda t: F.log_softmax(t, 0)):
        out = fn(z)
        out.sum().backward()
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(z.grad))
        z.grad = None


def test_step_noisy_relu_and_dropout():
    z = gn.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(F.step(z).data, [0, 0, 1])
    np.testing.assert_array_equal(F.noisy_relu(z, 1.0, training=False).data, [0, 0, 2])
    noisy = F.noisy_relu(gn.tensor(np.zeros(10000, np.float32)), 1.0, rng=0).data
    assert abs(noisy.mean() - 1 / np.sqrt(2 * np.pi)) < 0.02  # E[max(0, N(0,1))]
    kept = F.dropout(gn.tensor(np.ones(10000, np.float32)), 0.3, rng=0).data
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.7)} and abs((kept > 0).float().mean().item() - 0.7) < 0.02
    np.testing.assert_array_equal(F.dropout(z, 0.3, training=False).data, z.data)
    assert gradcheck(lambda t: F.noisy_relu(t, 0.5, rng=7), [np.array([0.3, 1.0, 2.0])])
    assert gradcheck(lambda t: F.dropout(t, 0.5, rng=7), [np.array([0.3, -1.0, 2.0, 4.0])])


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    a, b = x32(5, 3), x32(5, 3, seed=1)
    compare(lambda p, q: F.mse_loss(p, q, reduction), lambda p, q: TF.mse_loss(p, q, reduction=reduction), a, b,
            grad_of=(0, 1))
    compare(lambda p, q: F.l1_loss(p, q, reduction), lambda p, q: TF.l1_loss(p, q, reduction=reduction), a, b)
    compare(lambda p, q: F.huber_loss(p, q, reduction, delta=1.5),
            lambda p, q: TF.huber_loss(p, q, reduction=reduction, delta=1.5), a, b, grad_of=(0, 1))
    compare(lambda p, q: F.smooth_l1_loss(p, q, reduction, beta=0.5),
            lambda p, q: TF.smooth_l1_loss(p, q, reduction=reduction, beta=0.5), a, b)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = np.random.default_rng(0).uniform(0.01, 0.99, (6, 2)).astype(np.float32)
    y = (np.random.default_rng(1).random((6, 2)) > 0.5).astype(np.float32)
    w = np.array([0.5, 2.0], dtype=np.float32)
    compare(lambda a: F.binary_cross_entropy(a, y, w, reduction),
            lambda a: TF.binary_cross_entropy(a, torch.tensor(y), torch.tensor(w), reduction=reduction), p)
    z = x32(6, 2, scale=5)
    compare(lambda a: F.binary_cross_entropy_with_logits(a, y, w, reduction, pos_weight=np.float32([3, 0.5])),
            lambda a: TF.binary_cross_entropy_with_logits(a, torch.tensor(y), torch.tensor(w), reduction=reduction,
                                                          pos_weight=torch.tensor([3.0, 0.5])), z)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_labels(reduction, smoothing, weighted):
    z = x32(7, 4)
    y = np.array([0, 3, 1, 1, 2, -100, 3])
    w = np.array([1.0, 2.0, 0.5, 3.0], dtype=np.float32) if weighted else None
    compare(lambda a: F.cross_entropy(a, y, w, reduction=reduction, label_smoothing=smoothing),
            lambda a: TF.cross_entropy(a, torch.tensor(y), None if w is None else torch.tensor(w),
                                       reduction=reduction, label_smoothing=smoothing), z)
    compare(lambda a: F.nll_loss(F.log_softmax(a, 1), y, w, reduction=reduction),
            lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(y), None if w is None else torch.tensor(w),
                                  reduction=reduction), z)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_with_probabilities_and_spatial_inputs(smoothing):
    z = x32(3, 4, 2, 2)
    probs = np.random.default_rng(0).dirichlet(np.ones(4), (3, 2, 2)).transpose(0, 3, 1, 2).astype(np.float32)
    compare(lambda a: F.cross_entropy(a, probs, label_smoothing=smoothing),
            lambda a: TF.cross_entropy(a, torch.tensor(probs), label_smoothing=smoothing), z)
    labels = np.random.default_rng(1).integers(0, 4, (3, 2, 2))
    compare(lambda a: F.cross_entropy(a, labels, reduction="none"),
            lambda a: TF.cross_entropy(a, torch.tensor(labels), reduction="none"), z)


def test_cross_entropy_is_stable_for_logits_of_1e4():
    z = gn.tensor([[1e4, -1e4, 0.0], [0.0, 1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(z, np.array([1, 2]))
    loss.backward()
    expected = TF.cross_entropy(torch.tensor(z.detach().numpy()), torch.tensor([1, 2]))
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    big = gn.tensor([1e4, -1e4], requires_grad=True)
    out = F.binary_cross_entropy_with_logits(big, np.float32([0, 1]))
    out.backward()
    assert np.isfinite(out.item()) and np.all(np.isfinite(big.grad))


def test_cross_entropy_matches_the_loop_reference():
    from glassnet.nn.functional.loss import log_softmax_cross_entropy_reference
    z, y = x32(5, 3).astype(np.float64), np.array([0, 2, 1, 1, 0])
    assert F.cross_entropy(z, y).item() == pytest.approx(log_softmax_cross_entropy_reference(z, y))


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    rng = np.random.default_rng(0)
    log_q = np.log(rng.dirichlet(np.ones(5), 4)).astype(np.float32)
    p = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    p[0, 0] = 0.0
    target = np.log(p + 1e-12).astype(np.float32) if log_target else p
    compare(lambda a: F.kl_div(a, target, reduction, log_target),
            lambda a: TF.kl_div(a, torch.tensor(target), reduction=reduction, log_target=log_target), log_q)


def test_entropy_and_cross_entropy_equals_entropy_plus_kl():
    for p, h in (([0, 0, 0, 1], 0.0), ([0.25] * 4, np.log(4))):
        assert F.entropy(np.float32(p)).item() == pytest.approx(h, abs=1e-6)
    assert F.entropy(np.float32([0.25] * 4), base=2).item() == pytest.approx(2.0)
    p, q = np.float64([0.1, 0.1, 0.1, 0.7]), np.float64([0.25] * 4)
    cross = -(p * np.log(q)).sum()
    kl = F.kl_div(np.log(q), p, reduction="sum").item()
    assert cross == pytest.approx(F.entropy(p).item() + kl)
    assert gradcheck(lambda t: F.entropy(t.sigmoid()), [np.array([0.2, -1.0, 3.0])])


def test_loss_gradchecks():
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal((4, 3)), np.array([2, 0, 1, 1])
    assert gradcheck(lambda t: F.cross_entropy(t, y, label_smoothing=0.1), [z])
    probs = rng.dirichlet(np.ones(3), 4)
    assert gradcheck(lambda t: F.cross_entropy(t, probs), [z])
    assert gradcheck(lambda t: F.binary_cross_entropy_with_logits(t, (z > 0) * 1.0, pos_weight=np.array(2.0)), [z])
    assert gradcheck(lambda t: F.binary_cross_entropy(t.sigmoid(), (z > 0) * 1.0), [z])
    assert gradcheck(lambda a, b: F.huber_loss(a, b, delta=0.5), [z, rng.standard_normal((4, 3))])


def test_bad_loss_inputs_are_named():
    with pytest.raises(ValueError, match=r"input has shape \(2, 3\) but target has shape \(3, 2\)"):
        F.mse_loss(gn.zeros(2, 3), np.zeros((3, 2)))
    with pytest.raises(IndexError, match="target 5 is out of bounds for 3 classes"):
        F.cross_entropy(gn.zeros(2, 3), np.array([0, 5]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(gn.zeros(2), np.zeros(2), reduction="avg")
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(gn.tensor([1.5]), np.float32([1]))
    criterion = gn.nn.CrossEntropyLoss()
    with pytest.raises(gn.nn.LayerInputError, match="CrossEntropyLoss.*needs class-index targets"):
        criterion(gn.zeros(4, 3), np.array([0, 1]))


def test_linear_function_gradcheck_with_and_without_bias():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    assert gradcheck(F.linear, [x, w, b])
    assert gradcheck(F.linear, [x, w])
    compare(F.linear, TF.linear, x32(3, 4), x32(5, 4, seed=1), x32(5, seed=2), grad_of=(0, 1, 2))
