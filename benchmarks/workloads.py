"""The benchmarks' workloads: sizes, data and FLOP counts, the same for every library (NumPy only).

Each library's code for these workloads is in ``runs/<library>_runs.py`` (PyTorch and glassnet
share ``runs/pytorch_api.py``, the same code run on either); a worker process (``_worker.py``)
imports only one library. Data come from fixed seeds, so every process of every library trains on
the same numbers.
"""
from __future__ import annotations

import warnings

import numpy as np

# MLP: 784-256-128-10 ReLU, Adam (lr 1e-3), cross-entropy, batch 128; a timed unit is one pass
# over 50 batches
MLP_SIZES, MLP_BATCH, MLP_BATCHES = (784, 256, 128, 10), 128, 50

# LeNet-5: 28x28 inputs, SGD (lr 0.01, momentum 0.9), cross-entropy, batch 64; a unit is 20 batches
LENET_BATCH, LENET_BATCHES = 64, 20

# recurrent: one layer (input 32, hidden 128) over 50 steps, batch 64, a linear head on the last
# output, MSE, Adam (lr 1e-3); a unit is 10 training steps on one batch
RNN_INPUT, RNN_HIDDEN, RNN_STEPS, RNN_BATCH, RNN_UPDATES = 32, 128, 50, 64, 10
RNN_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def mlp_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (6400, 784) float32 standard normal, y (6400,) int64 class labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((MLP_BATCH * MLP_BATCHES, MLP_SIZES[0])).astype(np.float32)
    return X, rng.integers(0, MLP_SIZES[-1], len(X))


def lenet_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (1280, 1, 28, 28) float32, y (1280,) int64."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((LENET_BATCH * LENET_BATCHES, 1, 28, 28)).astype(np.float32)
    return X, rng.integers(0, 10, len(X))


def rnn_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x (T, B, I) time-major float32, y (B, 1) float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((RNN_STEPS, RNN_BATCH, RNN_INPUT)).astype(np.float32)
    return x, rng.standard_normal((RNN_BATCH, 1)).astype(np.float32)


def batches(X: np.ndarray, y: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Consecutive (X, y) batches (the data are already in random order)."""
    return [(X[start:start + size], y[start:start + size]) for start in range(0, len(X), size)]


def uniform_init(shape: tuple, fan: int, rng: np.random.Generator) -> np.ndarray:
    """U(-1/sqrt(fan), 1/sqrt(fan)) float32, PyTorch's default range for Linear and RNN weights
    (used by the peers that have no such initializer of their own)."""
    bound = 1 / np.sqrt(fan)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


# ---- FLOPs of one training sample: 2 per multiply-add of the matrix products (forward, weight
# gradient, input gradient; the first layer needs no input gradient). Elementwise work is not
# counted, so the share of the matmul peak is a lower bound of how busy the cores are.

def _dense_flops(sizes) -> float:
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * (2 * sum(products) + sum(products[1:]))


def mlp_flops() -> float:
    return _dense_flops(MLP_SIZES)


def lenet_flops() -> float:
    conv1 = 6 * 1 * 25 * 28 * 28       # multiply-adds of the forward pass
    conv2 = 16 * 6 * 25 * 10 * 10
    dense = 400 * 120 + 120 * 84 + 84 * 10
    forward = conv1 + conv2 + dense
    return 2 * (3 * forward - conv1)     # no input gradient for the first layer


def rnn_flops(kind: str) -> float:
    """One sequence: per step the input projection (I x G·H) and the recurrent product (H x G·H),
    forward and weight gradient; the recurrent one also back through time; plus the head."""
    width = RNN_GATES[kind] * RNN_HIDDEN
    per_step = 2 * RNN_INPUT * width + 3 * RNN_HIDDEN * width
    return 2 * (RNN_STEPS * per_step + 2 * RNN_HIDDEN)


class Timed:
    """What a library's run module hands the worker: ``run()`` does one timed unit of ``work``
    samples (or fits), after ``warmup`` untimed units; ``extra()`` (optional) returns numbers to
    report after the timing."""

    def __init__(self, run, work: float, extra=None, warmup: int = 1):
        self.run, self.work, self.extra, self.warmup = run, work, extra, warmup


def load_arrays(path: str) -> dict:
    """The arrays of an .npz file written by a benchmark's driver, read into memory once."""
    with np.load(path) as arrays:
        return dict(arrays)


def fit_timed(model, arrays, predictions: str, **fit_options) -> Timed:
    """A Timed fit of a boosted-trees ``model`` on arrays["X"], arrays["y"] (no warm-up unit: each run
    module warms its library up on a slice); afterwards P(class 1) of arrays["X_test"] is saved to
    ``predictions`` for the driver to score."""
    def extra():
        np.save(predictions, model.predict_proba(arrays["X_test"])[:, 1])
        return {}
    return Timed(lambda: model.fit(arrays["X"], arrays["y"], **fit_options), 1, extra, warmup=0)


def digits_timed(model, arrays) -> Timed:
    """A Timed fit of a scikit-learn style classifier on the digits split (warnings about not
    converging silenced: the epochs are fixed on purpose), reporting its test accuracy."""
    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(arrays["X_train"], arrays["y_train"])
    return Timed(fit, 1, lambda: {"accuracy": model.score(arrays["X_test"], arrays["y_test"])})
