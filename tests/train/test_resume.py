"""Kill a run between epochs, resume from its checkpoint: the same weights, bit for bit."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.data import DataLoader, TensorDataset
from glassnet.io import FileFormatError
from glassnet.train import Callback, EarlyStopping, LRSchedulerCallback, ModelCheckpoint, Trainer


class Killed(Exception):
    pass


class KillAt(Callback):
    def __init__(self, epoch=None):
        self.epoch = epoch

    def on_epoch_end(self, trainer, epoch, logs):
        if epoch == self.epoch:
            raise Killed


def run(path, epochs, kill_at=None, resume=False, loader_seed=None, seed=0):
    gn.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Dropout(0.3),
                        nn.Linear(16, 16), nn.GaussianNoise(0.1), nn.ReLU(), nn.Linear(16, 2))
    opt = gn.optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-3)
    scheduler = gn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.7)
    callbacks = [KillAt(kill_at), LRSchedulerCallback(scheduler), EarlyStopping(patience=50),
                 ModelCheckpoint(path)]
    trainer = Trainer(net, nn.CrossEntropyLoss(), opt, callbacks=callbacks, verbose=0)
    X, y = gn.data.make_spiral(200, noise=0.1, rng=3)
    train = (X, y) if loader_seed is None else DataLoader(TensorDataset(X, y), 16, shuffle=True, rng=loader_seed)
    val = gn.data.make_spiral(100, noise=0.1, rng=4)
    history = trainer.fit(train, val, epochs=epochs, resume_from=path if resume else None)
    return net, history


@pytest.mark.parametrize("loader_seed", [None, 7])
def test_kill_and_resume_equals_uninterrupted(tmp_path, loader_seed):
    net_a, history_a = run(tmp_path / "a.safetensors", epochs=6, loader_seed=loader_seed)
    with pytest.raises(Killed):
        run(tmp_path / "b.safetensors", epochs=6, kill_at=3, loader_seed=loader_seed)
    net_b, history_b = run(tmp_path / "b.safetensors", epochs=6, resume=True, loader_seed=loader_seed, seed=99)
    for (name, a), b in zip(net_a.state_dict().items(), net_b.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert history_a["loss"] == history_b["loss"] and history_a["lr"] == history_b["lr"]
    assert history_a["val_loss"] == history_b["val_loss"]


def test_resume_into_a_different_architecture_is_refused(tmp_path, make_net):
    run(tmp_path / "c.safetensors", epochs=1)
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), gn.optim.Adam(net.parameters()), verbose=0)
    with pytest.raises(FileFormatError, match="different architecture"):
        trainer.fit(gn.data.make_spiral(20, rng=0), epochs=2, resume_from=tmp_path / "c.safetensors")


def test_resume_from_truncated_checkpoint_is_refused(tmp_path):
    path = tmp_path / "d.safetensors"
    run(path, epochs=1)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(FileFormatError, match="truncated|corrupted"):
        run(path, epochs=2, resume=True)
