"""``Trainer``: the fit / evaluate / predict loop around a model, a loss and an optimizer.

One training step is the lectures' loop, nothing more::

    output = model(x); loss = criterion(output, y) [+ penalty(model)]
    optimizer.zero_grad(); loss.backward(); [clip_grad_norm_]; optimizer.step()

Everything else (progress bars, early stopping, checkpoints, schedulers, logs) is a callback.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from ..autograd import as_array, no_grad
from ..data import DataLoader, Dataset, TensorDataset
from ..io import generator_states, load_checkpoint, save_checkpoint, set_generator_states
from ..io.safefile import FileFormatError
from ..nn.utils import clip_grad_norm_
from .callbacks import Callback, ProgressBar
from .history import History
from .scoring import resolve_metric


class Trainer:
    """Train ``model`` with ``loss`` (a criterion) and ``optimizer``.

    metrics: names ("accuracy", "precision", "recall", "f1", "auc", "r2", "mae") or functions
        ``fn(y_true, output)``, computed on the training outputs and on the validation data each epoch.
    callbacks: ``Callback`` objects; a ``ProgressBar`` is added unless ``verbose=0``.
    clip_grad_norm: clip the gradients' joint L2 norm to this before every step.
    penalty: ``fn(model) -> Tensor`` added to the loss, e.g. the lectures' λ·Ω(θ):
        ``lambda m: gn.nn.utils.l2_penalty(m.parameters(), 1e-4)``.
    batch_size: for data given as arrays or a Dataset (a DataLoader keeps its own).
    """

    def __init__(self, model, loss, optimizer, metrics=(), callbacks=(), clip_grad_norm: float | None = None,
                 penalty=None, batch_size: int = 32, verbose: int = 1):
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.metrics = [resolve_metric(m) for m in metrics]
        callbacks = list(callbacks)
        if verbose and not any(isinstance(c, ProgressBar) for c in callbacks):
            callbacks.append(ProgressBar())
        for c in callbacks:
            if not isinstance(c, Callback):
                raise TypeError(f"callbacks must be Callback objects, got {type(c).__name__}")
        self.callbacks = sorted(callbacks, key=lambda c: c.order)
        self.clip_grad_norm, self.penalty = clip_grad_norm, penalty
        self.batch_size, self.verbose = batch_size, verbose
        self.history = History()
        self.epoch = self.epochs = self.batches_per_epoch = 0
        self.stop_training = False
        self._train_loader = None

    # ----- data -----
    def _loader(self, data, shuffle: bool, batch_size: int | None = None) -> DataLoader:
        """A DataLoader for ``data``: a DataLoader, a Dataset, or a tuple of arrays ``(X, y)``
        (floating arrays are cast to the model's dtype)."""
        batch_size = batch_size or self.batch_size
        if isinstance(data, DataLoader):
            return data
        if isinstance(data, Dataset):
            return DataLoader(data, batch_size, shuffle=shuffle)
        if isinstance(data, (tuple, list)):
            dtype = next((p.dtype for p in self.model.parameters()), np.float32)
            arrays = [as_array(a) for a in data]
            arrays = [a.astype(dtype) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]
            return DataLoader(TensorDataset(*arrays), batch_size, shuffle=shuffle)
        raise TypeError(f"data must be a DataLoader, a Dataset or a tuple (X, y) of arrays, "
                        f"got {type(data).__name__}")

    # ----- training -----
    def stop(self, reason: str, warn: bool = True) -> None:
        """End training after the current batch; ``reason`` is kept in ``history.stop_reason``."""
        self.stop_training = True
        self.history.stop_reason = reason
        if warn:
            warnings.warn(reason, RuntimeWarning, stacklevel=2)

    def _run_epoch(self, loader) -> tuple[float, list, list]:
        """One pass over ``loader``: (mean loss, outputs, targets); stops early if a callback asks."""
        model, criterion, optimizer, penalty = self.model, self.loss, self.optimizer, self.penalty
        clip, params = self.clip_grad_norm, list(model.parameters())
        batch_hooks = [c for c in self.callbacks if type(c).on_batch_end is not Callback.on_batch_end]
        keep = bool(self.metrics)
        outputs, targets = [], []
        total, count = 0.0, 0
        model.train()
        for batch_index, batch in enumerate(loader):
            *inputs, target = batch
            output = model(*inputs)
            loss = criterion(output, target)
            if penalty is not None:
                loss = loss + penalty(model)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                clip_grad_norm_(params, clip)
            optimizer.step()
            value = loss.item()
            n = len(target)
            total += value * n
            count += n
            if keep:
                outputs.append(output.detach().numpy())
                targets.append(target)
            for callback in batch_hooks:
                callback.on_batch_end(self, batch_index, value)
            if self.stop_training:
                break
        return total / max(count, 1), outputs, targets

    def _scores(self, prefix: str, outputs: list, targets: list) -> dict:
        if not outputs:
            return {}
        output, target = np.concatenate(outputs), np.concatenate([np.asarray(t) for t in targets])
        return {prefix + name: fn(target, output, self.loss) for name, fn in self.metrics}

    def fit(self, train, val=None, epochs: int = 1, resume_from=None, shuffle: bool = True) -> History:
        """Train for ``epochs`` epochs (in total, counting those of a resumed run).

        ``train`` / ``val``: a DataLoader, a Dataset or ``(X, y)``; ``val`` may also be a fraction, the
        share of ``(X, y)`` held out for validation (the last rows, as Keras' ``validation_split``).
        ``resume_from``: a checkpoint written by ``ModelCheckpoint`` or ``save_checkpoint``; training
        continues exactly as if it had never stopped (same batches, same random numbers, same
        weights to the last bit).
        """
        if isinstance(val, float):
            train, val = _split_off(train, val)
        loader = self._loader(train, shuffle)
        val_loader = None if val is None else self._loader(val, shuffle=False)
        self._train_loader, self.epochs, self.batches_per_epoch = loader, epochs, len(loader)
        self.stop_training, start, self.history = False, 0, History()
        if resume_from is not None:
            start = self.load_checkpoint(resume_from)
        self.epoch = start
        for c in self.callbacks:
            c.on_train_begin(self)
        try:
            for epoch in range(start, epochs):
                self.epoch = epoch
                lr = self.optimizer.param_groups[0]["lr"]
                for c in self.callbacks:
                    c.on_epoch_begin(self, epoch)
                began = time.perf_counter()
                train_loss, outputs, targets = self._run_epoch(loader)
                if self.stop_training:  # stopped inside the epoch (e.g. a NaN loss): not a finished epoch
                    break
                logs = {"loss": train_loss, **self._scores("", outputs, targets)}
                if val_loader is not None:
                    logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
                logs.update(lr=lr, time=time.perf_counter() - began)
                self.history.append(epoch, logs)
                for c in self.callbacks:
                    c.on_epoch_end(self, epoch, logs)
                if self.stop_training:
                    break
        finally:
            for c in self.callbacks:
                c.on_train_end(self)
        return self.history

    # ----- evaluation -----
    def evaluate(self, data) -> dict:
        """The mean loss and the metrics on ``data`` (eval mode, no gradients)."""
        loader = self._loader(data, shuffle=False)
        was_training = self.model.training
        self.model.eval()
        total, count, outputs, targets = 0.0, 0, [], []
        try:
            with no_grad():
                for *inputs, target in loader:
                    output = self.model(*inputs)
                    total += self.loss(output, target).item() * len(target)
                    count += len(target)
                    outputs.append(output.detach().numpy())
                    targets.append(target)
        finally:
            self.model.train(was_training)
        return {"loss": total / max(count, 1), **self._scores("", outputs, targets)}

    def predict(self, X, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs for ``X`` (an array, or a DataLoader / Dataset whose batches start with
        the inputs), in eval mode, batch by batch."""
        data = X if isinstance(X, (DataLoader, Dataset)) else (X,)
        loader = self._loader(data, shuffle=False, batch_size=batch_size or max(self.batch_size, 256))
        was_training = self.model.training
        self.model.eval()
        try:
            with no_grad():
                outputs = [self.model(batch[0]).detach().numpy() for batch in loader]
        finally:
            self.model.train(was_training)
        return np.concatenate(outputs)

    # ----- checkpoints -----
    def save_checkpoint(self, path) -> None:
        """Everything ``fit(resume_from=path)`` needs: weights, optimizer, callbacks, history, the epoch
        just finished, and every random generator involved (global, the loader's, the layers')."""
        loader_rng = getattr(self._train_loader, "rng", None)
        extra = {
            "callbacks": [[type(c).__name__, c.state_dict()] for c in self.callbacks],
            "loader_rng": None if loader_rng is None else loader_rng.bit_generator.state,
            "module_rngs": generator_states(self.model),
        }
        save_checkpoint(path, self.model, self.optimizer, epoch=self.epoch + 1, history=self.history,
                        extra=extra)

    def load_checkpoint(self, path) -> int:
        """Restore a checkpoint into this trainer; returns the number of epochs it had finished."""
        info = load_checkpoint(path, self.model, self.optimizer)
        extra = info["extra"] or {}
        saved = extra.get("callbacks", [])
        names = [type(c).__name__ for c in self.callbacks]
        if [name for name, _ in saved] != names:
            raise FileFormatError(f"{path}: saved with callbacks {[n for n, _ in saved]}, "
                                  f"this trainer has {names}")
        for callback, (_, state) in zip(self.callbacks, saved):
            callback.load_state_dict(state)
        loader_rng = getattr(self._train_loader, "rng", None)
        if loader_rng is not None and extra.get("loader_rng") is not None:
            loader_rng.bit_generator.state = extra["loader_rng"]
        set_generator_states(self.model, extra.get("module_rngs"))
        self.history = History.from_dict(info["history"])
        return int(info["epoch"] or 0)


def _split_off(data, fraction: float) -> tuple:
    """(arrays without their last ``fraction`` of rows, those rows)."""
    if not isinstance(data, (tuple, list)) or not 0 < fraction < 1:
        raise ValueError(f"a validation fraction ({fraction}) needs training data given as arrays (X, y) "
                         f"and a fraction between 0 and 1")
    n_val = int(round(len(data[0]) * fraction))
    if not 0 < n_val < len(data[0]):
        raise ValueError(f"a validation fraction of {fraction} leaves no rows for one of the two parts")
    return tuple(a[:-n_val] for a in data), tuple(a[-n_val:] for a in data)
