"""Module, containers, Linear and the other dense layers: PyTorch's keys, shapes and numbers,
state loading, modes, summary and the error that names a layer by its path."""
import io

import numpy as np
import pytest

import glassnet as gn

nn = gn.nn
torch = pytest.importorskip("torch")


def mlp():
    return nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3, bias=False))


def torch_twin(model):
    twin = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
                               torch.nn.Linear(4, 3, bias=False))
    twin.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in model.state_dict().items()})
    return twin


def test_state_dict_has_torchs_keys_and_shapes():
    model = mlp()
    twin = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
                               torch.nn.Linear(4, 3, bias=False))
    ours = {k: v.shape for k, v in model.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in twin.state_dict().items()}
    assert ours == theirs
    model.load_state_dict(twin.state_dict())  # Tensors from torch are accepted as arrays
    np.testing.assert_array_equal(model[0].weight.data, twin[0].weight.detach().numpy())


def test_linear_forward_and_all_gradients_match_torch():
    model = mlp()
    twin = torch_twin(model)
    x = np.random.default_rng(0).standard_normal((7, 2, 6)).astype(np.float32)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = model(gx), twin(tx)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-4, atol=1e-6)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    np.testing.assert_allclose(gx.grad, tx.grad.detach().numpy(), rtol=1e-4, atol=1e-6)
    for (name, p), tp in zip(model.named_parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad, tp.grad.detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_default_initialization_follows_torch_bounds():
    layer = nn.Linear(400, 50)
    bound = 1 / np.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    assert layer.weight.dtype == np.float32


def test_initializers():
    w = nn.Parameter(np.zeros((200, 300), dtype=np.float32))
    nn.init.xavier_uniform_(w)
    assert w.data.std() == pytest.approx(np.sqrt(2 / 500), rel=0.05)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert w.data.std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)
    nn.init.constant_(w, 0.3)
    assert np.all(w.data == np.float32(0.3))
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)


def test_load_state_dict_checks_keys_and_shapes_and_changes_nothing_on_error():
    model = mlp()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    state = {k: np.zeros_like(v) for k, v in before.items()}
    with pytest.raises(RuntimeError, match="missing keys.*4.weight"):
        model.load_state_dict({k: v for k, v in state.items() if k != "4.weight"})
    bad = dict(state, **{"0.weight": np.zeros((5, 7), np.float32)})
    with pytest.raises(RuntimeError, match=r"size mismatch for '0.weight': \(5, 7\).*\(5, 6\)"):
        model.load_state_dict(bad)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    missing, unexpected = model.load_state_dict({"0.bias": np.ones(5), "extra": np.ones(1)}, strict=False)
    assert "extra" in unexpected and "0.weight" in missing
    np.testing.assert_array_equal(model[0].bias.data, np.ones(5, np.float32))


def test_wrong_input_names_the_layer_by_its_path_and_both_shapes():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))

        def forward(self, x):
            return self.net(x)

    with pytest.raises(nn.LayerInputError, match=r"Linear 'net.0' expects \(\*, 784\), got \(32, 785\)"):
        Net()(gn.zeros(32, 785))
    with pytest.raises(nn.LayerInputError, match=r"Linear '0' has float32 weights but got a float64 input"):
        mlp()(gn.tensor(np.zeros((2, 6))))


def test_modes_dropout_and_noise_act_only_in_training():
    model = nn.Sequential(nn.Dropout(0.5), nn.GaussianNoise(1.0))
    x = gn.ones(1000)
    assert not np.allclose(model(x).data, 1)
    model.eval()
    assert not model[0].training and not model[1].training
    np.testing.assert_array_equal(model(x).data, x.data)


def test_containers_and_traversal():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 1)})
    assert len(list(blocks.parameters())) == 6 and len(blocks) == 3
    assert sorted(heads.keys()) == ["a", "b"] and "a" in heads
    with pytest.raises(KeyError, match="ModuleDict has no module 'c'"):
        heads["c"]
    seq = mlp()
    assert [name for name, _ in seq.named_modules()] == ["", "0", "1", "2", "3", "4"]
    assert isinstance(seq[1:3], nn.Sequential) and len(seq[1:3]) == 2
    shared = nn.Linear(2, 2)
    tied = nn.Sequential(shared, shared)
    assert len(list(tied.parameters())) == 2  # shared parameters are listed once


def test_summary_lists_layers_shapes_and_counts():
    text = mlp().summary((1, 6), file=io.StringIO())
    assert "0 (Linear)" in text and "(1, 3)" in text
    assert "Total params: 71" in text  # 6*5+5 + 5*4+4 + 4*3


def test_maxout_module_and_parameters_count():
    layer = nn.Maxout(4, 3, pool_size=2)
    assert layer(gn.zeros(5, 4)).shape == (5, 3)
    assert layer.num_parameters() == 4 * 6 + 6


def test_zero_grad_and_double():
    model = mlp()
    model(gn.ones(2, 6)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.double()
    assert model(gn.tensor(np.ones((2, 6)))).dtype == np.float64


def test_clip_grad_matches_torch():
    model = mlp()
    twin = torch_twin(model)
    x = np.random.default_rng(0).standard_normal((8, 6)).astype(np.float32)
    (model(gn.tensor(x)) ** 2).sum().backward()
    (twin(torch.tensor(x)) ** 2).sum().backward()
    for norm_type in (2.0, 1.0, np.inf):
        ours = nn.utils.clip_grad_norm_(model.parameters(), 0.5, norm_type=norm_type)
        theirs = torch.nn.utils.clip_grad_norm_(twin.parameters(), 0.5, norm_type=norm_type)
        assert ours == pytest.approx(float(theirs), rel=1e-4)
        for p, tp in zip(model.parameters(), twin.parameters()):
            np.testing.assert_allclose(p.grad, tp.grad.detach().numpy(), rtol=1e-4, atol=1e-7)
    nn.utils.clip_grad_value_(model.parameters(), 0.01)
    assert max(np.abs(p.grad).max() for p in model.parameters()) <= 0.01


def test_penalties():
    w = nn.Parameter(np.float32([1.0, -2.0]))
    assert nn.utils.l1_penalty([w], 0.1).item() == pytest.approx(0.3)
    assert nn.utils.l2_penalty([w], 0.1).item() == pytest.approx(0.25)
