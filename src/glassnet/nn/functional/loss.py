"""Loss functions L(ŷ, y), as in ``torch.nn.functional`` (same arguments, defaults and reductions).

Regression: MSE (1/N)Σ(ŷ-y)², L1 (1/N)Σ|ŷ-y|, Huber. Classification: cross-entropy
-Σ_k y_k log softmax(z)_k fused with its softmax (log-sum-exp, so logits of 1e4 give no NaN), NLL on
log-probabilities, binary cross-entropy on probabilities or (fused, stable) on logits.
Distributions: KL(P‖Q) = Σ P log(P/Q) and the entropy H(P) = -Σ P log P, so that
cross-entropy H(P, Q) = H(P) + KL(P‖Q).

The classification losses are single ``Function``s that compute, per sample i, the loss ℓᵢ and its
gradient ∂ℓᵢ/∂zᵢ in forward; backward only scales those by the incoming gradient.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_tensor, where

REDUCTIONS = ("mean", "sum", "none")


def _data(x) -> np.ndarray:
    return x._array if isinstance(x, Tensor) else np.asarray(x)


def _check_reduction(reduction: str, allowed=REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got '{reduction}'")


def _check_same_shape(name: str, input, target) -> None:
    if tuple(input.shape) != tuple(np.shape(_data(target))):
        raise ValueError(f"{name}: input has shape {tuple(input.shape)} but target has shape "
                         f"{np.shape(_data(target))}; they must match")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_tensor(x) -> Tensor:
    return as_tensor(x)


def _target_like(target, input: Tensor) -> Tensor:
    """Targets are constants in the input's float dtype (a Tensor target keeps its graph)."""
    if isinstance(target, Tensor):
        return target
    return as_tensor(np.asarray(target, dtype=input.dtype))


# ----- regression -----
def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """L = (1/N) Σ (ŷ - y)²"""
    input = _as_tensor(input)
    _check_reduction(reduction)
    _check_same_shape("mse_loss", input, target)
    diff = input - _target_like(target, input)
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction: str = "mean") -> Tensor:
    """L = (1/N) Σ |ŷ - y|"""
    input = _as_tensor(input)
    _check_reduction(reduction)
    _check_same_shape("l1_loss", input, target)
    return _reduce((input - _target_like(target, input)).abs(), reduction)


class Huber(Function):
    """ℓ = ½d² for |d| < δ, δ(|d| - ½δ) otherwise (d = ŷ - y);  ∂ℓ/∂d = clip(d, -δ, δ)"""

    @staticmethod
    def forward(ctx, input, target, delta):
        d = input - target
        ctx.slope = np.clip(d, -delta, delta)
        small = np.abs(d) < delta
        return np.where(small, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta)).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        grad = g * ctx.slope
        return grad, (-grad if ctx.needs_input_grad[1] else None)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    input = _as_tensor(input)
    _check_reduction(reduction)
    _check_same_shape("huber_loss", input, target)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    return _reduce(Huber.apply(input, _target_like(target, input), delta=delta), reduction)


def smooth_l1_loss(input, target, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Huber loss divided by β (PyTorch's SmoothL1Loss)."""
    return huber_loss(input, target, reduction, delta=beta) / beta


# ----- binary classification -----
class BinaryCrossEntropy(Function):
    """ℓ = -w[y log p + (1-y) log(1-p)] (logs clamped at -100, as PyTorch);  ∂ℓ/∂p = w(p-y)/(p(1-p))"""

    @staticmethod
    def forward(ctx, p, y, weight):
        if np.any((p < 0) | (p > 1)):
            raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1] "
                             "(for logits use binary_cross_entropy_with_logits)")
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        ctx.p, ctx.y, ctx.w = p, y, weight
        loss = -(y * log_p + (1 - y) * log_q)
        return loss if weight is None else loss * weight

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.p, ctx.y
        grad = g * (p - y) / np.maximum(p * (1 - p), 1e-12)
        return grad if ctx.w is None else grad * ctx.w, None


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:
    input = _as_tensor(input)
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy", input, target)
    y = _data(target).astype(input.dtype, copy=False)
    w = None if weight is None else _data(weight).astype(input.dtype, copy=False)
    return _reduce(BinaryCrossEntropy.apply(input, y, weight=w), reduction)


class BinaryCrossEntropyWithLogits(Function):
    """ℓ = (1-y)z + l·softplus(-z), l = 1 + (pos_weight-1)y  (= -[y log σ(z) + (1-y) log(1-σ(z))]
    for pos_weight 1), computed as max(-z, 0) + log(1 + e^(-|z|)) so no exp overflows;
    ∂ℓ/∂z = (1 - y) - l(1 - σ(z))"""

    @staticmethod
    def forward(ctx, z, y, weight, pos_weight):
        softplus_neg = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))
        sig = np.exp(-softplus_neg)  # σ(z) = e^(-softplus(-z))
        l = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * z + l * softplus_neg
        ctx.dz = (1 - y) - l * (1 - sig)
        if weight is not None:
            loss, ctx.dz = loss * weight, ctx.dz * weight
        return loss

    @staticmethod
    def backward(ctx, g):
        return g * ctx.dz, None


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    input = _as_tensor(input)
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    y = _data(target).astype(input.dtype, copy=False)
    cast = (lambda a: None if a is None else _data(a).astype(input.dtype, copy=False))
    return _reduce(BinaryCrossEntropyWithLogits.apply(input, y, weight=cast(weight),
                                                      pos_weight=cast(pos_weight)), reduction)


# ----- multi-class classification -----
def _class_last(z: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N·d1·..., C): the class axis last, one row per prediction."""
    if z.ndim <= 2:
        return z.reshape(-1, z.shape[-1])
    return np.moveaxis(z, 1, -1).reshape(-1, z.shape[1])


def _class_back(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of ``_class_last``."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


def _label_mask(name: str, labels: np.ndarray, n_classes: int, ignore_index: int):
    """None when every label is a class index (the usual case, found with two reductions), else
    the mask of labels that are not ``ignore_index``; a label out of range raises."""
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {labels.dtype} "
                        f"(for class probabilities pass a float target of the input's shape)")
    if labels.size == 0:
        return None
    lowest, highest = labels.min(), labels.max()
    if lowest >= 0 and highest < n_classes and not lowest <= ignore_index <= highest:
        return None
    valid = labels != ignore_index
    bad = valid & ((labels < 0) | (labels >= n_classes))
    if np.any(bad):
        raise IndexError(f"{name}: target {labels[bad][0]} is out of bounds for {n_classes} classes")
    return valid


class PerSampleLoss(Function):
    """Loss computed row by row with its gradient rows known from forward: backward is g·∂ℓ/∂z."""

    @staticmethod
    def forward(ctx, z, rows_loss, rows_grad, out_shape, reduction, denominator):
        ctx.rows_grad, ctx.shape, ctx.reduction, ctx.denominator = rows_grad, z.shape, reduction, denominator
        if reduction == "none":
            return rows_loss.reshape(out_shape)
        total = rows_loss.sum(dtype=z.dtype)
        return np.asarray(total / denominator if reduction == "mean" else total, dtype=z.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "none":
            rows = ctx.rows_grad * g.reshape(-1, 1)
        else:
            scale = g / ctx.denominator if ctx.reduction == "mean" else g
            rows = ctx.rows_grad * scale
        return _class_back(rows, ctx.shape)


def _softmax_rows(z_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z - max z, log Σ e^(z - max z), softmax) of each row: the log-sum-exp shift keeps every
    exponent ≤ 0, so logits of 1e4 neither overflow nor give NaN."""
    shifted = z_rows - z_rows.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    sums = p.sum(axis=1, keepdims=True)
    p /= sums
    return shifted, np.log(sums), p


def cross_entropy(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy on logits z of shape (N, C) or (N, C, d1, ...).

    With class indices y: ℓᵢ = -w_{yᵢ} log softmax(zᵢ)_{yᵢ}, and ∂ℓᵢ/∂zᵢ = w_{yᵢ}(softmax(zᵢ) - onehot(yᵢ)).
    With class probabilities P (same shape as z): ℓᵢ = -Σ_c w_c P_ic log softmax(zᵢ)_c.
    'mean' divides by Σ w_{yᵢ} over non-ignored samples (by N for probabilities), as PyTorch does.
    """
    z = _as_tensor(input)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    unbatched = z.ndim == 1
    if unbatched:  # (C,) logits with a scalar target
        z = z.reshape(1, -1)
    n_classes = z.shape[1]
    t = _data(target)
    rows_z = _class_last(z._array)
    shifted, log_sums, p = _softmax_rows(rows_z)
    w = None if weight is None else _data(weight).astype(z.dtype, copy=False)
    eps = label_smoothing
    out_shape = () if unbatched else (z.shape[0],) + tuple(z.shape[2:])
    if np.issubdtype(t.dtype, np.floating):  # class probabilities
        if t.shape != tuple(input.shape):
            raise ValueError(f"cross_entropy: probability targets must have the input's shape "
                             f"{tuple(input.shape)}, got {t.shape}")
        probs = _class_last(t.astype(z.dtype, copy=False).reshape(z.shape))
        if eps:
            probs = probs * (1 - eps) + eps / n_classes
        wp = probs if w is None else probs * w
        rows_loss = -(wp * (shifted - log_sums)).sum(axis=1)
        rows_grad = p * wp.sum(axis=1, keepdims=True) - wp
        denominator = len(rows_loss)
    else:
        labels = t.reshape(-1)
        if labels.size != rows_z.shape[0]:
            raise ValueError(f"cross_entropy: input of shape {tuple(input.shape)} needs class-index "
                             f"targets of shape {out_shape}, got {t.shape}")
        valid = _label_mask("cross_entropy", labels, n_classes, ignore_index)
        rows = np.arange(len(labels))
        if valid is None and w is None and not eps:  # plain labels: ℓᵢ = log Σ e^z - z_y, ∂ℓᵢ/∂z = p - onehot
            rows_loss = log_sums[:, 0] - shifted[rows, labels]
            rows_grad = p
            rows_grad[rows, labels] -= 1
            denominator = len(labels)
        else:
            valid = np.ones(len(labels), bool) if valid is None else valid
            log_p = shifted - log_sums
            safe = np.where(valid, labels, 0)
            sample_w = (np.ones(len(safe), dtype=z.dtype) if w is None else w[safe]) * valid
            nll_w = sample_w * (1 - eps)
            rows_grad = p * nll_w[:, None]
            rows_grad[rows, safe] -= nll_w
            rows_loss = -log_p[rows, safe] * nll_w
            if eps:  # smoothing term (ε/C)·Σ_c w_c(-log p_c), whose gradient is (ε/C)((Σ_c w_c)·p - w)
                class_w = np.ones(n_classes, dtype=z.dtype) if w is None else w
                share = (eps / n_classes) * valid.astype(z.dtype)
                rows_loss = rows_loss - (log_p * class_w).sum(axis=1) * share
                rows_grad += share[:, None] * (p * class_w.sum() - class_w)
            denominator = sample_w.sum()
    return PerSampleLoss.apply(z, rows_loss=rows_loss, rows_grad=rows_grad, out_shape=out_shape,
                               reduction=reduction, denominator=np.asarray(denominator, dtype=z.dtype))


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """ℓᵢ = -w_{yᵢ} · input[i, yᵢ], for input = log-probabilities (e.g. from log_softmax)."""
    z = _as_tensor(input)
    _check_reduction(reduction)
    n_classes = z.shape[1]
    labels = _data(target).reshape(-1)
    rows_z = _class_last(z._array)
    if labels.size != rows_z.shape[0]:
        raise ValueError(f"nll_loss: input of shape {tuple(z.shape)} needs targets of shape "
                         f"{(z.shape[0],) + tuple(z.shape[2:])}, got {np.shape(_data(target))}")
    valid = _label_mask("nll_loss", labels, n_classes, ignore_index)
    valid = np.ones(len(labels), bool) if valid is None else valid
    safe = np.where(valid, labels, 0)
    rows = np.arange(len(safe))
    sample_w = (np.ones(len(safe), dtype=z.dtype) if weight is None
                else _data(weight).astype(z.dtype)[safe]) * valid
    rows_grad = np.zeros_like(rows_z)
    rows_grad[rows, safe] = -sample_w
    denominator = sample_w.sum() if reduction == "mean" else 1
    return PerSampleLoss.apply(z, rows_loss=-rows_z[rows, safe] * sample_w, rows_grad=rows_grad,
                               out_shape=(z.shape[0],) + tuple(z.shape[2:]), reduction=reduction,
                               denominator=np.asarray(denominator, dtype=z.dtype))


# ----- distributions -----
def kl_div(input, target, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(P‖Q) pointwise as P·(log P - log Q), with ``input`` = log Q and ``target`` = P
    (or log P with ``log_target``); 'batchmean' divides the sum by the batch size (the true KL)."""
    log_q = _as_tensor(input)
    _check_reduction(reduction, REDUCTIONS + ("batchmean",))
    _check_same_shape("kl_div", log_q, target)
    target = _target_like(target, log_q)
    if log_target:
        pointwise = target.exp() * (target - log_q)
    else:
        p = target
        safe_log_p = where(p._array > 0, p, as_tensor(np.ones((), dtype=p.dtype))).log()
        pointwise = p * (safe_log_p - log_q)
    if reduction == "batchmean":
        return pointwise.sum() / log_q.shape[0]
    return _reduce(pointwise, reduction)


def entropy(p, dim: int = -1, base: float | None = None) -> Tensor:
    """H(P) = -Σ_k P_k log P_k (0 log 0 = 0), in nats, or in bits etc. for ``base``=2."""
    p = _as_tensor(p)
    safe = where(p._array > 0, p, as_tensor(np.ones((), dtype=p.dtype)))
    h = -(p * safe.log()).sum(axis=dim)
    return h if base is None else h / float(np.log(base))


def log_softmax_cross_entropy_reference(z: np.ndarray, labels: np.ndarray) -> float:
    """Loop-based reference of mean cross-entropy (for reading and for tests)."""
    total = 0.0
    for row, label in zip(z, labels):
        m = max(row)
        lse = m + np.log(sum(np.exp(v - m) for v in row))
        total += lse - row[label]
    return total / len(z)

