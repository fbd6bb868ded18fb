import numpy as np
import pytest

import glassnet as gn
from glassnet.nn import LayerInputError

torch = pytest.importorskip("torch")

CLASSES = ["RNN", "LSTM", "GRU"]


def _pair(kind, *args, **kwargs):
    twin = getattr(torch.nn, kind)(*args, **kwargs)
    module = getattr(gn.nn, kind)(*args, **kwargs)
    module.load_state_dict({k: v.detach().numpy() for k, v in twin.state_dict().items()})
    return module, twin


def _states(kind, shape, rng):
    h = rng.standard_normal(shape).astype(np.float32)
    if kind != "LSTM":
        return (gn.tensor(h, requires_grad=True),), (torch.tensor(h, requires_grad=True),)
    c = rng.standard_normal(shape).astype(np.float32)
    return ((gn.tensor(h, requires_grad=True), gn.tensor(c, requires_grad=True)),
            (torch.tensor(h, requires_grad=True), torch.tensor(c, requires_grad=True)))


def _as_list(state):
    return list(state) if isinstance(state, tuple) else [state]


def _compare(module, twin, out, final, t_out, t_final, rng, leaves):
    """Equal outputs and final states, then equal gradients of a random weighting of both."""
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-4, atol=1e-6)
    for g, t in zip(_as_list(final), _as_list(t_final)):
        np.testing.assert_allclose(g.data, t.detach().numpy(), rtol=1e-4, atol=1e-6)
    loss, t_loss = 0, 0
    for g, t in zip([out, *_as_list(final)], [t_out, *_as_list(t_final)]):
        w = rng.standard_normal(g.shape).astype(np.float32)
        loss, t_loss = loss + (g * w).sum(), t_loss + (t * torch.tensor(w)).sum()
    loss.backward()
    t_loss.backward()
    t_params = dict(twin.named_parameters())
    for name, p in module.named_parameters():
        want = t_params[name].grad.detach().numpy()
        np.testing.assert_allclose(p.grad, want, rtol=1e-4, atol=1e-5 * np.abs(want).max(), err_msg=name)
    for g, t in leaves:
        np.testing.assert_allclose(g.grad, t.grad.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("layers, batch_first, bidirectional", [(1, False, False), (2, True, True),
                                                                 (2, False, False), (1, True, True)])
def test_matches_torch_outputs_final_states_and_all_gradients(kind, layers, batch_first, bidirectional):
    module, twin = _pair(kind, 5, 7, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
    assert [n for n, _ in module.named_parameters()] == [n for n, _ in twin.named_parameters()]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 5) if batch_first else (6, 3, 5)).astype(np.float32)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_state, t_state = _states(kind, ((2 if bidirectional else 1) * layers, 3, 7), rng)
    hx, t_hx = (g_state if kind == "LSTM" else g_state[0]), (t_state if kind == "LSTM" else t_state[0])
    out, final = module(gx, hx)
    t_out, t_final = twin(tx, t_hx)
    leaves = [(gx, tx)] + list(zip(_as_list(hx), _as_list(t_hx)))
    _compare(module, twin, out, final, t_out, t_final, rng, leaves)


@pytest.mark.parametrize("kind", CLASSES)
def test_relu_rnn_and_no_bias_match_torch(kind):
    extra = {"nonlinearity": "relu"} if kind == "RNN" else {}
    module, twin = _pair(kind, 4, 3, bias=False, **extra)
    x = np.random.default_rng(1).standard_normal((5, 2, 4)).astype(np.float32)
    out, final = module(x)
    t_out, t_final = twin(torch.tensor(x))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_behave_like_packed_sequences(kind, bidirectional):
    module, twin = _pair(kind, 4, 5, num_layers=2, batch_first=True, bidirectional=bidirectional)
    rng = np.random.default_rng(2)
    lengths = np.array([6, 2, 4])
    x = rng.standard_normal((3, 6, 4)).astype(np.float32)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, final = module(gx, lengths=lengths)
    packed = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths), batch_first=True,
                                                     enforce_sorted=False)
    t_packed, t_final = twin(packed)
    t_out, _ = torch.nn.utils.rnn.pad_packed_sequence(t_packed, batch_first=True, total_length=6)
    _compare(module, twin, out, final, t_out, t_final, rng, [(gx, tx)])


@pytest.mark.parametrize("kind", CLASSES)
def test_cells_match_torch(kind):
    t_cell = getattr(torch.nn, kind + "Cell")(4, 3)
    cell = getattr(gn.nn, kind + "Cell")(4, 3)
    assert [n for n, _ in cell.named_parameters()] == [n for n, _ in t_cell.named_parameters()]
    cell.load_state_dict({k: v.detach().numpy() for k, v in t_cell.state_dict().items()})
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    g_state, t_state = _states(kind, (2, 3), rng)
    hx, t_hx = (g_state if kind == "LSTM" else g_state[0]), (t_state if kind == "LSTM" else t_state[0])
    out, t_out = cell(x, hx), t_cell(torch.tensor(x), t_hx)
    for g, t in zip(_as_list(out), _as_list(t_out)):
        np.testing.assert_allclose(g.data, t.detach().numpy(), rtol=1e-4, atol=1e-6)
    unbatched = cell(x[0])
    assert _as_list(unbatched)[0].shape == (3,)


def test_init_is_pytorch_uniform_bound():
    lstm = gn.nn.LSTM(3, 16, num_layers=2)
    for name, p in lstm.named_parameters():
        assert np.abs(p.data).max() <= 0.25 and p.data.std() > 0.1, name
        assert p.dtype == np.float32


def test_dropout_between_layers_only_in_training_and_seeded():
    lstm = gn.nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = np.random.default_rng(4).standard_normal((5, 2, 3)).astype(np.float32)
    gn.manual_seed(1)
    a = lstm(x)[0].data
    gn.manual_seed(1)
    b = lstm(x)[0].data
    np.testing.assert_array_equal(a, b)
    lstm.eval()
    c, d = lstm(x)[0].data, lstm(x)[0].data
    np.testing.assert_array_equal(c, d)
    assert not np.allclose(a, c)


def test_thousand_step_backward_without_recursion_error():
    lstm, head = gn.nn.LSTM(2, 8, num_layers=2), gn.nn.Linear(8, 1)
    x = np.random.default_rng(5).standard_normal((1000, 4, 2)).astype(np.float32)
    out, _ = lstm(x)
    head(out).sum().backward()
    assert all(np.isfinite(p.grad).all() for p in lstm.parameters())
    cell = gn.nn.GRUCell(2, 4)
    h = None
    for t in range(1000):
        h = cell(x[t], h)
    h.sum().backward()
    assert np.isfinite(cell.weight_hh.grad).all()


def test_saved_memory_grows_linearly_with_sequence_length():
    def saved_bytes(steps):
        lstm = gn.nn.LSTM(4, 16)
        out, _ = lstm(np.zeros((steps, 8, 4), np.float32))
        node = out._ctx.inputs[0]._ctx  # the fused kernel under the output slice
        return sum(v.nbytes for v in vars(node).values() if isinstance(v, np.ndarray))
    small, large = saved_bytes(100), saved_bytes(1000)
    assert 9 < large / small < 11


@pytest.mark.parametrize("kind", CLASSES)
def test_bad_inputs_name_the_layer_and_shapes(kind):
    model = gn.nn.Sequential(getattr(gn.nn, kind)(4, 3, num_layers=2))
    with pytest.raises(LayerInputError, match=rf"{kind} '0' expects input of shape \(T, B, 4\).*got \(5, 2, 6\)"):
        model(np.zeros((5, 2, 6), np.float32))
    with pytest.raises(LayerInputError, match=r"empty sequence"):
        model(np.zeros((0, 2, 4), np.float32))
    rnn = model[0]
    bad = np.zeros((1, 2, 3), np.float32)
    with pytest.raises(LayerInputError, match=r"expects h_0 of shape \(2, 2, 3\), got \(1, 2, 3\)"):
        rnn(np.zeros((5, 2, 4), np.float32), (bad, bad) if kind == "LSTM" else bad)
    with pytest.raises(LayerInputError, match=r"lengths in \[1, 5\]"):
        rnn(np.zeros((5, 2, 4), np.float32), lengths=[5, 0])
    cell = getattr(gn.nn, kind + "Cell")(4, 3)
    with pytest.raises(LayerInputError, match=r"expects hx of shape \(2, 3\), got \(2, 4\)"):
        state = np.zeros((2, 4), np.float32)
        cell(np.zeros((2, 4), np.float32), (state, state) if kind == "LSTM" else state)


@pytest.mark.parametrize("kind", CLASSES)
def test_unbatched_input_matches_torch(kind):
    module, twin = _pair(kind, 3, 4, num_layers=2)
    x = np.random.default_rng(6).standard_normal((7, 3)).astype(np.float32)
    out, final = module(x)
    t_out, t_final = twin(torch.tensor(x))
    assert out.shape == (7, 4)
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-4, atol=1e-6)
    for g, t in zip(_as_list(final), _as_list(t_final)):
        assert g.shape == (2, 4)
        np.testing.assert_allclose(g.data, t.detach().numpy(), rtol=1e-4, atol=1e-6)
