"""Message passing on batches of padded graphs (the lectures' event graphs, 事例图).

A batch holds B graphs of up to N nodes: node states h (B, N, F), edge features e (B, N, N, K) and a
node mask (B, N) (1 for a real node, 0 for padding). One iteration t, with its own weights:

    m_ij = σ(W_M [h_j, e_ij] + b_M)               the message node j sends to node i   (B, N, N, M)
    m_i  = Σ_j a_ij m_ij,  a_ij = mask_i · mask_j · [i ≠ j]    collected by node i      (B, N, M)
    h_i' = σ(W_U [h_i, m_i] + b_U) · mask_i       the updated state, zero on padding    (B, N, F')

All pairs (i, j) of all graphs are computed at once as (B, N, N, ·) tensors: no loop over events or
nodes. ``message_passing_reference`` is the same iteration written with loops, for reading and tests.
"""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor, as_array, cat
from .. import functional as F
from ..module import LayerInputError, Module
from .linear import Linear, as_float_input


def as_mask(mask, dtype) -> Tensor:
    """The node mask (B, N) as a Tensor of ``dtype``. A Tensor mask is cast inside the graph, so a
    traced (exported) model reads the mask as an input instead of baking it in as a constant."""
    return (mask if isinstance(mask, Tensor) else Tensor(as_array(mask))).astype(dtype)


def pair_mask(mask: Tensor) -> Tensor:
    """a_ij = mask_i · mask_j · [i ≠ j] as a (B, N, N, 1) tensor, from the (B, N) float mask."""
    not_self = 1.0 - np.eye(mask.shape[-1], dtype=mask.dtype)
    return (mask.unsqueeze(-1) * mask.unsqueeze(-2) * not_self).unsqueeze(-1)


class MessagePassing(Module):
    """One message-passing iteration (see the module doc); ``message`` acts on [h_j, e_ij] and
    ``update`` on [h_i, m_i], both ``Linear`` layers followed by ReLU."""

    def __init__(self, node_features: int, edge_features: int, message_features: int | None = None,
                 out_features: int | None = None, dtype=np.float32):
        super().__init__()
        self.node_features, self.edge_features = node_features, edge_features
        message_features = message_features or node_features
        out_features = out_features or node_features
        self.message = Linear(node_features + edge_features, message_features, dtype=dtype)
        self.update = Linear(node_features + message_features, out_features, dtype=dtype)

    def forward(self, h, edges, mask):
        h = as_float_input(self, h, self.message.weight.dtype)
        edges = as_float_input(self, edges, self.message.weight.dtype)
        check_graph_shapes(self, h, edges, mask, self.node_features, self.edge_features)
        mask = as_mask(mask, h.dtype)
        # W_M [h_j, e_ij] = W_h h_j + W_e e_ij: the node part once per node, broadcast over i
        w = self.message.weight
        from_node = F.linear(h, w[:, :self.node_features]).unsqueeze(1)            # (B, 1, N, M)
        from_edge = F.linear(edges, w[:, self.node_features:], self.message.bias)   # (B, N, N, M)
        messages = F.relu(from_node + from_edge) * pair_mask(mask)
        collected = messages.sum(axis=2)                                             # (B, N, M)
        return F.relu(self.update(cat([h, collected], dim=-1))) * mask.unsqueeze(-1)

    def extra_repr(self) -> str:
        return (f"node_features={self.node_features}, edge_features={self.edge_features}, "
                f"message_features={self.message.out_features}, out_features={self.update.out_features}")


def check_graph_shapes(module: Module, h: Tensor, edges: Tensor, mask, node_features: int,
                       edge_features: int) -> None:
    """A clear error unless h is (B, N, F), edges (B, N, N, K) and mask (B, N)."""
    mask_shape = tuple(np.shape(as_array(mask)))
    if h.ndim != 3 or h.shape[-1] != node_features:
        raise LayerInputError(module, f"expects node states (B, N, {node_features}), got {tuple(h.shape)}")
    b, n = h.shape[:2]
    if tuple(edges.shape) != (b, n, n, edge_features):
        raise LayerInputError(module, f"expects edge features (B, N, N, K) = {(b, n, n, edge_features)}, "
                                      f"got {tuple(edges.shape)}")
    if mask_shape != (b, n):
        raise LayerInputError(module, f"expects a node mask (B, N) = {(b, n)}, got {mask_shape}")


def message_passing_reference(h, edges, mask, message_weight, message_bias, update_weight, update_bias):
    """One iteration with explicit loops over graphs and nodes (NumPy arrays in and out)."""
    batch, n = mask.shape
    out = np.zeros((batch, n, update_weight.shape[0]), dtype=h.dtype)
    for b in range(batch):
        for i in range(n):
            if not mask[b, i]:
                continue
            collected = np.zeros(message_weight.shape[0], dtype=h.dtype)
            for j in range(n):
                if j != i and mask[b, j]:
                    message = message_weight @ np.concatenate([h[b, j], edges[b, i, j]]) + message_bias
                    collected += np.maximum(message, 0.0)
            out[b, i] = np.maximum(update_weight @ np.concatenate([h[b, i], collected]) + update_bias, 0.0)
    return out
