import json
import pickle
import struct

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.io import FileFormatError, load, load_checkpoint, save_checkpoint


def trained(seed=0):
    gn.manual_seed(seed)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = gn.optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.9))
    scheduler = gn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    x, y = np.ones((5, 3), np.float32), np.array([0, 1, 0, 1, 1])
    for _ in range(3):
        opt.zero_grad()
        nn.CrossEntropyLoss()(net(x), y).backward()
        opt.step()
        scheduler.step()
    return net, opt, scheduler


def test_round_trip_restores_everything(tmp_path):
    net, opt, scheduler = trained()
    save_checkpoint(tmp_path / "c", net, opt, scheduler, epoch=3, history={"loss": [1.0, 0.5]},
                    extra={"note": "hi", "steps": np.int64(7)})
    after_save = gn.autograd.get_rng().standard_normal(3)
    net2, opt2, scheduler2 = trained(seed=1)
    info = load_checkpoint(tmp_path / "c", net2, opt2, scheduler2)
    np.testing.assert_array_equal(gn.autograd.get_rng().standard_normal(3), after_save)
    for a, b in zip(net.parameters(), net2.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    for p, p2 in zip(net.parameters(), net2.parameters()):
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(opt.state[p][key], opt2.state[p2][key])
        assert opt2.state[p2]["step"] == 3
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"] and tuple(opt2.param_groups[0]["betas"]) == (0.8, 0.9)
    assert scheduler2.last_epoch == scheduler.last_epoch
    assert info["epoch"] == 3 and info["history"] == {"loss": [1.0, 0.5]}
    assert info["extra"]["steps"] == 7 and isinstance(info["extra"]["steps"], np.int64)
    assert isinstance(load(tmp_path / "c"), nn.Sequential)  # gn.load reads a checkpoint's model too


def test_checkpoint_refusals(tmp_path):
    net, opt, _ = trained()
    path = tmp_path / "c"
    save_checkpoint(path, net, opt, epoch=1)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    state = json.loads(header["__metadata__"]["state"])
    state["__dict__"][0][1] = {"__tensor__": "state.nowhere"}
    header["__metadata__"]["state"] = json.dumps(state)
    body = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(body)) + body + raw[8 + n:])
    with pytest.raises(FileFormatError, match=r"state\[.optimizer.\]: names the tensor .state.nowhere."):
        load_checkpoint(path, net, opt)
    path.write_bytes(pickle.dumps({"model": net.state_dict()}))
    with pytest.raises(FileFormatError, match="pickle"):
        load_checkpoint(path, net, opt)
    gn.save(net, path)
    with pytest.raises(FileFormatError, match="'glassnet.model/1' file, expected 'glassnet.checkpoint/1'"):
        load_checkpoint(path, net, opt)


def test_optimizer_mismatch_leaves_model_unchanged(tmp_path):
    net, opt, _ = trained()
    save_checkpoint(tmp_path / "c", net, opt, epoch=1)
    other, _, _ = trained(seed=2)
    before = {k: v.clone() for k, v in other.state_dict().items()}
    two_groups = gn.optim.Adam([{"params": [other[0].weight]}, {"params": [other[0].bias, other[2].weight,
                                                                              other[2].bias]}])
    with pytest.raises(FileFormatError, match="optimizer / scheduler state does not fit"):
        load_checkpoint(tmp_path / "c", other, two_groups)
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
