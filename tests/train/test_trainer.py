import json
import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.data import DataLoader, TensorDataset
from glassnet.train import (
    Callback, CSVLogger, EarlyStopping, History, LRSchedulerCallback, ModelCheckpoint, TerminateOnNaN, Trainer,
)


def adam(net, lr=0.02):
    return gn.optim.Adam(net.parameters(), lr=lr)


def test_fit_learns_and_records_history(circle, seeded, make_net):
    train, val = circle
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), metrics=["accuracy", "auc"], verbose=0)
    history = trainer.fit(train, val, epochs=15)
    assert len(history) == 15 and history["val_accuracy"][-1] > 0.9
    assert history["loss"][-1] < history["loss"][0]
    assert set(history.history) == {"loss", "accuracy", "auc", "val_loss", "val_accuracy", "val_auc", "lr", "time"}
    result = trainer.evaluate(val)
    assert result["loss"] == pytest.approx(history["val_loss"][-1])
    assert trainer.predict(val[0]).shape == (120, 2) and net.training


def test_validation_fraction_holds_out_the_last_rows(circle, seeded, make_net):
    (X, y), _ = circle
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0)
    history = trainer.fit((X, y), val=0.25, epochs=1)
    assert history["val_loss"][0] == pytest.approx(trainer.evaluate((X[-60:], y[-60:]))["loss"])
    with pytest.raises(ValueError, match="validation fraction"):
        trainer.fit(TensorDataset(X, y), val=0.25)


def test_one_step_matches_the_manual_loop(seeded, make_net):
    """The Trainer adds nothing to the lectures' step: same weights as a hand-written loop."""
    X = np.random.default_rng(1).standard_normal((8, 2)).astype(np.float32)
    y = np.arange(8) % 2
    gn.manual_seed(3)
    a = make_net()
    gn.manual_seed(3)
    b = make_net()
    Trainer(a, nn.CrossEntropyLoss(), gn.optim.SGD(a.parameters(), lr=0.1), batch_size=8,
            clip_grad_norm=0.05, verbose=0).fit((X, y), epochs=1, shuffle=False)
    opt = gn.optim.SGD(b.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()(b(X), y)
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(list(b.parameters()), 0.05)
    opt.step()
    assert norm > 0.05  # the clipping really acted
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_penalty_is_added_to_the_loss(circle, seeded, make_net):
    train, _ = circle
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0,
                      penalty=lambda m: nn.utils.l2_penalty(m.parameters(), 100.0))
    plain_loss = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0).evaluate(train)["loss"]
    history = trainer.fit(train, epochs=1)
    assert history["loss"][0] > plain_loss + 1.0  # λ·Ω(θ) dominates with λ = 100


class Spy(Callback):
    def __init__(self):
        self.val_losses = []

    def on_epoch_end(self, trainer, epoch, logs):
        self.val_losses.append(logs["val_loss"])


def test_early_stopping_within_patience_restores_best(circle, seeded, make_net):
    train, val = circle
    net = make_net(hidden=64)
    stopper, spy = EarlyStopping(patience=3), Spy()
    # a large learning rate makes the validation loss wander, so it stops well before 200 epochs
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net, lr=0.2), callbacks=[stopper, spy], verbose=0)
    history = trainer.fit(train, val, epochs=200)
    best = int(np.argmin(spy.val_losses))
    assert stopper.stopped_epoch == best + 3 == len(history) - 1
    assert "early stopping at epoch" in history.stop_reason
    assert trainer.evaluate(val)["loss"] == pytest.approx(min(spy.val_losses), rel=1e-6)


def test_early_stopping_needs_its_monitor(circle, seeded, make_net):
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), callbacks=[EarlyStopping()], verbose=0)
    with pytest.raises(KeyError, match="monitors 'val_loss'.*pass val="):
        trainer.fit(circle[0], epochs=2)


def test_terminate_on_nan_names_epoch_and_batch(circle, seeded, make_net):
    train, _ = circle
    net = make_net()
    trainer = Trainer(net, nn.MSELoss(), gn.optim.SGD(net.parameters(), lr=1e4), callbacks=[TerminateOnNaN()],
                      verbose=0, batch_size=16)
    y = np.eye(2, dtype=np.float32)[train[1]] * 1e3
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match=r"loss became (nan|inf) at epoch \d+, batch \d+"):
        history = trainer.fit((train[0], y), epochs=50)
    assert trainer.stop_training and "batch" in history.stop_reason and len(history) < 50


def test_csv_logger_and_history_json(circle, seeded, tmp_path, make_net):
    train, val = circle
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), metrics=["acc"],
                      callbacks=[CSVLogger(tmp_path / "log.csv")], verbose=0)
    history = trainer.fit(train, val, epochs=3)
    rows = (tmp_path / "log.csv").read_text().splitlines()
    assert rows[0].split(",") == ["epoch"] + sorted(history.history) and len(rows) == 4
    assert float(rows[3].split(",")[rows[0].split(",").index("val_loss")]) == history["val_loss"][2]
    history.save(tmp_path / "h.json")
    again = History.load(tmp_path / "h.json")
    assert again.to_dict() == json.loads(history.to_json())
    figure = history.plot(tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 10_000 and figure.endswith("h.png")


def test_lr_scheduler_callback(circle, seeded, make_net):
    net = make_net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    scheduler = gn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    history = Trainer(net, nn.CrossEntropyLoss(), opt, callbacks=[LRSchedulerCallback(scheduler)],
                      verbose=0).fit(circle[0], epochs=5)
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_plateau_scheduler_gets_the_monitored_value(circle, seeded, make_net):
    net = make_net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    plateau = gn.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0, factor=0.5)
    trainer = Trainer(net, nn.CrossEntropyLoss(), opt, metrics=["accuracy"],
                      callbacks=[LRSchedulerCallback(plateau, monitor="accuracy")], verbose=0)
    history = trainer.fit(circle[0], epochs=1)
    assert plateau.best == history["accuracy"][0]


def test_dropout_is_off_in_evaluate(circle, seeded):
    net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Dropout(0.5), nn.GaussianNoise(1.0), nn.Linear(32, 2))
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0)
    assert trainer.evaluate(circle[1]) == trainer.evaluate(circle[1]) and net.training
    net.train()
    out = net(circle[1][0]).data
    assert not np.array_equal(out, net(circle[1][0]).data)


def test_model_checkpoint_formats_the_epoch(circle, seeded, tmp_path, make_net):
    net = make_net()
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0,
                      callbacks=[ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.safetensors"))])
    history = trainer.fit(circle[0], epochs=2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"ckpt-{e + 1:02d}-{history['loss'][e]:.2f}.safetensors" for e in range(2)]


def test_model_checkpoint_best_only_loads_as_model(circle, seeded, tmp_path, make_net):
    train, val = circle
    net = make_net()
    checkpoint = ModelCheckpoint(tmp_path / "best.safetensors", save_best_only=True)
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), callbacks=[checkpoint], verbose=0)
    history = trainer.fit(train, val, epochs=6)
    best = gn.load(tmp_path / "best.safetensors")
    assert Trainer(best, nn.CrossEntropyLoss(), adam(best), verbose=0).evaluate(val)["loss"] == pytest.approx(
        min(history["val_loss"]), rel=1e-6)


def test_progress_bar_silenced_by_verbose_0(circle, seeded, capsys, make_net):
    net = make_net()
    Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0).fit(circle[0], epochs=2)
    assert capsys.readouterr().err == ""
    Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=1).fit(circle[0], epochs=2)
    assert "epochs" in capsys.readouterr().err


def test_dataloader_and_bad_data(seeded, make_net):
    net = make_net()
    X, y = np.zeros((10, 2), np.float64), np.zeros(10, np.int64)  # float64 is cast to the model's dtype
    trainer = Trainer(net, nn.CrossEntropyLoss(), adam(net), verbose=0)
    trainer.fit(DataLoader(TensorDataset(X.astype(np.float32), y), batch_size=4), epochs=1)
    trainer.fit((X, y), epochs=1)
    with pytest.raises(TypeError, match="DataLoader, a Dataset or a tuple"):
        trainer.fit(X, epochs=1)
    assert not math.isnan(trainer.history["loss"][0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.predict(X)


def test_early_stopping_counts_a_nan_metric_as_not_improved():
    net = nn.Linear(2, 1)
    X, y = np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)
    nan_loss = lambda output, target: ((output - target) ** 2).mean() * float("nan")  # noqa: E731
    stopper = EarlyStopping(patience=3)
    trainer = Trainer(net, nan_loss, gn.optim.SGD(net.parameters(), lr=0.1), callbacks=[stopper], verbose=0)
    history = trainer.fit((X, y), (X, y), epochs=10)
    assert len(history) == 3 and stopper.best_epoch is None
    assert history.stop_reason == ("early stopping at epoch 3: val_loss has not improved for 3 epochs since "
                                   "training began (it is nan)")
