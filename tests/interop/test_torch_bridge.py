"""to_torch / from_torch round trips, custom modules, and layers without a twin."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.interop import from_torch, load_torch_state_dict, to_torch

torch = pytest.importorskip("torch")
nn, F = gn.nn, gn.nn.functional


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.width = 8
        self.body = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.1), nn.Dropout(0.2), nn.Linear(8, 3))
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.Linear(3, 1)})
        self.scale = nn.Parameter(np.float32([1.5]))

    def forward(self, x):
        h = self.body(x) * self.scale
        return self.heads["a"](h).sum(1, keepdim=True) + self.heads["b"](h)


@pytest.mark.parametrize("build", [
    lambda: nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2, bias=False), nn.Softmax(dim=1)),
    lambda: nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ELU(0.5), nn.Identity(), nn.Softplus(2.0, 10.0),
                          nn.Tanh(), nn.Sigmoid(), nn.Linear(3, 3), nn.LogSoftmax(-1)),
    Custom,
])
def test_round_trip_gives_identical_state_dicts_and_outputs(build):
    model = build().eval()
    twin = to_torch(model)
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    with gn.no_grad():
        ours = model(gn.tensor(x)).data
    np.testing.assert_allclose(twin(torch.tensor(x)).detach().numpy(), ours, rtol=1e-5, atol=1e-6)
    back = from_torch(twin)
    assert list(back.state_dict()) == list(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value)
    np.testing.assert_array_equal(back(gn.tensor(x)).data, ours)
    assert not twin.training and not back.training


def test_from_torch_of_a_model_built_in_pytorch():
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    model = from_torch(twin)
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(model(gn.tensor(x)).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-5)


def test_layers_without_a_twin_are_named():
    with pytest.raises(TypeError, match=r"to_torch: layer 'model.1' \(Step\) has no PyTorch twin"):
        to_torch(nn.Sequential(nn.Linear(2, 2), nn.Step()))
    with pytest.raises(TypeError, match=r"from_torch: layer 'model.0' \(Bilinear\) has no glassnet twin"):
        from_torch(torch.nn.Sequential(torch.nn.Bilinear(2, 2, 2)))


def test_trained_in_torch_continues_in_glassnet():
    twin = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    X = torch.rand(64, 2)
    y = X.sum(1, keepdim=True)
    for _ in range(50):
        opt.zero_grad()
        torch.nn.functional.mse_loss(twin(X), y).backward()
        opt.step()
    model = from_torch(twin)
    loss = gn.nn.functional.mse_loss(model(gn.tensor(X.detach().numpy())), y.detach().numpy())
    assert loss.item() == pytest.approx(torch.nn.functional.mse_loss(twin(X), y).item(), rel=1e-5)


def test_load_torch_state_dict_from_dict_safetensors_and_weights_only_files(tmp_path):
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    load_torch_state_dict(model, twin.state_dict())
    np.testing.assert_array_equal(model[0].weight.data, twin[0].weight.detach().numpy())
    from safetensors.torch import save_file
    save_file(twin.state_dict(), tmp_path / "w.safetensors")
    gn.load_torch_state_dict(model, tmp_path / "w.safetensors")
    torch.save(twin.state_dict(), tmp_path / "w.pt")
    gn.load_torch_state_dict(model, str(tmp_path / "w.pt"))
    torch.save({"model": twin, "note": object()}, tmp_path / "pickled.pt")  # needs unpickling code
    with pytest.raises(ValueError, match="refused.*not a weights-only PyTorch file"):
        gn.load_torch_state_dict(model, tmp_path / "pickled.pt")
    (tmp_path / "bad.safetensors").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a valid safetensors file"):
        gn.load_torch_state_dict(model, tmp_path / "bad.safetensors")
    with pytest.raises(FileNotFoundError, match="no such file"):
        gn.load_torch_state_dict(model, tmp_path / "missing.pt")


def test_model_card_describes_architecture_history_and_metrics(tmp_path):
    from glassnet.train import History
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    history = History()
    for epoch, (loss, val) in enumerate([(1.0, 1.1), (0.5, 0.7), (0.3, 0.8)]):
        history.append(epoch, {"loss": loss, "val_loss": val})
    card = gn.io.model_card(model, history, data="XOR points, 1,000 samples", metrics={"accuracy": 0.97},
                            input_size=(1, 4), path=tmp_path / "card.md")
    assert "58 parameters" in card and "XOR points" in card and "| accuracy | 0.97 |" in card
    assert "| val_loss | 1.1 | 0.8 | 0.7 |" in card and "(1, 2)" in card
    assert (tmp_path / "card.md").read_text() == card


class GlassnetFunctions(nn.Module):
    """A forward written with glassnet's functions (F.relu, gn.cat, ...), not only tensor methods."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 3), nn.Linear(6, 2)

    def forward(self, x):
        h = F.relu(self.a(x))
        return F.log_softmax(self.b(gn.cat([h, F.sigmoid(h)], dim=-1)), dim=-1)


def test_a_forward_calling_glassnet_functions_runs_on_their_torch_twins():
    model = GlassnetFunctions()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    twin = to_torch(model)
    np.testing.assert_allclose(twin(torch.tensor(x)).detach().numpy(), model(x).data, rtol=1e-5, atol=1e-6)
    back = from_torch(twin)  # the original class again, its forward on glassnet's functions
    assert type(back) is GlassnetFunctions
    np.testing.assert_array_equal(back(x).data, model(x).data)


def test_converted_models_keep_their_helper_methods():
    from glassnet import models
    vae = models.VAE(8, (4,), 2).eval()
    x = np.random.default_rng(0).random((3, 8), np.float32)
    mu, _ = to_torch(vae).encode(torch.tensor(x))
    np.testing.assert_allclose(mu.detach().numpy(), vae.encode(x)[0].data, rtol=1e-5, atol=1e-6)
