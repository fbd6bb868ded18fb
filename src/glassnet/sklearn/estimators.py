"""``NeuralNetClassifier`` and ``NeuralNetRegressor``: glassnet networks as scikit-learn estimators.

Their parameters follow scikit-learn's ``MLPClassifier`` (``hidden_layer_sizes``, ``activation``,
``alpha``, ``batch_size="auto"``, ``max_iter``, ``tol``, ``n_iter_no_change``, ``early_stopping``,
``validation_fraction``), with PyTorch's optimizers by name and the lectures' regularizers
(``dropout``, ``input_noise``). Training runs on ``glassnet.train.Trainer``; everything random
(initialization, shuffling, dropout, noise) comes from ``random_state``.
"""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import nn, optim
from ..autograd import no_grad
from ..data import DataLoader, TensorDataset, train_val_test_split
from ..train import EarlyStopping, Trainer

ACTIVATIONS = {"identity": nn.Identity, "logistic": nn.Sigmoid, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
               "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "softplus": nn.Softplus}
OPTIMIZERS = {
    "adam": lambda params, lr: optim.Adam(params, lr=lr),
    "adamw": lambda params, lr: optim.AdamW(params, lr=lr),
    "sgd": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),  # MLPClassifier's
    "rmsprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "adadelta": lambda params, lr: optim.Adadelta(params, lr=lr),
}


class _NeuralNet(BaseEstimator):
    """Shared by the classifier and the regressor; subclasses set the loss, targets and outputs."""

    _monitor = ""  # the validation score early stopping watches

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", optimizer="adam", lr=0.001,
                 batch_size="auto", max_iter=200, alpha=0.0001, dropout=0.0, input_noise=0.0,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10, tol=1e-4,
                 shuffle=True, random_state=None, verbose=0, module=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.alpha = alpha
        self.dropout = dropout
        self.input_noise = input_noise
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.module = module

    # ----- building -----
    def _check_params(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation={self.activation!r}; choose from {sorted(ACTIVATIONS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r}; choose from {sorted(OPTIMIZERS)}")
        for name in ("lr", "max_iter", "n_iter_no_change"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.alpha < 0 or not 0 <= self.dropout < 1 or self.input_noise < 0:
            raise ValueError(f"alpha >= 0, 0 <= dropout < 1 and input_noise >= 0 are required, got "
                             f"alpha={self.alpha}, dropout={self.dropout}, input_noise={self.input_noise}")
        if self.early_stopping and not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction}")

    def _build_module(self, n_in: int, n_out: int) -> nn.Module:
        """Input noise, then (Linear, activation, dropout) per hidden layer, then a Linear output.
        Weights and biases ~ U(±√(6 / (fan_in + fan_out))) (Glorot's, as MLPClassifier; ×√(1/3) for
        the logistic activation)."""
        if self.module is not None:
            return self.module(n_in, n_out)
        sizes = [n_in, *np.atleast_1d(self.hidden_layer_sizes).astype(int).tolist(), n_out]
        layers = [nn.GaussianNoise(self.input_noise, rng=self._rng)] if self.input_noise else []
        factor = 2.0 if ACTIVATIONS[self.activation] is nn.Sigmoid else 6.0
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(fan_in, fan_out)
            bound = math.sqrt(factor / (fan_in + fan_out))
            nn.init.uniform_(linear.weight, -bound, bound, rng=self._rng)
            nn.init.uniform_(linear.bias, -bound, bound, rng=self._rng)
            layers.append(linear)
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[self.activation]())
                if self.dropout:
                    layers.append(nn.Dropout(self.dropout, rng=self._rng))
        return nn.Sequential(*layers)

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if not isinstance(self.batch_size, (int, np.integer)) or self.batch_size < 1:
            raise ValueError(f"batch_size must be 'auto' or a positive int, got {self.batch_size!r}")
        return min(int(self.batch_size), n_samples)

    def _initialize(self, n_features: int, n_outputs: int, n_samples: int) -> None:
        self._check_params()
        self._rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31 - 1))
        self.module_ = self._build_module(n_features, n_outputs)
        # alpha is scikit-learn's L2 term ½·α·‖W‖² / batch: weight decay α / batch on the weights only
        weights = [p for name, p in self.module_.named_parameters() if not name.endswith("bias")]
        biases = [p for name, p in self.module_.named_parameters() if name.endswith("bias")]
        decay = self.alpha / self._batch_size(n_samples)
        groups = [{"params": weights, "weight_decay": decay}] + ([{"params": biases}] if biases else [])
        self.optimizer_ = OPTIMIZERS[self.optimizer](groups, self.lr)
        self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0
        self.validation_scores_ = [] if self.early_stopping else None

    # ----- training -----
    def _train(self, X: np.ndarray, y: np.ndarray, epochs: int, stratify=None, stop: bool = True):
        """Up to ``epochs`` epochs with the Trainer; with ``stop``, scikit-learn's stopping rule: no
        improvement by ``tol`` for ``n_iter_no_change`` epochs of the training loss, or of the
        validation score with ``early_stopping`` (whose best weights are then restored)."""
        X_val = None
        if self.early_stopping and stop:
            X, X_val, _, y, y_val, _ = train_val_test_split(
                X, y, val_size=self.validation_fraction, test_size=0.0, stratify=stratify, rng=self._rng)
        callbacks = []
        if stop and X_val is not None:
            callbacks.append(EarlyStopping(f"val_{self._monitor}", self.n_iter_no_change, self.tol, mode="max"))
        elif stop:
            callbacks.append(EarlyStopping("loss", self.n_iter_no_change, self.tol, restore_best=False))
        batch_size = self._batch_size(len(X))
        trainer = Trainer(self.module_, self._loss(), self.optimizer_, callbacks=callbacks,
                          metrics=[self._monitor] if X_val is not None else [],
                          batch_size=batch_size, verbose=self.verbose)
        loader = DataLoader(TensorDataset(X, y), batch_size, shuffle=self.shuffle, rng=self._rng)
        history = trainer.fit(loader, None if X_val is None else (X_val, y_val), epochs=epochs)
        self.loss_curve_ += history["loss"]
        if X_val is not None:
            self.validation_scores_ += history[f"val_{self._monitor}"]
        self.n_iter_ += len(history)
        self.t_ += len(history) * len(loader)
        self.module_.eval()
        if stop and history.stop_reason is None:
            warnings.warn(f"{type(self).__name__}: max_iter={self.max_iter} reached before the loss "
                          f"converged", ConvergenceWarning)

    def _forward(self, X) -> np.ndarray:
        """The network's outputs, computed in float64 on a copy of the trained float32 weights, so that
        a prediction does not depend on which other rows share its batch (float32 BLAS rounding does)."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        network = copy.deepcopy(self.module_).double().eval()
        with no_grad():
            return network(X).detach().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A feed-forward network trained with cross-entropy on ``len(classes_)`` logits.

    Example::

        clf = NeuralNetClassifier(hidden_layer_sizes=(64,), max_iter=50, random_state=0).fit(X, y)
        clf.predict_proba(X_test)
    """

    _monitor = "accuracy"

    def _loss(self):
        return nn.CrossEntropyLoss()

    def _encode(self, y) -> np.ndarray:
        index = np.searchsorted(self.classes_, y)
        if np.any(index >= len(self.classes_)) or np.any(self.classes_[np.minimum(index, len(self.classes_) - 1)] != y):
            unknown = np.setdiff1d(y, self.classes_)
            raise ValueError(f"y holds labels {unknown.tolist()} that are not in classes {self.classes_.tolist()}")
        return index.astype(np.int64)

    def _validate(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        return X.astype(np.float32), y

    def fit(self, X, y):
        X, y = self._validate(X, y, reset=True)
        self.classes_ = np.unique(y)
        self._initialize(X.shape[1], len(self.classes_), len(X))
        self._train(X, self._encode(y), self.max_iter, stratify=y)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y); the first call needs ``classes`` (all the labels there will be)."""
        first = not hasattr(self, "module_")
        X, y = self._validate(X, y, reset=first)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = np.unique(classes)
            self._initialize(X.shape[1], len(self.classes_), len(X))
        self._train(X, self._encode(y), 1, stop=False)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the logits: p_k = exp(z_k) / Σ_j exp(z_j)."""
        logits = self._forward(X)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X) -> np.ndarray:
        return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        logits = self._forward(X)
        return self.classes_[logits.argmax(axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A feed-forward network trained with the mean squared error; y may have several columns."""

    _monitor = "r2"

    def _loss(self):
        return nn.MSELoss()

    def _validate(self, X, y, reset: bool):
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32), multi_output=True,
                             y_numeric=True)
        if reset:
            self._y_ndim = y.ndim
        y = y.astype(np.float32)
        return X.astype(np.float32), y.reshape(len(y), -1)

    def fit(self, X, y):
        X, y = self._validate(X, y, reset=True)
        self._initialize(X.shape[1], y.shape[1], len(X))
        self._train(X, y, self.max_iter)
        return self

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing from the current weights."""
        first = not hasattr(self, "module_")
        X, y = self._validate(X, y, reset=first)
        if first:
            self._initialize(X.shape[1], y.shape[1], len(X))
        self._train(X, y, 1, stop=False)
        return self

    def predict(self, X) -> np.ndarray:
        out = self._forward(X)
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
