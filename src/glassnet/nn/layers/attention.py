"""Attention layers: multi-head scaled dot-product attention (as ``torch.nn.MultiheadAttention``)
and additive (Bahdanau) attention.

Attention is a soft lookup: each query scores every key, the scores become weights by a softmax,
and the answer is the weighted mean of the values.
"""
from __future__ import annotations

import math

import numpy as np

from ...autograd import Tensor, as_array, where
from .. import functional as F
from .. import init
from ..module import LayerInputError, Module, Parameter
from .linear import Linear, as_float_input


def _additive_mask(mask, name: str, module, dtype) -> np.ndarray | None:
    """A boolean mask (True = masked out, as MultiheadAttention's) or a float mask, as scores to add."""
    if mask is None:
        return None
    mask = as_array(mask)
    if mask.dtype == bool:
        return np.where(mask, -np.inf, 0).astype(dtype)
    if not np.issubdtype(mask.dtype, np.floating):
        raise LayerInputError(module, f"expects {name} to be boolean or float, got dtype {mask.dtype}")
    return mask.astype(dtype)


class MultiheadAttention(Module):
    """softmax(Q_h K_hᵀ/√d + mask) V_h for each head h, heads joined and projected by ``out_proj``.

    Parameters as PyTorch's: ``in_proj_weight`` (3E, E) (Xavier-uniform) and ``in_proj_bias`` (3E,)
    (zeros) hold the query, key and value projections stacked; ``out_proj`` is a Linear(E, E) with
    zero bias. Inputs (L, N, E), or (N, L, E) with ``batch_first``, or unbatched (L, E).
    ``key_padding_mask`` (N, S): True marks keys to ignore; ``attn_mask`` (L, S) or (N·heads, L, S):
    True marks forbidden pairs (float masks are added to the scores).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, dtype=np.float32, rng=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"embed_dim ({embed_dim}) must be a positive multiple of num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first, self.rng = dropout, batch_first, rng
        self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dtype))
        self.register_parameter("in_proj_bias", Parameter(np.zeros(3 * embed_dim, dtype=dtype)) if bias else None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        init.xavier_uniform_(self.in_proj_weight, rng=rng)
        if bias:
            self.out_proj.bias.data[...] = 0

    def _check(self, x, name: str) -> Tensor:
        x = as_float_input(self, x, self.in_proj_weight.dtype)
        if x.ndim not in (2, 3) or x.shape[-1] != self.embed_dim:
            layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
            raise LayerInputError(self, f"expects {name} of shape {layout} or (L, E) with E = "
                                        f"{self.embed_dim}, got {tuple(x.shape)}")
        return x

    def _heads(self, x: Tensor, block: int) -> Tensor:
        """(N, L, E) → projected (N, heads, L, head_dim) with block 0, 1, 2 = query, key, value."""
        rows = slice(block * self.embed_dim, (block + 1) * self.embed_dim)
        bias = None if self.in_proj_bias is None else self.in_proj_bias[rows]
        projected = F.linear(x, self.in_proj_weight[rows], bias)
        n, length = x.shape[:2]
        return projected.reshape(n, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        """Returns (output like ``query``, weights (N, L, S) averaged over heads, or per head
        (N, heads, L, S), or None without ``need_weights``)."""
        query, key, value = (self._check(t, name) for t, name in
                             ((query, "query"), (key, "key"), (value, "value")))
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, length, source = query.shape[0], query.shape[1], key.shape[1]
        if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
            raise LayerInputError(self, f"expects key and value with the same batch and length as each "
                                        f"other and the query's batch, got query {tuple(query.shape)}, "
                                        f"key {tuple(key.shape)}, value {tuple(value.shape)}")
        scores = (self._heads(query, 0) @ self._heads(key, 1).transpose(-2, -1)) / math.sqrt(self.head_dim)
        scores = self._masked(scores, key_padding_mask, attn_mask, is_causal, n, length, source)
        weights = F.softmax(scores, dim=-1)
        if self.dropout > 0 and self.training:
            weights = F.dropout(weights, self.dropout, True, self.rng)
        out = (weights @ self._heads(value, 2)).permute(0, 2, 1, 3).reshape(n, length, self.embed_dim)
        out = self.out_proj(out)
        if unbatched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        weights = weights.mean(axis=1) if average_attn_weights else weights
        return out, (weights.squeeze(0) if unbatched else weights)

    def _masked(self, scores, key_padding_mask, attn_mask, is_causal, n, length, source):
        dtype = scores.dtype
        padding = _additive_mask(key_padding_mask, "key_padding_mask", self, dtype)
        if padding is not None:
            if padding.shape not in ((n, source), (source,)):
                raise LayerInputError(self, f"expects key_padding_mask of shape ({n}, {source}), "
                                            f"got {padding.shape}")
            scores = scores + padding.reshape(-1, 1, 1, source)
        mask = _additive_mask(attn_mask, "attn_mask", self, dtype)
        if mask is None and is_causal:
            mask = np.where(np.tril(np.ones((length, source), dtype=bool)), 0, -np.inf).astype(dtype)
        if mask is not None:
            if mask.shape == (length, source):
                scores = scores + mask
            elif mask.shape == (n * self.num_heads, length, source):
                scores = scores + mask.reshape(n, self.num_heads, length, source)
            else:
                raise LayerInputError(self, f"expects attn_mask of shape ({length}, {source}) or "
                                            f"({n * self.num_heads}, {length}, {source}), got {mask.shape}")
        return scores

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"


class AdditiveAttention(Module):
    """Bahdanau attention: score(q, k) = vᵀ tanh(W_q q + W_k k), weights = softmax over the keys,
    context = Σ weights · values.

    ``forward(query (N, L, Dq) or (N, Dq), keys (N, S, Dk), values=keys, key_padding_mask=None)``
    returns (context (N, L, Dv) or (N, Dv), weights (N, L, S) or (N, S)); True in
    ``key_padding_mask`` (N, S) marks keys to ignore.
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int, dtype=np.float32):
        super().__init__()
        self.query_proj = Linear(query_dim, hidden_dim, bias=False, dtype=dtype)
        self.key_proj = Linear(key_dim, hidden_dim, dtype=dtype)
        self.score = Linear(hidden_dim, 1, bias=False, dtype=dtype)

    def forward(self, query, keys, values=None, key_padding_mask=None):
        query = as_float_input(self, query, self.score.weight.dtype)
        keys = as_float_input(self, keys, self.score.weight.dtype)
        values = keys if values is None else as_float_input(self, values, self.score.weight.dtype)
        single = query.ndim == 2
        if single:
            query = query.unsqueeze(1)
        if keys.ndim != 3 or values.ndim != 3 or query.ndim != 3 or values.shape[:2] != keys.shape[:2] \
                or query.shape[0] != keys.shape[0]:
            raise LayerInputError(self, f"expects query (N, L, Dq), keys (N, S, Dk), values (N, S, Dv), got "
                                        f"{tuple(query.shape)}, {tuple(keys.shape)}, {tuple(values.shape)}")
        energy = (self.query_proj(query).unsqueeze(2) + self.key_proj(keys).unsqueeze(1)).tanh()
        scores = self.score(energy).squeeze(-1)                      # (N, L, S)
        if key_padding_mask is not None:
            keep = ~as_array(key_padding_mask).astype(bool, copy=False)
            scores = where(keep[:, None, :], scores, -np.inf)
        weights = F.softmax(scores, dim=-1)
        context = weights @ values
        return (context.squeeze(1), weights.squeeze(1)) if single else (context, weights)
