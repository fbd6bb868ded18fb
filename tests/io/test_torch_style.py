"""``gn.save`` / ``gn.load`` as PyTorch's: the saving code of the tutorials, without pickle."""
import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import glassnet as torch  # the tutorials' spelling
from glassnet import models, nn
from glassnet.io import FileFormatError


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def trained_step(model, optimizer):
    loss = nn.CrossEntropyLoss()(model(torch.ones(5, 4)), np.array([0, 1, 2, 1, 0]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def same_weights(a, b):
    return all(np.array_equal(np.asarray(x.detach().numpy() if hasattr(x, "numpy") else x),
                              np.asarray(y.detach().numpy() if hasattr(y, "numpy") else y))
               for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_state_dict_round_trip_as_in_the_tutorial(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    torch.save(model.state_dict(), tmp_path / "model.pt")
    state = torch.load(tmp_path / "model.pt", weights_only=True)
    assert isinstance(state, OrderedDict) and list(state) == list(model.state_dict())
    fresh = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    fresh.load_state_dict(torch.load(str(tmp_path / "model.pt")))
    assert same_weights(model, fresh)


def test_the_general_checkpoint_resumes_model_and_optimizer(tmp_path):
    path = tmp_path / "checkpoint.tar"
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss = trained_step(model, optimizer)
    torch.save({"epoch": 5, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict(),
                "loss": loss}, path)
    checkpoint = torch.load(path, weights_only=True)
    resumed = Net()
    resumed_optimizer = torch.optim.Adam(resumed.parameters(), lr=0.5)
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 5 and isinstance(checkpoint["loss"], torch.Tensor)
    assert float(checkpoint["loss"].item()) == pytest.approx(float(loss.item()))
    assert resumed_optimizer.param_groups[0]["lr"] == 0.01
    assert isinstance(resumed_optimizer.param_groups[0]["betas"], tuple)
    trained_step(model, optimizer)
    trained_step(resumed, resumed_optimizer)
    assert same_weights(model, resumed)  # the next step is the same: the optimizer state came back whole


def test_a_whole_module_and_file_objects(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, map_location="cpu")
    assert isinstance(loaded[1], nn.Tanh) and same_weights(model, loaded)
    with open(tmp_path / "m.pt", "wb") as f:
        torch.save(model, f)
    with open(tmp_path / "m.pt", "rb") as f:
        assert same_weights(torch.load(f), model)


def test_a_users_own_module_is_saved_once_registered(tmp_path):
    from glassnet.io import ConfigError, register_module

    class Mine(Net):
        pass

    with pytest.raises(ConfigError, match="register_module"):
        torch.save(Mine(), tmp_path / "m.pt")
    register_module(Mine)
    model = Mine()
    torch.save(model, tmp_path / "m.pt")
    loaded = torch.load(tmp_path / "m.pt")
    assert type(loaded) is Mine and same_weights(model, loaded)


def test_containers_numbers_strings_and_arrays_come_back_as_they_were(tmp_path):
    parameter = nn.Parameter(np.arange(3, dtype=np.float32))
    obj = {"int keys": {0: "zero", 1: None}, "tuple": (1, 2.5, True), "list": [torch.ones(2, 3), "text"],
           "array": np.arange(4), "scalar": np.float64(2.5), "parameter": parameter,
           "grad tensor": torch.tensor([1.0, 2.0], requires_grad=True), "nested": OrderedDict(a=[{"b": None}]),
           "module": nn.Sequential(nn.Linear(2, 2))}
    torch.save(obj, tmp_path / "o.pt")
    back = torch.load(tmp_path / "o.pt")
    assert back["int keys"] == {0: "zero", 1: None} and back["tuple"] == (1, 2.5, True)
    assert isinstance(back["list"][0], torch.Tensor) and back["list"][0].shape == (2, 3) and back["list"][1] == "text"
    assert type(back["array"]) is np.ndarray and back["array"].dtype == np.int64
    assert type(back["scalar"]) is np.float64 and back["scalar"] == 2.5
    assert isinstance(back["parameter"], nn.Parameter) and back["parameter"].requires_grad
    assert back["grad tensor"].requires_grad and type(back["nested"]) is OrderedDict
    assert isinstance(back["module"], nn.Sequential) and same_weights(back["module"], obj["module"])


@pytest.mark.parametrize("location", [None, "cpu", "cpu:0", {"cuda:0": "cpu"}, lambda storage, loc: storage])
def test_map_location_for_the_cpu(tmp_path, location):
    torch.save({"w": torch.ones(2)}, tmp_path / "o.pt")
    assert torch.load(tmp_path / "o.pt", map_location=location)["w"].shape == (2,)


@pytest.mark.parametrize("location", ["cuda", "cuda:0", "mps", {"cpu": "cuda:1"}])
def test_a_gpu_is_a_clear_error(tmp_path, location):
    torch.save({"w": torch.ones(2)}, tmp_path / "o.pt")
    with pytest.raises(RuntimeError, match="CPU only"):
        torch.load(tmp_path / "o.pt", map_location=location)


def test_what_is_not_data_is_refused_on_saving_and_pickles_on_loading(tmp_path):
    for obj, words in [({"f": print}, "builtin_function_or_method"), ({"s": {1, 2}}, "set"),
                       ({(1, 2): 3}, "dict key of type tuple"), ({"t": np.array(["a"])}, "dtype <U1")]:
        with pytest.raises(TypeError, match=words):
            torch.save(obj, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()
    (tmp_path / "p.pt").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(FileFormatError, match="pickle"):
        torch.load(tmp_path / "p.pt", weights_only=False)
    with pytest.raises(ValueError, match="never"):
        torch.load(tmp_path / "p.pt", pickle_module=pickle)


def test_a_cycle_is_refused_not_a_recursion_error(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested more than"):
        torch.save(loop, tmp_path / "x.pt")


WHOLE_MODELS = {
    "LeNet5": lambda: models.LeNet5(),
    "SmallVGG": lambda: models.SmallVGG(),
    "EventMPNN": lambda: models.EventMPNN(),
    "CharRNN": lambda: models.CharRNN(20),
    "VAE": lambda: models.VAE(10),
    "RBM": lambda: models.RBM(6, 4),
    "GAN": lambda: models.GAN(nn.Sequential(nn.Linear(2, 4)), nn.Sequential(nn.Linear(4, 1)), 2),
    "TransformerSeq2Seq": lambda: models.TransformerSeq2Seq(10, 12),
    "Transformer": lambda: nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                          dim_feedforward=32, activation="gelu"),
    "PositionalEncoding": lambda: nn.PositionalEncoding(16, max_len=50),
}


@pytest.mark.parametrize("name", WHOLE_MODELS)
def test_every_glassnet_model_saves_whole(tmp_path, name):
    model = WHOLE_MODELS[name]()
    torch.save(model, tmp_path / "m.pt")
    loaded = torch.load(tmp_path / "m.pt")
    assert type(loaded) is type(model) and same_weights(model, loaded)
    assert list(loaded.state_dict()) == list(model.state_dict())


def test_a_model_saved_whole_computes_the_same(tmp_path):
    lenet = models.LeNet5(activation="tanh", pooling="avg")
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, activation="gelu"), 2)
    for model, x in ((lenet, torch.randn(2, 1, 28, 28)), (encoder, torch.randn(5, 2, 16))):
        torch.save(model, tmp_path / "m.pt")
        loaded = torch.load(tmp_path / "m.pt").eval()
        np.testing.assert_allclose(np.asarray(loaded(x).detach().numpy()), np.asarray(model.eval()(x).detach().numpy()), rtol=1e-6)
