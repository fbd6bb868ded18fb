"""Measurements that look inside recurrent networks, and their figures (written to files).

- ``gradient_norms_through_time``: how much of a loss read at the last step reaches each earlier
  input, ‖∂L/∂x_t‖ for t = 1..T: it shrinks geometrically in a plain tanh RNN (vanishing gradients,
  the lectures' "short-term memory"), grows when its recurrent weights are large (exploding), and
  stays usable through an LSTM's additive cell state.
- ``plot_gradient_norms``, ``plot_attention`` (an attention map of a seq2seq translation) and
  ``plot_memory_curve`` (accuracy against delay for RNN, LSTM, GRU).
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from ..autograd import Tensor, as_array, manual_seed, tensor
from .layers.recurrent import GRU, LSTM, RNN

RECURRENT = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}


def gradient_norms_through_time(kind: str = "RNN", length: int = 100, input_size: int = 4,
                                hidden_size: int = 32, batch_size: int = 16, weight_scale: float = 1.0,
                                seed: int = 0) -> np.ndarray:
    """‖∂L/∂x_t‖ (mean over the batch) for t = 1..length, L = Σ h_T at the last step only.

    The layer has PyTorch's initialization with its recurrent weights W_hh multiplied by
    ``weight_scale`` (> 1 pushes a tanh RNN toward exploding gradients).
    """
    manual_seed(seed)
    layer = RECURRENT[kind](input_size, hidden_size, batch_first=True, dtype=np.float64)
    layer.weight_hh_l0.data *= weight_scale
    x = tensor(np.random.default_rng(seed).standard_normal((batch_size, length, input_size)), requires_grad=True)
    out, _ = layer(x)
    out[:, -1].sum().backward()
    return np.linalg.norm(x.grad.numpy(), axis=2).mean(axis=0)


def _save(fig, path: str) -> str:
    """Write a figure atomically (temporary file, then rename) and close it."""
    import matplotlib.pyplot as plt

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    suffix = os.path.splitext(path)[1] or ".png"
    handle, tmp = tempfile.mkstemp(dir=folder, suffix=suffix)
    os.close(handle)
    try:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        plt.close(fig)
    return path


def _figure(size=(7, 4.5)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)


def plot_gradient_norms(curves: dict, path: str, title: str = "Gradient reaching each time step") -> str:
    """``curves``: label → ‖∂L/∂x_t‖ array (from ``gradient_norms_through_time``), on a log scale
    against the distance T − t from the step where the loss is read."""
    fig, ax = _figure()
    for label, norms in curves.items():
        distance = np.arange(len(norms))[::-1]
        ax.semilogy(distance, np.maximum(norms, 1e-300), label=label)
    ax.set_xlabel("steps back from the loss (T − t)")
    ax.set_ylabel("‖∂L/∂x_t‖ (batch mean)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return _save(fig, path)


def plot_attention(weights, source: str | list, target: str | list, path: str,
                   title: str = "Attention weights") -> str:
    """An attention map: rows are the produced target symbols, columns the source symbols."""
    weights = as_array(weights)[:len(target), :len(source)]
    fig, ax = _figure((max(4, 0.45 * len(source) + 1.5), max(3, 0.45 * len(target) + 1)))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source)), list(source))
    ax.set_yticks(range(len(target)), list(target))
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="weight α")
    return _save(fig, path)


def plot_memory_curve(delays, curves: dict, path: str, ylabel: str = "accuracy (|error| < 0.04)",
                      title: str = "Adding problem: how far back can each network remember?") -> str:
    """``curves``: label → one score per delay (e.g. from ``glassnet.models.memory_curve``)."""
    fig, ax = _figure()
    for label, scores in curves.items():
        ax.plot(delays, scores, marker="o", label=label)
    ax.set_xlabel("delay (sequence length)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return _save(fig, path)
