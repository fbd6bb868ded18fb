"""The scan's surrogates: small glassnet MLPs trained warm, a few hundred Adam steps per iteration.

``MLPRegressor`` learns y(u) (the observables, or log L) on the unit cube, with inputs mapped to
[-1, 1] and targets standardized, ŷ = μ + s · net(2u - 1), minimizing the mean squared error.
``MLPClassifier`` learns P(valid | u) = σ(net(2u - 1)) with the binary cross-entropy.
Each ``fit`` continues from the current weights (warm start); the first one trains longer.
"""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ...autograd import Tensor, as_tensor, no_grad

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU, "sigmoid": nn.Sigmoid, "softplus": nn.Softplus}


def mlp(n_in: int, n_out: int, hidden, activation: str, rng: np.random.Generator) -> nn.Sequential:
    """Linear → activation → ... → Linear, initialized from ``rng`` (PyTorch's default init)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    sizes = [n_in, *hidden, n_out]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = nn.Linear(a, b)
        nn.init.default_layer_init_(layer.weight, layer.bias, rng=rng)
        layers += [layer] if i == len(sizes) - 2 else [layer, ACTIVATIONS[activation]()]
    return nn.Sequential(*layers)


class _MLP:
    def __init__(self, n_out: int, hidden=(64, 64, 64), activation: str = "tanh", lr: float = 3e-3,
                 steps: int = 200, first_steps: int = 1000, batch_size: int = 256):
        self.n_out, self.hidden, self.activation = n_out, tuple(hidden), activation
        self.lr, self.steps, self.first_steps, self.batch_size = lr, steps, first_steps, batch_size
        self.net = None

    def _train(self, u: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> float:
        """Minibatch Adam steps on (u, y); returns the last minibatch's loss."""
        first = self.net is None
        if first:
            self.net = mlp(u.shape[1], self.n_out, self.hidden, self.activation, rng)
            self.optimizer = optim.Adam(self.net.parameters(), lr=self.lr)
        x = (2 * u - 1).astype(np.float32)
        y = y.astype(np.float32)
        loss = np.nan
        for _ in range(self.first_steps if first else self.steps):
            batch = rng.integers(0, len(x), min(self.batch_size, len(x)))
            output = self.loss(self.net(as_tensor(x[batch])), as_tensor(y[batch]))
            self.optimizer.zero_grad()
            output.backward()
            self.optimizer.step()
            loss = output.item()
        return loss

    def _forward(self, u: np.ndarray) -> np.ndarray:
        with no_grad():
            return self.net(as_tensor((2 * np.asarray(u) - 1).astype(np.float32))).numpy().astype(float)


class MLPRegressor(_MLP):
    """Regression of y (n, n_out) on unit-cube points u (n, d)."""
    loss = nn.MSELoss()

    def fit(self, u, y, rng: np.random.Generator) -> float:
        y = np.asarray(y, dtype=float).reshape(len(u), self.n_out)
        self.mean, self.scale = y.mean(axis=0), y.std(axis=0) + 1e-12
        return self._train(np.asarray(u), (y - self.mean) / self.scale, rng)

    def predict(self, u) -> np.ndarray:
        return self.mean + self.scale * self._forward(u)


class MLPClassifier(_MLP):
    """P(label = 1 | u) for binary labels."""
    loss = nn.BCEWithLogitsLoss()

    def __init__(self, **options):
        super().__init__(1, **options)

    def fit(self, u, labels, rng: np.random.Generator) -> float:
        return self._train(np.asarray(u), np.asarray(labels, dtype=float).reshape(-1, 1), rng)

    def predict_proba(self, u) -> np.ndarray:
        return 1 / (1 + np.exp(-self._forward(u)[:, 0]))
