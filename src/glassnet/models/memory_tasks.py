"""Long-memory experiments: train RNN, LSTM and GRU on the adding problem and measure how their
accuracy falls as the delay grows (the lectures' short-term memory of a plain RNN).

    from glassnet.models import memory_curve
    from glassnet.nn.analysis import plot_memory_curve
    curves = memory_curve(["RNN", "LSTM", "GRU"], delays=[10, 25, 50, 100])
    plot_memory_curve([10, 25, 50, 100], curves, "memory.png")
"""
from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from .. import nn, optim
from ..autograd import manual_seed, no_grad
from ..data.sequences import adding_problem
from .char_rnn import recurrent_class


class LastStepRegressor(nn.Module):
    """A recurrent layer read out at the last step by a linear layer: y = W h_T + b."""

    def __init__(self, input_size: int, hidden_size: int, cell: str = "LSTM", outputs: int = 1):
        super().__init__()
        self.rnn = recurrent_class(cell)(input_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def train_adding_problem(cell: str, length: int, steps: int = 700, hidden_size: int = 32,
                         lr: float = 0.02, batch_size: int = 64, clip: float = 1.0, seed: int = 0,
                         test_size: int = 1000, verbose: int = 1) -> dict:
    """Train a ``LastStepRegressor`` with Adam and gradient clipping on fresh adding-problem batches.

    Returns {"mse", "accuracy" (share of test sums within 0.04), "baseline_mse" (always answering
    the mean 1.0), "model"} on a held-out test set.
    """
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = LastStepRegressor(2, hidden_size, cell)
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in tqdm(range(steps), desc=f"{cell} adding problem, length {length}", disable=not verbose):
        x, y = adding_problem(batch_size, length, rng=rng)
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
    x, y = adding_problem(test_size, length, rng=rng)
    with no_grad():
        error = model(x).detach().numpy() - y
    return {"mse": float(np.mean(error ** 2)), "accuracy": float(np.mean(np.abs(error) < 0.04)),
            "baseline_mse": float(np.mean((y - 1.0) ** 2)), "model": model}


def memory_curve(cells=("RNN", "LSTM", "GRU"), delays=(10, 25, 50, 100), steps: int = 700,
                 verbose: int = 1, **train_options) -> dict:
    """{cell: [test accuracy at each delay]} from ``train_adding_problem``."""
    return {cell: [train_adding_problem(cell, d, steps, verbose=verbose, **train_options)["accuracy"]
                   for d in delays] for cell in cells}
