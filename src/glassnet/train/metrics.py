"""Metrics on NumPy arrays, with scikit-learn's names and conventions (``metric(y_true, y_pred)``).

Classification metrics take labels; ``roc_curve`` / ``roc_auc_score`` take scores of the positive class.
"""
from __future__ import annotations

import numpy as np


def _labels(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels, y_pred {y_pred.size}")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct labels: (1/n) Σ [ŷᵢ = yᵢ]."""
    y_true, y_pred = _labels(y_true, y_pred)
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """C[i, j] = number of samples of true class labels[i] predicted as labels[j]."""
    y_true, y_pred = _labels(y_true, y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    k = len(labels)
    order = np.argsort(labels, kind="stable")

    def position(values):  # index of each value in labels, and whether it is one of them
        found = np.clip(np.searchsorted(labels[order], values), 0, k - 1)
        return order[found], labels[order][found] == values

    rows, known_true = position(y_true)
    cols, known_pred = position(y_pred)
    keep = known_true & known_pred
    rows, cols = rows[keep], cols[keep]
    return np.bincount(rows * k + cols, minlength=k * k).reshape(k, k)


def _per_class(y_true, y_pred, average: str, pos_label):
    """True positives, predicted positives and actual positives per class (or for pos_label)."""
    y_true, y_pred = _labels(y_true, y_pred)
    if average == "binary":
        tp = np.sum((y_pred == pos_label) & (y_true == pos_label))
        return np.array([tp]), np.array([np.sum(y_pred == pos_label)]), np.array([np.sum(y_true == pos_label)])
    cm = confusion_matrix(y_true, y_pred)
    return np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)


def _average(numerator, denominator, support, average):
    if average == "micro":
        numerator, denominator = numerator.sum(keepdims=True), denominator.sum(keepdims=True)
    scores = np.divide(numerator, denominator, out=np.zeros(len(numerator)), where=denominator > 0)
    if average == "weighted":
        return float(np.average(scores, weights=support)) if support.sum() else 0.0
    return float(scores.mean())


def precision(y_true, y_pred, average: str = "binary", pos_label=1) -> float:
    """TP / (TP + FP); ``average`` "binary" (class ``pos_label``), "macro", "micro" or "weighted"."""
    tp, predicted, actual = _per_class(y_true, y_pred, average, pos_label)
    return _average(tp, predicted, actual, average)


def recall(y_true, y_pred, average: str = "binary", pos_label=1) -> float:
    """TP / (TP + FN); ``average`` as in ``precision``."""
    tp, predicted, actual = _per_class(y_true, y_pred, average, pos_label)
    return _average(tp, actual, actual, average)


def f1_score(y_true, y_pred, average: str = "binary", pos_label=1) -> float:
    """F₁ = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall."""
    tp, predicted, actual = _per_class(y_true, y_pred, average, pos_label)
    return _average(2 * tp, predicted + actual, actual, average)


def roc_curve(y_true, y_score, pos_label=1):
    """(fpr, tpr, thresholds) as the decision threshold sweeps down through the distinct scores."""
    y_true, y_score = _labels(y_true, y_score)
    order = np.argsort(-y_score, kind="mergesort")
    y_score, positive = y_score[order], (y_true[order] == pos_label)
    last_of_each_score = np.r_[np.nonzero(np.diff(y_score))[0], y_score.size - 1]
    tps = np.cumsum(positive)[last_of_each_score]
    fps = (last_of_each_score + 1) - tps
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    thresholds = np.r_[np.inf, y_score[last_of_each_score]]
    if tps[-1] == 0 or fps[-1] == 0:
        raise ValueError("roc_curve needs both positive and negative samples")
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc_score(y_true, y_score, pos_label=1) -> float:
    """Area under the ROC curve (trapezoids): the probability that a random positive scores above a
    random negative."""
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def r2_score(y_true, y_pred) -> float:
    """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² (1 for a perfect fit, 0 for predicting the mean)."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64).reshape(np.shape(y_true))
    total = np.sum((y_true - y_true.mean(axis=0)) ** 2)
    residual = np.sum((y_true - y_pred) ** 2)
    return float(1.0 - residual / total) if total > 0 else (1.0 if residual == 0 else 0.0)


def mean_absolute_error(y_true, y_pred) -> float:
    """MAE = (1/n) Σ |y - ŷ|"""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64).reshape(np.shape(y_true))
    return float(np.mean(np.abs(y_true - y_pred)))
