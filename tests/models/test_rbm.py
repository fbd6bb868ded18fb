import math

import numpy as np
import pytest

from glassnet import nn
from glassnet.autograd import Tensor, as_array
from glassnet.models import DBN, RBM


def sigma(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def cd1_loop_reference(W, a, b, v0, lr, rng):
    """One CD-1 update written unit by unit: the same draws (u < p), in the same order as RBM."""
    H, V = W.shape
    B = len(v0)
    p0 = np.array([[sigma(b[j] + sum(W[j, i] * v0[n, i] for i in range(V))) for j in range(H)] for n in range(B)])
    u = rng.random((B, H), dtype=W.dtype)
    h0 = (u < p0).astype(float)
    pv = np.array([[sigma(a[i] + sum(W[j, i] * h0[n, j] for j in range(H))) for i in range(V)] for n in range(B)])
    v1 = (rng.random((B, V), dtype=W.dtype) < pv).astype(float)
    p1 = np.array([[sigma(b[j] + sum(W[j, i] * v1[n, i] for i in range(V))) for j in range(H)] for n in range(B)])
    W_new, a_new, b_new = W.copy(), a.copy(), b.copy()
    for j in range(H):
        for i in range(V):
            W_new[j, i] += lr / B * sum(p0[n, j] * v0[n, i] - p1[n, j] * v1[n, i] for n in range(B))
        b_new[j] += lr / B * sum(p0[n, j] - p1[n, j] for n in range(B))
    for i in range(V):
        a_new[i] += lr / B * sum(v0[n, i] - v1[n, i] for n in range(B))
    return W_new, a_new, b_new


def test_cd1_update_equals_the_loop_reference():
    rbm = RBM(6, 4, dtype=np.float64, rng=0)
    as_array(rbm.weight)[:] = np.random.default_rng(1).normal(0, 0.5, (4, 6))
    as_array(rbm.visible_bias)[:] = [0.1, -0.2, 0.3, 0.0, 0.2, -0.1]
    as_array(rbm.hidden_bias)[:] = [0.05, -0.1, 0.2, 0.0]
    v0 = (np.random.default_rng(2).random((5, 6)) < 0.5).astype(np.float64)
    expected = cd1_loop_reference(*(as_array(p).copy() for p in rbm.parameters()), v0, 0.3,
                                  np.random.default_rng(7))
    rbm.contrastive_divergence(v0, lr=0.3, rng=np.random.default_rng(7))
    for got, want in zip(rbm.parameters(), expected):
        assert np.allclose(as_array(got), want, atol=1e-12)


def test_the_cd_update_is_minus_the_gradient_of_the_free_energy_difference():
    rng = np.random.default_rng(3)
    rbm = RBM(7, 5, dtype=np.float64, rng=rng)
    v0, vk = (rng.random((4, 7)) < 0.5).astype(float), (rng.random((4, 7)) < 0.5).astype(float)
    (rbm.free_energy(v0).mean() - rbm.free_energy(vk).mean()).backward()
    p0, pk = rbm.hidden_probabilities(v0), rbm.hidden_probabilities(vk)
    assert np.allclose(-as_array(rbm.weight.grad), (p0.T @ v0 - pk.T @ vk) / 4)
    assert np.allclose(-as_array(rbm.visible_bias.grad), (v0 - vk).mean(0))
    assert np.allclose(-as_array(rbm.hidden_bias.grad), (p0 - pk).mean(0))


def test_free_energy_and_pseudo_likelihood_equal_their_definitions():
    rng = np.random.default_rng(4)
    rbm = RBM(5, 3, dtype=np.float64, rng=rng)
    as_array(rbm.weight)[:] = rng.normal(0, 1, (3, 5))
    W, a, b = (as_array(p) for p in rbm.parameters())
    v = rng.random((6, 5))

    def free(x):
        return -x @ a - np.log1p(np.exp(x @ W.T + b)).sum(-1)
    assert np.allclose(rbm.free_energy(v).detach().numpy(), free(v))
    expected = [sum(math.log(sigma(free(np.where(np.arange(5) == i, 1 - x, x)) - free(x))) for i in range(5))
                for x in v]
    assert np.allclose(rbm.pseudo_log_likelihood(v), expected)


def test_pseudo_likelihood_is_what_scikit_learns_one_unit_estimate_estimates():
    sklearn = pytest.importorskip("sklearn.neural_network")
    rng = np.random.default_rng(5)
    X = rng.random((40, 8))
    theirs = sklearn.BernoulliRBM(4, n_iter=2, random_state=0).fit(X)
    rbm = RBM(8, 4, dtype=np.float64)
    rbm.load_state_dict({"weight": theirs.components_, "visible_bias": theirs.intercept_visible_,
                         "hidden_bias": theirs.intercept_hidden_})
    estimates = [theirs.set_params(random_state=seed).score_samples(X).mean() for seed in range(100)]
    assert np.mean(estimates) == pytest.approx(rbm.pseudo_log_likelihood(X).mean(), rel=0.03)


def test_persistent_cd_keeps_its_chain_between_updates():
    rbm = RBM(6, 3, persistent=True, rng=0)
    v = (np.random.default_rng(6).random((4, 6)) < 0.5).astype(np.float32)
    rbm.contrastive_divergence(v, rng=1)
    first = rbm.chain.copy()
    assert first.shape == (4, 3) and set(np.unique(first)) <= {0, 1}
    rbm.contrastive_divergence(v, rng=1)
    assert rbm.chain is not None and not np.shares_memory(first, rbm.chain)


def test_on_the_digits_pseudo_likelihood_is_within_5_percent_of_scikit_learns():
    """Same epochs, learning rate, batch size and PCD chain as BernoulliRBM, measured side by side."""
    sklearn = pytest.importorskip("sklearn.neural_network")
    from glassnet.data import load_digits

    X, _ = load_digits()
    ours = RBM(64, 100, persistent=True, rng=0).fit(X, epochs=10, batch_size=10, lr=0.1, rng=0)
    theirs = sklearn.BernoulliRBM(100, learning_rate=0.1, batch_size=10, n_iter=10, random_state=0).fit(X)
    as_ours = RBM(64, 100, dtype=np.float64)
    as_ours.load_state_dict({"weight": theirs.components_, "visible_bias": theirs.intercept_visible_,
                             "hidden_bias": theirs.intercept_hidden_})
    mine, reference = ours.pseudo_log_likelihood(X).mean(), as_ours.pseudo_log_likelihood(X).mean()
    assert abs(mine - reference) <= 0.05 * abs(reference), (mine, reference)
    untrained = RBM(64, 100, rng=0).pseudo_log_likelihood(X).mean()
    assert mine > untrained + 10
    assert len(ours.history) == 10 and ours.history[-1] < ours.history[0] < RBM(64, 100).reconstruction_error(X)


def test_gibbs_sampling_gives_binary_visible_states():
    rbm = RBM(6, 3, rng=0)
    v = rbm.gibbs(np.ones((5, 6)), steps=3, rng=0)
    assert v.shape == (5, 6) and set(np.unique(v)) <= {0, 1}


def test_bad_input_and_options_are_named():
    rbm = RBM(4, 2)
    with pytest.raises(nn.LayerInputError, match=r"RBM expects X of shape \(batch, 4\), got \(3, 5\)"):
        rbm.fit(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"expects X in \[0, 1\]"):
        rbm.fit(np.full((3, 4), 2.0))
    with pytest.raises(ValueError, match="k .* at least 1"):
        RBM(4, 2, k=0)
    with pytest.raises(nn.LayerInputError, match="expects v of shape"):
        rbm(Tensor(np.zeros((2, 3), np.float32)))


def test_dbn_pretrains_greedily_and_becomes_a_sigmoid_classifier():
    X = (np.random.default_rng(7).random((60, 12)) < 0.3).astype(np.float32)
    dbn = DBN([12, 8, 6], rng=0)
    quality = dbn.pretrain(X, epochs=2, rng=0)
    assert len(quality) == 2 and all(q < 0 for q in quality)
    net = dbn.classifier(3)
    assert [type(m).__name__ for m in net] == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    assert np.array_equal(as_array(net[2].weight), as_array(dbn.rbms[1].weight))
    assert np.allclose(net[:4](Tensor(X)).detach().numpy(), dbn(X).detach().numpy(), atol=1e-6)
    assert net(Tensor(X)).shape == (60, 3)
