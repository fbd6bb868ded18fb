"""Hebbian learning: "neurons that fire together, wire together" (人工神经网络 5.1: 如果两个连接在一起
的神经元同时被激发，那么他们之间的连接会变强), as a local rule for the weight of any linear layer.

No loss and no gradient: each weight w_ij changes by what its two units do at the same time, with
y = W x the layer's linear response (its bias takes no part):

- plain Hebb:  ΔW = η ⟨y xᵀ⟩            w_ij grows when output i and input j are active together;
  on centred data it grows without bound along the first principal direction.
- Oja (1982):  ΔW = η ⟨y xᵀ − y yᵀ W⟩   the second term keeps each row's length near 1, and a
  single output unit converges to the first principal component of x (a unit eigenvector of ⟨x xᵀ⟩).
  With several outputs this is Oja's subspace rule: the rows span the leading principal subspace.

⟨·⟩ is the mean over the batch. The Hopfield network stores its patterns with the plain rule.
"""
from __future__ import annotations

import numpy as np

from ..autograd import as_array

RULES = ("hebb", "oja")


def hebb(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Σ_b y_b x_bᵀ, shape (outputs, inputs): how often output i and input j fire together.

    >>> hebb(x=np.array([[1., 0., 1.]]), y=np.array([[1., 0.]]))   # input units 0 and 2 fire with output 0
    array([[1., 0., 1.],
           [0., 0., 0.]])
    """
    return y.T @ x


def oja(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Σ_b (y_b x_bᵀ − y_b y_bᵀ W): Hebb's term minus the decay that keeps the rows of W normalized."""
    return hebb(x, y) - (y.T @ y) @ weight


class HebbianRule:
    """Trains the weight W (out, in) of a linear layer (``nn.Linear`` or any layer with a 2-D ``weight``)
    by Hebb's rule, ΔW = η ⟨y xᵀ⟩, or Oja's, ΔW = η ⟨y xᵀ − y yᵀ W⟩, with y = W x.

    Example: Oja's rule turns one linear unit into the first principal component of the data::

        unit = nn.Linear(5, 1, bias=False)
        rule = HebbianRule(unit, lr=0.01, rule="oja")
        for batch in np.array_split(X - X.mean(0), 100):
            rule.step(batch)                 # unit.weight → ± the top eigenvector of the covariance
    """

    def __init__(self, layer, lr: float = 0.01, rule: str = "hebb"):
        weight = getattr(layer, "weight", None)
        if weight is None or as_array(weight).ndim != 2:
            raise TypeError(f"HebbianRule needs a linear layer with a 2-D weight (out, in), got "
                            f"{type(layer).__name__}")
        if rule not in RULES:
            raise ValueError(f"HebbianRule: rule must be one of {RULES}, got {rule!r}")
        if not lr > 0:
            raise ValueError(f"HebbianRule: lr must be positive, got {lr}")
        self.layer, self.lr, self.rule = layer, lr, rule

    def response(self, x) -> np.ndarray:
        """y = W x for a batch x (B, in) or one input (in,), as an array."""
        weight = as_array(self.layer.weight)
        x = np.asarray(as_array(x), dtype=weight.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != weight.shape[1]:
            raise ValueError(f"HebbianRule on {type(self.layer).__name__}: expects inputs of shape "
                             f"(batch, {weight.shape[1]}) or ({weight.shape[1]},), got {x.shape}")
        return x @ weight.T

    def step(self, x) -> np.ndarray:
        """Update the layer's weight in place from the batch ``x``; returns the responses y it used."""
        weight = as_array(self.layer.weight)
        x = np.atleast_2d(np.asarray(as_array(x), dtype=weight.dtype))
        y = self.response(x)
        change = hebb(x, y) if self.rule == "hebb" else oja(x, y, weight)
        weight += (self.lr / len(x)) * change
        return y
