"""Networks that classify collider events: the event-graph message-passing network (EventMPNN) of
Abdughani, Ren, Wu, Yang, JHEP 08 (2019) 055 (the lectures' "事例图"), and a dense baseline (EventDNN).

EventMPNN, for one event graph with nodes x_i, edge features e_ij and T iterations:

    s_i^(0)   = ReLU(W_0 x_i + b_0)                       embed each object into a 30-dim state
    s_i^(t+1) = U_t(s_i^(t), Σ_{j≠i} M_t(s_j^(t), e_ij))  t = 0 .. T-1, separate weights per t
    p_i       = sigmoid(w · s_i^(T) + c)                  every node votes: "this event is signal"
    p         = Σ_i mask_i p_i / Σ_i mask_i              the event's score: the votes averaged

Because messages are summed and votes averaged over real nodes only, the score does not depend on the
order of the objects or on how many padded rows follow them. The model takes dense padded graphs
``model(nodes, edges, mask)`` or an edge list ``model(x, edge_index, edge_attr, batch)`` (PyG's layout,
see ``glassnet.physics.graph_batch``), with the same weights.

``EventMPNN.from_paper()`` is the network with the paper's every setting: the seven node features
(object type, lepton charge, b-tag, pT, E, m in TeV), 30-dim states, ΔR (rapidity-azimuth) expanded
in 21 Gaussians on [0, 5] with σ = 0.25, T = 2; trained (``PAPER_TRAINING``) on the binary
cross-entropy with Adam, learning rate 10⁻³, batches of 500 events.
"""
from __future__ import annotations

from ..autograd import as_array
from .. import nn
from ..nn import functional as F
from ..nn.functional.graph import global_mean_pool
from ..nn.layers.graph import MessagePassing, as_mask, check_graph_shapes
from ..nn.layers.linear import as_float_input


class EventMPNN(nn.Module):
    """Score (B,) in (0, 1) of a batch of padded event graphs: ``model(nodes, edges, mask)`` with nodes
    (B, N, node_features), edges (B, N, N, edge_features), mask (B, N)."""

    PAPER_TRAINING = {"loss": "binary_cross_entropy", "optimizer": "Adam", "lr": 1e-3, "batch_size": 500}

    def __init__(self, node_features: int = 7, edge_features: int = 21, hidden: int = 30,
                 iterations: int = 2):
        super().__init__()
        if iterations < 1:
            raise ValueError(f"EventMPNN needs at least one message-passing iteration, got {iterations}")
        self.node_features, self.edge_features = node_features, edge_features
        self.embed = nn.Linear(node_features, hidden)
        self.passes = nn.ModuleList([MessagePassing(hidden, edge_features, hidden, hidden)
                                     for _ in range(iterations)])
        self.vote = nn.Linear(hidden, 1)

    @classmethod
    def from_paper(cls) -> "EventMPNN":
        """The network of Abdughani, Ren, Wu, Yang (arXiv:1807.09088): 7 node features, 21 Gaussian edge
        features, 30-dim states, T = 2 (train it with ``PAPER_TRAINING``)."""
        return cls(node_features=7, edge_features=21, hidden=30, iterations=2)

    def forward(self, nodes, edges, mask_or_edge_attr, batch=None):
        nodes = as_float_input(self, nodes, self.embed.weight.dtype)
        if nodes.ndim == 2:
            return self.forward_edge_list(nodes, edges, mask_or_edge_attr, batch)
        mask = mask_or_edge_attr
        check_graph_shapes(self, nodes, edges, mask, self.node_features, self.edge_features)
        if (as_array(mask).sum(axis=1) == 0).any():
            raise nn.LayerInputError(self, "got an event without any real node (an all-zero mask row)")
        mask = as_mask(mask, nodes.dtype)
        state = F.relu(self.embed(nodes)) * mask.unsqueeze(-1)
        for layer in self.passes:
            state = layer(state, edges, mask)
        votes = F.sigmoid(self.vote(state)).squeeze(-1)                # (B, N)
        return (votes * mask).sum(axis=1) / mask.sum(axis=1)

    def forward_edge_list(self, x, edge_index, edge_attr, batch=None):
        """Scores (B,) of the graphs of an edge list: x (N, F), edge_index (2, E), edge_attr (E, K),
        batch (N,) (None: one graph)."""
        state = F.relu(self.embed(x))
        for layer in self.passes:
            state = layer(state, edge_index, edge_attr)
        return global_mean_pool(F.sigmoid(self.vote(state)), batch).squeeze(-1)


class EventDNN(nn.Module):
    """Baseline: a fully connected network on the flattened padded object features (B, N · F) → score (B,)."""

    def __init__(self, in_features: int = 6 * 7, hidden: int = 64, layers: int = 2):
        super().__init__()
        sizes = [in_features] + [hidden] * layers
        blocks = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            blocks += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        self.net = nn.Sequential(*blocks, nn.Linear(hidden, 1), nn.Sigmoid())

    def forward(self, nodes):
        nodes = as_float_input(self, nodes, self.net[0].weight.dtype)
        if nodes.ndim < 2:
            raise nn.LayerInputError(self, f"expects a batch of events (B, N, F), got {tuple(nodes.shape)}")
        return self.net(nodes.flatten(1)).squeeze(-1)
