"""Callbacks: hooks that ``Trainer.fit`` calls around epochs and batches (Keras' names and arguments).

A callback overrides any of ``on_train_begin(trainer)``, ``on_epoch_begin(trainer, epoch)``,
``on_batch_end(trainer, batch, loss)``, ``on_epoch_end(trainer, epoch, logs)``, ``on_train_end(trainer)``;
``state_dict`` / ``load_state_dict`` carry its state through checkpoints. Epochs count from 0; callbacks
run in ``order`` (ModelCheckpoint last, so it saves everything the others changed).
"""
from __future__ import annotations

import csv
import io
import math

from ..io.safefile import atomic_write
from ..optim.lr_scheduler import ReduceLROnPlateau


class Callback:
    order = 0

    def on_train_begin(self, trainer) -> None:
        pass

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        pass

    def on_batch_end(self, trainer, batch: int, loss: float) -> None:
        pass

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def _monitored(logs: dict, monitor: str, who: str) -> float:
    if monitor not in logs:
        hint = " (pass val= to fit)" if monitor.startswith("val_") else ""
        raise KeyError(f"{who} monitors {monitor!r}, but the epoch logs have {sorted(logs)}{hint}")
    return float(logs[monitor])


def _mode(mode: str, monitor: str) -> str:
    if mode == "auto":
        return "max" if any(m in monitor for m in ("acc", "auc", "f1", "precision", "recall", "r2")) else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    return mode


class _Monitor(Callback):
    """Tracks the best value of a logged quantity: improvement is beating the best by ``min_delta``."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0):
        self.monitor, self.mode, self.min_delta = monitor, _mode(mode, monitor), abs(min_delta)
        self.reset()

    def reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(_Monitor):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; with ``restore_best`` put back
    the weights of the best epoch when training ends (the lectures' early stopping). A NaN value
    never improves, and the reason for stopping says when it was NaN."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 restore_best: bool = True, mode: str = "auto"):
        super().__init__(monitor, mode, min_delta)
        self.patience, self.restore_best = patience, restore_best

    def reset(self) -> None:
        super().reset()
        self.wait, self.best_epoch, self.stopped_epoch, self.best_weights = 0, None, None, None

    def on_train_begin(self, trainer):
        if trainer.epoch == 0:  # a new run (a resumed one keeps the state from its checkpoint)
            self.reset()

    def on_epoch_end(self, trainer, epoch, logs):
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_weights = {k: v.clone() for k, v in trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            since = (f"since its best {self.best:.6g} at epoch {self.best_epoch + 1}" if self.best_epoch is not None
                     else "since training began")
            nan = f" (it is {value})" if math.isnan(value) else ""
            trainer.stop(f"early stopping at epoch {epoch + 1}: {self.monitor} has not improved for "
                         f"{self.patience} epochs {since}{nan}", warn=False)

    def on_train_end(self, trainer):
        if self.restore_best and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state):
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]
        self.stopped_epoch, self.best_weights = state["stopped_epoch"], state["best_weights"]


class ModelCheckpoint(_Monitor):
    """Save a full training checkpoint (model, optimizer, callbacks, random state, history) after each
    epoch, or only when ``monitor`` improves with ``save_best_only``. ``path`` may hold ``{epoch}``
    and log names (``"ckpt-{epoch:03d}-{val_loss:.3f}.safetensors"``). The file resumes a run
    (``fit(resume_from=path)``) and ``gn.load(path)`` returns its model."""

    order = 100

    def __init__(self, path, monitor: str = "val_loss", save_best_only: bool = False, mode: str = "auto"):
        super().__init__(monitor, mode)
        self.path, self.save_best_only = str(path), save_best_only
        self.last_saved: str | None = None

    def on_epoch_end(self, trainer, epoch, logs):
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not self._improved(value):
                return
            self.best = value
        self.last_saved = self.path.format(epoch=epoch + 1, **logs)
        trainer.save_checkpoint(self.last_saved)

    def state_dict(self):
        return {"best": self.best}

    def load_state_dict(self, state):
        self.best = state["best"]


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler after every epoch; ``ReduceLROnPlateau`` gets ``monitor``."""

    def __init__(self, scheduler, monitor: str = "val_loss"):
        self.scheduler, self.monitor = scheduler, monitor

    def on_epoch_end(self, trainer, epoch, logs):
        if isinstance(self.scheduler, ReduceLROnPlateau):  # it decides from the monitored value
            self.scheduler.step(_monitored(logs, self.monitor, "LRSchedulerCallback"))
        else:
            self.scheduler.step()

    def state_dict(self):
        return self.scheduler.state_dict()

    def load_state_dict(self, state):
        self.scheduler.load_state_dict(state)


class TerminateOnNaN(Callback):
    """Stop as soon as a batch's loss is NaN or infinite, naming the epoch and batch (kept in
    ``reason``, None while the loss is finite)."""

    def __init__(self):
        self.reason: str | None = None

    def on_train_begin(self, trainer):
        self.reason = None

    def on_batch_end(self, trainer, batch, loss):
        if not math.isfinite(loss):
            self.reason = (f"the loss became {loss} at epoch {trainer.epoch + 1}, batch {batch + 1}: "
                           f"lower the learning rate, clip gradients (clip_grad_norm=) or check the data")
            trainer.stop(self.reason)


class CSVLogger(Callback):
    """Write the history as a CSV table (one row per epoch), rewritten atomically after each epoch."""

    order = 90

    def __init__(self, path, separator: str = ","):
        self.path, self.separator = path, separator

    def on_epoch_end(self, trainer, epoch, logs):
        history = trainer.history
        keys = sorted(history.history)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.separator, lineterminator="\n")
        writer.writerow(["epoch"] + keys)
        for i, e in enumerate(history.epoch):
            writer.writerow([e + 1] + [repr(float(history.history[k][i])) for k in keys])
        atomic_write(self.path, buffer.getvalue().encode())


class ProgressBar(Callback):
    """tqdm bars: one over epochs (with the last epoch's logs), one over batches (with the live loss)."""

    def __init__(self, refresh_every: int = 10):
        self.refresh_every = refresh_every
        self.epoch_bar = self.batch_bar = None
        self._running = 0.0

    def on_train_begin(self, trainer):
        from tqdm.auto import tqdm
        self._tqdm = tqdm
        self.epoch_bar = tqdm(total=trainer.epochs, initial=trainer.epoch, desc="epochs", unit="epoch",
                              dynamic_ncols=True)

    def on_epoch_begin(self, trainer, epoch):
        self.batch_bar = self._tqdm(total=trainer.batches_per_epoch, desc=f"epoch {epoch + 1}",
                                    unit="batch", leave=False, dynamic_ncols=True)
        self._running = 0.0

    def on_batch_end(self, trainer, batch, loss):
        self._running = loss if batch == 0 else 0.9 * self._running + 0.1 * loss
        self.batch_bar.update(1)
        if batch % self.refresh_every == 0:
            self.batch_bar.set_postfix(loss=f"{self._running:.4g}", refresh=False)

    def on_epoch_end(self, trainer, epoch, logs):
        self.batch_bar.close()
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k not in ("time", "lr")}
        self.epoch_bar.set_postfix(shown, refresh=False)
        self.epoch_bar.update(1)

    def on_train_end(self, trainer):
        if self.batch_bar is not None:
            self.batch_bar.close()
        if self.epoch_bar is not None:
            self.epoch_bar.close()
