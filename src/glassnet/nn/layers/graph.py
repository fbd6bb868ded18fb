"""Message passing on graphs (the lectures' event graphs, 事例图), in the two layouts the field uses.

Dense: a batch of B graphs of up to N nodes, node states h (B, N, F), edge features e (B, N, N, K) and a
node mask (B, N) (1 for a real node, 0 for padding). Edge list (PyTorch Geometric's): node states x (N, F)
of all graphs stacked, ``edge_index`` (2, E) with column (j, i) an edge from node j to node i, and edge
features ``edge_attr`` (E, K). One iteration t of ``MessagePassing``, with its own weights:

    m_ij = σ(W_M [h_j, e_ij] + b_M)               the message node j sends to node i   (B, N, N, M) or (E, M)
    m_i  = Σ_j a_ij m_ij                           collected by node i                  (B, N, M) or (N, M)
    h_i' = σ(W_U [h_i, m_i] + b_U)                 the updated state                    (B, N, F') or (N, F')

Dense: a_ij = mask_i · mask_j · [i ≠ j] (every pair of real nodes) and h' is zeroed on padding; all
pairs of all graphs are computed at once as (B, N, N, ·) tensors. Edge list: a_ij = 1 for each listed
edge; messages are gathered per edge and scatter-added per target (``nn.functional.graph``), so the
work grows with the number of edges, not with B · N². The same weights serve both layouts.
``message_passing_reference`` is the dense iteration written with loops, for reading and tests.

``EdgeConv`` (Wang et al., "Dynamic Graph CNN", 2019; ParticleNet's building block) on an edge list:

    x_i' = max_{j: (j, i) ∈ edges} h_Θ([x_i, x_j - x_i])      h_Θ any network (PyG's ``EdgeConv(nn, aggr)``)
"""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor, as_array, cat
from .. import functional as F
from ..functional.graph import as_index, index_select, scatter
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
    ``update`` on [h_i, m_i], both ``Linear`` layers followed by ReLU.

    ``layer(h, edges, mask)`` on dense graphs: h (B, N, F), edges (B, N, N, K), mask (B, N);
    ``layer(x, edge_index, edge_attr)`` on an edge list: x (N, F), edge_index (2, E), edge_attr (E, K).
    """

    def __init__(self, node_features: int, edge_features: int, message_features: int | None = None,
                 out_features: int | None = None, dtype=np.float32):
        super().__init__()
        self.node_features, self.edge_features = node_features, edge_features
        message_features = message_features or node_features
        out_features = out_features or node_features
        self.message = Linear(node_features + edge_features, message_features, dtype=dtype)
        self.update = Linear(node_features + message_features, out_features, dtype=dtype)

    def forward(self, x, edges, mask_or_edge_attr):
        x = as_float_input(self, x, self.message.weight.dtype)
        if x.ndim == 2:
            return self.forward_edge_list(x, edges, mask_or_edge_attr)
        edges = as_float_input(self, edges, self.message.weight.dtype)
        check_graph_shapes(self, x, edges, mask_or_edge_attr, self.node_features, self.edge_features)
        mask = as_mask(mask_or_edge_attr, x.dtype)
        # W_M [h_j, e_ij] = W_h h_j + W_e e_ij: the node part once per node, broadcast over i
        w = self.message.weight
        from_node = F.linear(x, w[:, :self.node_features]).unsqueeze(1)             # (B, 1, N, M)
        from_edge = F.linear(edges, w[:, self.node_features:], self.message.bias)   # (B, N, N, M)
        messages = F.relu(from_node + from_edge) * pair_mask(mask)
        collected = messages.sum(axis=2)                                             # (B, N, M)
        return F.relu(self.update(cat([x, collected], dim=-1))) * mask.unsqueeze(-1)

    def forward_edge_list(self, x, edge_index, edge_attr):
        """The same iteration on an edge list: x (N, F), edge_index (2, E), edge_attr (E, K)."""
        edge_attr = as_float_input(self, edge_attr, self.message.weight.dtype)
        source, target = check_edge_list(self, x, edge_index, edge_attr, self.node_features, self.edge_features)
        w = self.message.weight
        from_node = index_select(F.linear(x, w[:, :self.node_features]), 0, source)   # (E, M)
        from_edge = F.linear(edge_attr, w[:, self.node_features:], self.message.bias)  # (E, M)
        collected = scatter(F.relu(from_node + from_edge), target, dim_size=x.shape[0])  # (N, M)
        return F.relu(self.update(cat([x, collected], dim=-1)))

    def extra_repr(self) -> str:
        return (f"node_features={self.node_features}, edge_features={self.edge_features}, "
                f"message_features={self.message.out_features}, out_features={self.update.out_features}")


class EdgeConv(Module):
    """x_i' = aggr_{j → i} nn([x_i, x_j - x_i]) on an edge list (PyG's ``EdgeConv(nn, aggr='max')``):
    ``layer(x, edge_index)`` with x (N, F) and edge_index (2, E); ``nn`` maps (E, 2F) → (E, F')."""

    def __init__(self, nn: Module, aggr: str = "max"):
        super().__init__()
        if aggr not in ("max", "mean", "sum", "add"):
            raise ValueError(f"EdgeConv aggr must be 'max', 'mean', 'sum' or 'add', got {aggr!r}")
        self.nn, self.aggr = nn, aggr

    def forward(self, x, edge_index):
        x = x if isinstance(x, Tensor) else Tensor(as_array(x))
        if x.ndim != 2:
            raise LayerInputError(self, f"expects node features (N, F), got {tuple(x.shape)}")
        source, target = check_edge_list(self, x, edge_index, None, x.shape[1], 0)
        centre = index_select(x, 0, target)
        pairs = cat([centre, index_select(x, 0, source) - centre], dim=-1)               # (E, 2F)
        return scatter(self.nn(pairs), target, dim_size=x.shape[0], reduce=self.aggr)

    def extra_repr(self) -> str:
        return f"aggr={self.aggr!r}"


def check_edge_list(module: Module, x: Tensor, edge_index, edge_attr, node_features: int,
                    edge_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(source, target) index arrays, or a clear error unless x is (N, F), edge_index (2, E) of node
    numbers in [0, N) and edge_attr (E, K)."""
    if x.shape[-1] != node_features:
        raise LayerInputError(module, f"expects node features (N, {node_features}), got {tuple(x.shape)}")
    index = as_array(edge_index)
    if index.ndim != 2 or index.shape[0] != 2 or not np.issubdtype(index.dtype, np.integer):
        raise LayerInputError(module, f"expects an integer edge_index (2, E), got shape {index.shape} "
                                      f"and dtype {index.dtype}")
    if edge_attr is not None and tuple(edge_attr.shape) != (index.shape[1], edge_features):
        raise LayerInputError(module, f"expects edge_attr (E, K) = {(index.shape[1], edge_features)}, "
                                      f"got {tuple(edge_attr.shape)}")
    try:
        return (as_index(index[0], None, x.shape[0], "edge_index[0] (sources)"),
                as_index(index[1], None, x.shape[0], "edge_index[1] (targets)"))
    except ValueError as error:
        raise LayerInputError(module, f"got a bad edge list: {error}") from None


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
