"""Scaled dot-product attention, as ``torch.nn.functional.scaled_dot_product_attention``."""
from __future__ import annotations

import math

import numpy as np

from ...autograd import Tensor, as_array, as_tensor, where
from .activation import softmax
from .linear import dropout


def _tensor(x) -> Tensor:
    return as_tensor(x)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None, rng=None):
    """softmax(Q Kᵀ · scale + M) V  with Q (…, L, E), K (…, S, E), V (…, S, Ev), scale = 1/√E.

    ``attn_mask`` broadcasts to (…, L, S): a boolean mask says which keys each query may attend
    to (True = take part, PyTorch's convention here), a float mask is added to the scores.
    ``is_causal`` lets query i see keys j ≤ i only.
    """
    query, key, value = _tensor(query), _tensor(key), _tensor(value)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        allowed = np.tril(np.ones(scores.shape[-2:], dtype=bool))
        scores = where(allowed, scores, -np.inf)
    if attn_mask is not None:
        mask = as_array(attn_mask)
        scores = where(mask, scores, -np.inf) if mask.dtype == bool else scores + mask.astype(scores.dtype)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, True, rng)
    return weights @ value
