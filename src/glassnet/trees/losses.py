"""Losses for boosting: each gives the per-row gradient g = ∂l/∂ŷ and hessian h = ∂²l/∂ŷ² at the
current raw score ŷ (the margin), which is all the second-order objective needs:

    O ≈ Σ_i [g_i f(x_i) + ½ h_i f(x_i)²] + Ω(f),    Ω(f) = γT + ½λ Σ_j w_j² + α Σ_j |w_j|

Raw scores have shape (n, K): K = 1 for regression and binary classification, K classes for softmax.
"""
import numpy as np

from ..backends import compiled

numba = compiled.numba

__all__ = ["SquaredError", "Logistic", "Softmax", "CustomLoss", "sigmoid", "softmax"]

# XGBoost's floor on hessians, so that no leaf divides by a vanishing H
MIN_HESSIAN = 1e-16


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))     # = 1/(1+e^-z), without overflow warnings


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class SquaredError:
    """l = ½(ŷ - y)²:  g = ŷ - y,  h = 1.  Starts from the (weighted) mean of y."""
    name, n_outputs, metric = "reg:squarederror", 1, "rmse"

    def init_score(self, y, weight):
        return np.array([np.average(y, weights=weight)])

    def margin(self, base_score):
        return np.array([base_score])

    def gradients(self, y, raw):
        return raw - y[:, None], np.ones_like(raw)

    def evaluate(self, y, raw, weight):
        return float(np.sqrt(np.average((raw[:, 0] - y) ** 2, weights=weight)))


class Logistic:
    """l = -y log p - (1-y) log(1-p),  p = σ(ŷ):  g = p - y,  h = p(1 - p).  Starts from logit(ȳ)."""
    name, n_outputs, metric = "binary:logistic", 1, "logloss"

    def init_score(self, y, weight):
        mean = np.clip(np.average(y, weights=weight), 1e-6, 1 - 1e-6)
        return self.margin(mean)

    def margin(self, base_score):
        """XGBoost's base_score is a probability for this loss: the margin is its logit."""
        return np.array([np.log(base_score / (1 - base_score))])

    def gradients(self, y, raw):
        if compiled.active():
            return _logistic_gradients_numba(y, raw)
        return self.gradients_numpy(y, raw)

    def gradients_numpy(self, y, raw):
        p = sigmoid(raw)
        return p - y[:, None], np.maximum(p * (1 - p), MIN_HESSIAN)

    def evaluate(self, y, raw, weight):
        p = np.clip(sigmoid(raw[:, 0]), 1e-15, 1 - 1e-15)
        return float(-np.average(y * np.log(p) + (1 - y) * np.log(1 - p), weights=weight))


class Softmax:
    """l = -log p_y,  p = softmax(ŷ):  g_k = p_k - [y = k],  h_k = 2 p_k (1 - p_k)
    (XGBoost's diagonal bound on the hessian). Starts from the log class priors."""
    name, metric = "multi:softprob", "mlogloss"

    def __init__(self, n_classes):
        self.n_outputs = n_classes

    def init_score(self, y, weight):
        prior = np.bincount(y.astype(np.intp), weights=weight, minlength=self.n_outputs)
        log_prior = np.log(np.maximum(prior / prior.sum(), 1e-6))
        return log_prior - log_prior.mean()

    def gradients(self, y, raw):
        p = softmax(raw)
        onehot = np.zeros_like(p)
        onehot[np.arange(len(y)), y.astype(np.intp)] = 1.0
        return p - onehot, np.maximum(2.0 * p * (1 - p), MIN_HESSIAN)

    def evaluate(self, y, raw, weight):
        p = softmax(raw)[np.arange(len(y)), y.astype(np.intp)]
        return float(-np.average(np.log(np.clip(p, 1e-15, None)), weights=weight))


class CustomLoss:
    """A user objective ``objective(y_true, y_pred) -> (grad, hess)`` on raw scores, as in XGBoost's
    scikit-learn API: y_pred is (n,) for one output and (n, K) for K outputs. Starts from 0."""
    metric = "custom"

    def __init__(self, function, n_outputs, transform):
        self.function, self.n_outputs, self.transform = function, n_outputs, transform
        self.name = getattr(function, "__name__", "custom")

    def init_score(self, y, weight):
        return np.zeros(self.n_outputs)

    def margin(self, base_score):
        return np.full(self.n_outputs, float(base_score))

    def gradients(self, y, raw):
        y_pred = raw[:, 0] if self.n_outputs == 1 else raw
        grad, hess = self.function(y, y_pred)
        grad, hess = (np.asarray(a, dtype=np.float64).reshape(raw.shape) for a in (grad, hess))
        if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
            raise ValueError(f"custom objective {self.name!r} returned non-finite gradients or hessians")
        return grad, hess

    def evaluate(self, y, raw, weight):
        """Without a metric of its own, the custom loss is scored by the matching built-in one."""
        return self.transform.evaluate(y, raw, weight)


if numba is not None:
    @numba.njit(parallel=True, cache=True)
    def _logistic_gradients_numba(y, raw):
        """``Logistic.gradients_numpy`` in one pass over the rows (shared out over the threads)
        instead of about ten NumPy passes with their temporaries.  The same g and h but for the last
        bit: σ(z) is computed as 1/(1 + e^-z) (a scalar exp is several times cheaper than tanh)."""
        g, h = np.empty_like(raw), np.empty_like(raw)
        for i in numba.prange(raw.shape[0]):
            p = 1.0 / (1.0 + np.exp(-raw[i, 0]))     # = sigmoid(); exp is cheaper than tanh
            g[i, 0] = p - y[i]
            h[i, 0] = max(p * (1 - p), MIN_HESSIAN)
        return g, h
else:
    _logistic_gradients_numba = None
