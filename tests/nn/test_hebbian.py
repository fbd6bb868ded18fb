import numpy as np
import pytest

from glassnet import nn
from glassnet.autograd import as_array
from glassnet.nn.hebbian import HebbianRule, hebb, oja


def loop_hebb(x, y):
    """Σ_b y_bi x_bj, one weight at a time."""
    out = np.zeros((y.shape[1], x.shape[1]))
    for b in range(len(x)):
        for i in range(y.shape[1]):
            for j in range(x.shape[1]):
                out[i, j] += y[b, i] * x[b, j]
    return out


def test_hebb_and_oja_terms_equal_their_loop_formulas():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((6, 4)), rng.standard_normal((3, 4))
    y = x @ w.T
    assert np.allclose(hebb(x, y), loop_hebb(x, y))
    decay = np.zeros_like(w)
    for b in range(len(x)):
        decay += np.outer(y[b], y[b]) @ w
    assert np.allclose(oja(x, y, w), loop_hebb(x, y) - decay)


def test_a_step_changes_the_layer_weight_in_place_by_the_mean_term():
    layer = nn.Linear(4, 3)
    weight = as_array(layer.weight)
    before = weight.copy()
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    y = HebbianRule(layer, lr=0.1).step(x)
    assert np.allclose(y, x @ before.T, atol=1e-6)          # the bias takes no part
    assert np.allclose(as_array(layer.weight), before + 0.1 / 5 * hebb(x, y), atol=1e-6)
    assert as_array(layer.weight) is weight and weight.dtype == np.float32


def test_weights_grow_where_units_fire_together():
    layer = nn.Linear(4, 1, bias=False)
    as_array(layer.weight)[:] = 0.1
    together = np.array([[1, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32)  # units 0 and 1 co-fire, 2 and 3 never
    rule = HebbianRule(layer, lr=0.5)
    for _ in range(10):
        rule.step(together)
    weight = as_array(layer.weight)[0]
    assert weight[0] > 1 and weight[1] > 1 and np.allclose(weight[2:], 0.1)


def test_oja_finds_the_first_principal_component_and_plain_hebb_diverges():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3000, 5)) @ np.diag([3, 1.5, 1, 0.5, 0.2]) @ np.linalg.qr(rng.standard_normal((5, 5)))[0]
    X = (X - X.mean(0)).astype(np.float64)
    top = np.linalg.svd(X, full_matrices=False)[2][0]
    runs = {}
    for rule in ("oja", "hebb"):
        layer = nn.Linear(5, 1, bias=False).double()
        learner = HebbianRule(layer, lr=0.002, rule=rule)
        for _ in range(3):
            for batch in np.array_split(X, 300):
                learner.step(batch)
        runs[rule] = as_array(layer.weight)[0]
    assert abs(runs["oja"] @ top) / np.linalg.norm(runs["oja"]) > 0.999
    assert np.linalg.norm(runs["oja"]) == pytest.approx(1, abs=0.02)
    assert np.linalg.norm(runs["hebb"]) > 100  # no decay term: the weight grows without bound


def test_bad_layers_rules_and_inputs_are_named():
    with pytest.raises(TypeError, match="2-D weight"):
        HebbianRule(nn.ReLU())
    with pytest.raises(ValueError, match="rule must be one of"):
        HebbianRule(nn.Linear(2, 2), rule="sanger")
    with pytest.raises(ValueError, match="lr must be positive"):
        HebbianRule(nn.Linear(2, 2), lr=0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 2\)"):
        HebbianRule(nn.Linear(2, 2)).step(np.ones((3, 5)))
