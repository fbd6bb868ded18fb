"""Turning a network's raw outputs into what a metric needs: labels, positive-class scores or values.

Which output means what depends on the loss: ``CrossEntropyLoss`` outputs are logits of (N, C), the
label is the argmax; ``BCEWithLogitsLoss`` outputs are logits, positive when > 0; ``BCELoss`` outputs are
probabilities, positive when > 0.5; a regression output is the value itself.
"""
from __future__ import annotations

import numpy as np

from ..nn import BCEWithLogitsLoss
from . import metrics as M


def output_labels(output: np.ndarray, loss=None) -> np.ndarray:
    if output.ndim == 2 and output.shape[1] > 1:
        return output.argmax(axis=1)
    threshold = 0.0 if isinstance(loss, BCEWithLogitsLoss) else 0.5
    return (output.reshape(len(output)) > threshold).astype(np.int64)


def output_scores(output: np.ndarray) -> np.ndarray:
    """A score that grows with the positive class' probability (a logit difference for 2 columns)."""
    if output.ndim == 2 and output.shape[1] == 2:
        return output[:, 1] - output[:, 0]
    if output.ndim == 2 and output.shape[1] > 2:
        raise ValueError("auc needs a binary classifier (1 or 2 output columns)")
    return output.reshape(len(output))


def _average(output):
    return "macro" if output.ndim == 2 and output.shape[1] > 2 else "binary"


# name -> fn(y_true, output, loss)
METRICS = {
    "accuracy": lambda y, out, loss: M.accuracy(y, output_labels(out, loss)),
    "precision": lambda y, out, loss: M.precision(y, output_labels(out, loss), average=_average(out)),
    "recall": lambda y, out, loss: M.recall(y, output_labels(out, loss), average=_average(out)),
    "f1": lambda y, out, loss: M.f1_score(y, output_labels(out, loss), average=_average(out)),
    "auc": lambda y, out, loss: M.roc_auc_score(y, output_scores(out)),
    "r2": lambda y, out, loss: M.r2_score(y, out),
    "mae": lambda y, out, loss: M.mean_absolute_error(y, out),
}
ALIASES = {"acc": "accuracy", "f1_score": "f1", "roc_auc": "auc", "r2_score": "r2",
           "mean_absolute_error": "mae"}


def resolve_metric(metric) -> tuple[str, object]:
    """A metric name (see ``METRICS``) or a callable ``fn(y_true, output) -> float`` -> (name, fn3)."""
    if callable(metric):
        return getattr(metric, "__name__", "metric"), lambda y, out, loss: float(metric(y, out))
    name = ALIASES.get(metric, metric)
    if name not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {sorted(METRICS)} or pass a function")
    return name, METRICS[name]
