import json
import os
import pickle
import struct

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.io import ConfigError, FileFormatError, load, module_config, register_module, save


def small_net():
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Dropout(0.2), nn.LeakyReLU(0.1),
                         nn.Maxout(8, 4, pool_size=3), nn.Linear(4, 2, bias=False))


def test_round_trip_rebuilds_without_user_code(tmp_path):
    gn.manual_seed(0)
    net = small_net().eval()
    save(net, tmp_path / "m.safetensors", metadata={"classes": [0, 1]})
    loaded, meta = load(tmp_path / "m.safetensors", with_metadata=True)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_array_equal(net(x).data, loaded.eval()(x).data)
    assert repr(loaded) == repr(net) and meta == {"classes": [0, 1]}
    assert loaded[5].bias is None and loaded[2].p == 0.2


def test_file_opens_with_safetensors_library(tmp_path):
    safetensors = pytest.importorskip("safetensors")
    net = small_net()
    save(net, tmp_path / "m.safetensors")
    with safetensors.safe_open(tmp_path / "m.safetensors", framework="np") as f:
        assert set(f.keys()) == set(net.state_dict())
        np.testing.assert_array_equal(f.get_tensor("0.weight"), net[0].weight.data)
        architecture = json.loads(f.metadata()["architecture"])
    assert architecture["class"] == "glassnet.nn.Sequential"
    assert architecture["children"]["0"] == {"class": "glassnet.nn.Linear", "config": {
        "in_features": 3, "out_features": 8, "bias": True, "dtype": "float32"}}


def test_load_into_given_model_and_float64(tmp_path):
    net = nn.Sequential(nn.Linear(2, 2, dtype=np.float64))
    save(net, tmp_path / "m")
    assert load(tmp_path / "m")[0].weight.dtype == np.float64
    target = nn.Sequential(nn.Linear(2, 2, dtype=np.float64))
    load(tmp_path / "m", model=target)
    np.testing.assert_array_equal(target[0].weight.data, net[0].weight.data)


class Scaled(nn.Module):
    """A user's layer: opts in with register_module; a tuple argument comes back as a tuple."""

    def __init__(self, shape=(2,), factor=1.0):
        super().__init__()
        self.shape, self.factor = shape, factor
        self.weight = nn.Parameter(np.ones(shape, dtype=np.float32))

    def forward(self, x):
        return x * self.weight * self.factor


def test_user_layer_must_register(tmp_path):
    with pytest.raises(ConfigError, match="register_module\\(Scaled\\)"):
        save(nn.Sequential(Scaled()), tmp_path / "m")
    assert not os.path.exists(tmp_path / "m")
    register_module(Scaled, name="tests.Scaled")
    save(nn.Sequential(Scaled((2,), 3.0)), tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert loaded[0].shape == (2,) and loaded[0].factor == 3.0


def test_layer_with_unstored_argument_is_saved_by_its_structure(tmp_path):
    class Opaque(nn.Module):
        def __init__(self, size):
            super().__init__()
            self.weight = nn.Parameter(np.arange(size, dtype=np.float32))
            self.scale, self.inner = 2.5, nn.Linear(size, 1)
            self.register_parameter("shift", None)

        def forward(self, x):
            return self.inner(x * self.weight * self.scale)

    register_module(Opaque, name="tests.Opaque")
    assert "structure" in module_config(Opaque(3)) and "config" not in module_config(Opaque(3))
    model = Opaque(3)
    save(model, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert type(loaded) is Opaque and loaded.scale == 2.5 and loaded.shift is None
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(np.asarray(loaded(x).detach().numpy()), np.asarray(model(x).detach().numpy()))


def write_raw_safetensors(path, header: dict, payload: bytes = b""):
    body = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(body)) + body + payload)


class Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("kind", ["truncated", "flipped", "pickle", "zip", "empty", "foreign",
                                  "os_system_class", "bad_weights"])
def test_bad_files_refused_without_running_code(tmp_path, kind, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.safetensors"
    save(small_net(), path)
    raw = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(raw[: len(raw) - 20])
    elif kind == "flipped":
        (n,) = struct.unpack("<Q", raw[:8])
        path.write_bytes(raw[:8] + raw[8:8 + n].replace(b'"shape"', b'"shapf"') + raw[8 + n:])
    elif kind == "pickle":
        path.write_bytes(pickle.dumps(Boom()))
    elif kind == "zip":
        path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign":
        write_raw_safetensors(path, {"__metadata__": {"format": "pt"}})
    elif kind == "os_system_class":
        arch = {"class": "os.system", "config": {"command": "touch pwned"}}
        write_raw_safetensors(path, {"__metadata__": {"glassnet.format": '"glassnet.model/1"',
                                                      "architecture": json.dumps(arch)}})
    elif kind == "bad_weights":
        net = nn.Sequential(nn.Linear(3, 9))
        save(net, path)
        (n,) = struct.unpack("<Q", path.read_bytes()[:8])
        header = json.loads(path.read_bytes()[8:8 + n])
        header["__metadata__"]["architecture"] = json.dumps(module_config(nn.Sequential(nn.Linear(3, 8))))
        write_raw_safetensors(path, header, path.read_bytes()[8 + n:])
    with pytest.raises(FileFormatError) as info:
        load(path)
    assert str(path) in str(info.value)
    assert not (tmp_path / "pwned").exists()
    if kind == "pickle":
        assert "pickle" in str(info.value)
    if kind == "bad_weights":
        assert "do not fit" in str(info.value)


def test_different_architecture_refused(tmp_path):
    save(nn.Sequential(nn.Linear(3, 8), nn.ReLU()), tmp_path / "m")
    with pytest.raises(FileFormatError, match="different architecture .*model.1.*ReLU.*Tanh"):
        load(tmp_path / "m", model=nn.Sequential(nn.Linear(3, 8), nn.Tanh()))
    with pytest.raises(FileFormatError, match="out_features"):
        load(tmp_path / "m", model=nn.Sequential(nn.Linear(3, 7), nn.ReLU()))


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "m"
    save(nn.Sequential(nn.Linear(2, 2)), path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save({"not data": {1, 2}}, path)
    with pytest.raises(ConfigError):
        save(nn.Sequential(nn.Linear(2, 2), type("Local", (nn.Module,), {})()), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m"]


def test_top_level_names():
    assert gn.save is save and gn.load is load


class Table(nn.Module):
    """PyTorch-style private init argument (Embedding's _weight): not part of the architecture."""

    def __init__(self, num, dim, _weight=None):
        super().__init__()
        self.num, self.dim = num, dim
        self.weight = nn.Parameter(np.zeros((num, dim), np.float32) if _weight is None else _weight)


def test_private_arguments_are_left_out():
    register_module(Table, name="tests.Table")
    assert module_config(Table(3, 2, _weight=np.ones((3, 2), np.float32)))["config"] == {"num": 3, "dim": 2}
