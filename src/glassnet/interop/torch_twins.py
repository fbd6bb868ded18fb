"""The PyTorch side of the glassnet pieces that ``torch`` lacks (imported only when converting).

- Layers: ``MessagePassing``, ``EdgeConv``, ``AdditiveAttention`` and ``PositionalEncoding`` as
  ``torch.nn.Module``s with the glassnet layers' constructor arguments and parameter names, each written
  as its equations.
- Functions: ``function_twins()`` maps the glassnet functions a model's forward may call
  (``F.relu``, ``gn.cat``, ``as_float_input``, ...) to the torch functions that mean the same, so
  that the forward runs unchanged on torch tensors once converted.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def _scatter(src, target, n_nodes: int, reduce: str):
    """Rows of ``src`` reduced per ``target`` into (n_nodes, ...), zero where nothing arrives (as glassnet)."""
    reduce = {"sum": "sum", "add": "sum", "mean": "mean", "max": "amax"}[reduce]
    out = src.new_zeros((n_nodes,) + tuple(src.shape[1:]))
    index = target.view(-1, *([1] * (src.dim() - 1))).expand_as(src)
    return out.scatter_reduce(0, index, src, reduce=reduce, include_self=False)


class MessagePassing(nn.Module):
    """One message-passing iteration (see ``glassnet.nn.layers.graph``), dense or on an edge list:

        m_ij = relu(W_M [h_j, e_ij] + b_M),  m_i = Σ_j a_ij m_ij,  h_i' = relu(W_U [h_i, m_i] + b_U)

    dense: a_ij = mask_i mask_j [i ≠ j] and h' · mask_i; edge list: a_ij = 1 for each edge (j, i).
    """

    def __init__(self, node_features: int, edge_features: int, message_features: int | None = None,
                 out_features: int | None = None):
        super().__init__()
        self.node_features, self.edge_features = node_features, edge_features
        message_features = message_features or node_features
        self.message = nn.Linear(node_features + edge_features, message_features)
        self.update = nn.Linear(node_features + message_features, out_features or node_features)

    def forward(self, h, edges, mask_or_edge_attr):
        if h.dim() == 2:  # edge list: edges is edge_index (2, E), the third argument edge_attr (E, K)
            source, target = torch.as_tensor(edges)
            messages = F.relu(self.message(torch.cat([h[source], mask_or_edge_attr], dim=-1)))
            return F.relu(self.update(torch.cat([h, _scatter(messages, target, h.shape[0], "sum")], dim=-1)))
        mask = torch.as_tensor(mask_or_edge_attr).to(h.dtype)
        n = h.shape[1]
        senders = h.unsqueeze(1).expand(-1, n, -1, -1)                  # [i, j] -> h_j
        pairs = mask[:, :, None] * mask[:, None, :] * (1 - torch.eye(n, dtype=h.dtype))
        messages = F.relu(self.message(torch.cat([senders, edges], dim=-1))) * pairs[..., None]
        return F.relu(self.update(torch.cat([h, messages.sum(dim=2)], dim=-1))) * mask[..., None]


class EdgeConv(nn.Module):
    """x_i' = aggr_{j → i} nn([x_i, x_j - x_i]) on an edge list (as ``glassnet.nn.EdgeConv``)."""

    def __init__(self, nn: nn.Module, aggr: str = "max"):
        super().__init__()
        self.nn, self.aggr = nn, aggr

    def forward(self, x, edge_index):
        source, target = torch.as_tensor(edge_index)
        centre = x[target]
        return _scatter(self.nn(torch.cat([centre, x[source] - centre], dim=-1)), target, x.shape[0], self.aggr)


class AdditiveAttention(nn.Module):
    """Bahdanau attention: score(q, k) = vᵀ tanh(W_q q + W_k k), weights = softmax over the keys,
    context = Σ weights · values; returns (context, weights) as the glassnet layer does."""

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int):
        super().__init__()
        self.query_proj = nn.Linear(query_dim, hidden_dim, bias=False)
        self.key_proj = nn.Linear(key_dim, hidden_dim)
        self.score = nn.Linear(hidden_dim, 1, bias=False)

    def forward(self, query, keys, values=None, key_padding_mask=None):
        values = keys if values is None else values
        single = query.dim() == 2
        query = query.unsqueeze(1) if single else query
        energy = torch.tanh(self.query_proj(query).unsqueeze(2) + self.key_proj(keys).unsqueeze(1))
        scores = self.score(energy).squeeze(-1)                          # (N, L, S)
        if key_padding_mask is not None:
            padding = torch.as_tensor(key_padding_mask, dtype=torch.bool)[:, None, :]
            scores = scores.masked_fill(padding, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = weights @ values
        return (context.squeeze(1), weights.squeeze(1)) if single else (context, weights)


class PositionalEncoding(nn.Module):
    """x + PE[:L], then dropout: PE(pos, 2i) = sin(pos·ω_i), PE(pos, 2i+1) = cos(pos·ω_i),
    ω_i = 10000^(−2i/d_model); buffer ``pe`` (max_len, d_model)."""

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000, batch_first: bool = False):
        super().__init__()
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        position = torch.arange(max_len, dtype=torch.float64)[:, None]
        frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(position * frequency)
        pe[:, 1::2] = torch.cos(position * frequency[: d_model // 2])
        self.register_buffer("pe", pe.float())
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        length = x.shape[1] if self.batch_first else x.shape[0]
        return self.dropout(x + (self.pe[None, :length] if self.batch_first else self.pe[:length, None]))


def _as_float_input(module, x, dtype):
    x = torch.as_tensor(x)
    if x.dtype != dtype:
        raise TypeError(f"{type(module).__name__} has {dtype} weights but got a {x.dtype} input of shape "
                        f"{tuple(x.shape)}; convert it with x.float() (or model.double())")
    return x


def function_twins() -> dict:
    """glassnet function -> the torch function with the same meaning and arguments."""
    from .. import autograd
    from ..nn import functional as gnF
    from ..nn.layers.graph import as_mask
    from ..nn.layers.linear import as_float_input
    return {
        autograd.as_array: torch.as_tensor, autograd.cat: torch.cat, autograd.stack: torch.stack,
        gnF.relu: F.relu, gnF.sigmoid: torch.sigmoid, gnF.tanh: torch.tanh, gnF.softmax: F.softmax,
        gnF.log_softmax: F.log_softmax, gnF.linear: F.linear, gnF.embedding: F.embedding, gnF.gelu: F.gelu,
        as_float_input: _as_float_input, as_mask: lambda mask, dtype: torch.as_tensor(mask).to(dtype),
        gnF.index_select: lambda x, dim, index: x.index_select(dim, torch.as_tensor(index)),
        gnF.global_add_pool: _pool("sum"), gnF.global_mean_pool: _pool("mean"), gnF.global_max_pool: _pool("max"),
    }


def _pool(reduce: str):
    """The torch twin of ``glassnet.nn.functional.global_<reduce>_pool``."""
    def pool(x, batch=None, size=None):
        batch = torch.zeros(x.shape[0], dtype=torch.long) if batch is None else torch.as_tensor(batch)
        return _scatter(x, batch, int(batch.max()) + 1 if size is None else size, reduce)
    return pool
