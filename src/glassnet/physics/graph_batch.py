"""Event graphs as an edge list, the way PyTorch Geometric batches graphs of different sizes.

    x          (N, F)   the nodes of all events stacked (no padding)
    edge_index (2, E)   column e = (j, i): an edge from node j to node i (i receives j's message)
    edge_attr  (E, K)   the features of each edge
    batch      (N,)     which event each node belongs to (0 .. B-1, non-decreasing)

Built from padded event arrays in three steps: which pairs are edges (``fully_connected``,
``radius_graph`` in ΔR, ``knn_graph`` in ΔR: an adjacency (B, N, N) with adjacency[b, i, j] = edge j → i),
then ``from_dense`` turns the adjacency into the edge list, then ``edge_features`` computes each edge's
features from the two objects' four-vectors: ΔR, Δη, Δφ, the pair's invariant mass, or any function
f(p_i, p_j) of the receiver's and the sender's four-vectors (E, 4) each. ``GraphBatch.to_dense`` goes back
to the padded layout (nodes, edges, mask) that the dense ``MessagePassing`` takes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kinematics as kin
from .events import EventSample
from .graphs import MET_FLAG, Gaussians, delta_r_matrix, edge_mask


@dataclass
class GraphBatch:
    """B graphs as one edge list (see the module doc); edges are grouped by graph, in graph order."""

    x: np.ndarray
    edge_index: np.ndarray
    edge_attr: np.ndarray
    batch: np.ndarray
    num_graphs: int

    def __len__(self) -> int:
        return self.num_graphs

    def node_counts(self) -> np.ndarray:
        return np.bincount(self.batch, minlength=self.num_graphs)

    def edge_counts(self) -> np.ndarray:
        return np.bincount(self.batch[self.edge_index[1]], minlength=self.num_graphs)

    def select(self, graphs) -> "GraphBatch":
        """The graphs numbered ``graphs`` (an integer array, in that order) as a new batch: the
        mini-batching step, vectorized (nodes and edges are copied in blocks, edge numbers renumbered)."""
        graphs = np.asarray(graphs, dtype=np.int64)
        node_start, node_count = _starts(self.node_counts())
        edge_start, edge_count = _starts(self.edge_counts())
        nodes = _ranges(node_start[graphs], node_count[graphs])
        edges = _ranges(edge_start[graphs], edge_count[graphs])
        new_start = np.cumsum(node_count[graphs]) - node_count[graphs]
        # an edge's node numbers move by (its graph's new first node - its old first node)
        shift = np.repeat(new_start - node_start[graphs], edge_count[graphs])
        return GraphBatch(self.x[nodes], self.edge_index[:, edges] + shift, self.edge_attr[edges],
                          np.repeat(np.arange(len(graphs)), node_count[graphs]), len(graphs))

    def to_dense(self, max_nodes: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(nodes (B, N, F), edges (B, N, N, K), mask (B, N)): PyG's to_dense_batch and to_dense_adj.
        N = the largest graph unless ``max_nodes`` is given; edges[b, i, j] holds edge j → i, zero elsewhere."""
        counts = self.node_counts()
        start, _ = _starts(counts)
        n = int(counts.max(initial=0)) if max_nodes is None else max_nodes
        if counts.max(initial=0) > n:
            raise ValueError(f"a graph has {counts.max()} nodes, more than max_nodes={n}")
        slot = np.arange(len(self.batch)) - start[self.batch]  # each node's row inside its graph
        nodes = np.zeros((self.num_graphs, n, self.x.shape[1]), dtype=self.x.dtype)
        mask = np.zeros((self.num_graphs, n), dtype=bool)
        nodes[self.batch, slot], mask[self.batch, slot] = self.x, True
        edges = np.zeros((self.num_graphs, n, n, self.edge_attr.shape[1]), dtype=self.edge_attr.dtype)
        source, target = self.edge_index
        edges[self.batch[target], slot[target], slot[source]] = self.edge_attr
        return nodes, edges, mask


def _starts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.cumsum(counts) - counts, counts


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, s + c) for every (s, c), without a Python loop."""
    total = counts.sum()
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + offsets


# ----- which pairs are edges: adjacency (B, N, N), [b, i, j] = edge j → i -----
def fully_connected(mask: np.ndarray) -> np.ndarray:
    """Every ordered pair of distinct real nodes."""
    return edge_mask(mask).astype(bool)


def radius_graph(distance: np.ndarray, mask: np.ndarray, r: float) -> np.ndarray:
    """Pairs of distinct real nodes closer than ``r`` (in ΔR, or any distance matrix (B, N, N))."""
    return fully_connected(mask) & (distance < r)


def knn_graph(distance: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Each real node receives from its ``k`` nearest other real nodes (fewer if its event has fewer)."""
    if k < 1:
        raise ValueError(f"knn_graph needs k >= 1, got {k}")
    allowed = fully_connected(mask)
    ranked = np.argsort(np.where(allowed, distance, np.inf), axis=-1, kind="stable")[..., :k]
    adjacency = np.zeros_like(allowed)
    np.put_along_axis(adjacency, ranked, True, axis=-1)
    return adjacency & allowed


def from_dense(nodes: np.ndarray, mask: np.ndarray, adjacency: np.ndarray | None = None,
               edges: np.ndarray | None = None) -> GraphBatch:
    """The edge list of padded graphs: nodes (B, N, F), mask (B, N), adjacency (B, N, N) (default:
    fully connected), dense edge features (B, N, N, K) (default: none, K = 0). PyG's dense_to_sparse."""
    mask = np.asarray(mask, dtype=bool)
    if nodes.shape[:2] != mask.shape:
        raise ValueError(f"nodes {nodes.shape} and mask {mask.shape} disagree on (B, N)")
    adjacency = fully_connected(mask) if adjacency is None else adjacency & fully_connected(mask)
    graph, target, source = np.nonzero(adjacency)
    node_number = np.cumsum(mask.ravel()) - 1  # (b, i) -> row in the stacked node list
    b, n = mask.shape
    edge_index = np.stack([node_number[graph * n + source], node_number[graph * n + target]]).astype(np.int64)
    edge_attr = (np.zeros((len(graph), 0), nodes.dtype) if edges is None else edges[graph, target, source])
    batch = np.repeat(np.arange(b, dtype=np.int64), mask.sum(axis=1))
    return GraphBatch(nodes[mask], edge_index, edge_attr, batch, b)


# ----- edge features from the two objects' four-vectors -----
def _angles(p: np.ndarray, is_met: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y, η, φ) per node; the MET has no longitudinal direction, so its y and η are 0."""
    p = p.astype(np.float64)
    return (np.where(is_met, 0.0, kin.rapidity(p)), np.where(is_met, 0.0, kin.pseudorapidity(p)), kin.phi(p))


def delta_r_edges(p_i, p_j, met_i, met_j) -> np.ndarray:
    """ΔR = √(Δy² + Δφ²) with the rapidity (the paper's); |Δφ| alone on an edge to the MET."""
    (y_i, _, phi_i), (y_j, _, phi_j) = _angles(p_i, met_i), _angles(p_j, met_j)
    dphi = kin.wrap_phi(phi_i - phi_j)
    return np.where(met_i | met_j, np.abs(dphi), np.hypot(y_i - y_j, dphi))


def delta_eta_edges(p_i, p_j, met_i, met_j) -> np.ndarray:
    """η_i - η_j (0 on an edge to the MET)."""
    return np.where(met_i | met_j, 0.0, _angles(p_i, met_i)[1] - _angles(p_j, met_j)[1])


def delta_phi_edges(p_i, p_j, met_i, met_j) -> np.ndarray:
    """φ_i - φ_j wrapped into [-π, π)."""
    return kin.wrap_phi(kin.phi(p_i.astype(np.float64)) - kin.phi(p_j.astype(np.float64)))


def invariant_mass_edges(p_i, p_j, met_i, met_j) -> np.ndarray:
    """m_ij = √((p_i + p_j)²); the MET enters as the massless transverse vector (MET, MET_x, MET_y, 0)."""
    return kin.mass(p_i.astype(np.float64) + p_j.astype(np.float64))


EDGE_FEATURES = {"delta_r": delta_r_edges, "delta_eta": delta_eta_edges, "delta_phi": delta_phi_edges,
                 "invariant_mass": invariant_mass_edges}


def edge_features(momenta: np.ndarray, is_met: np.ndarray, edge_index: np.ndarray, features=("delta_r",),
                  gaussians: Gaussians | None = None) -> np.ndarray:
    """(E, K) float32 features of every edge j → i from the stacked four-vectors (N, 4) and MET flags (N,).

    ``features``: names from ``EDGE_FEATURES`` or functions f(p_i, p_j) → (E,) or (E, k) of the receiver's
    and the sender's four-vectors. With ``gaussians``, the 'delta_r' column is expanded into them (the
    paper's edge features)."""
    source, target = edge_index
    columns = []
    for feature in features:
        if callable(feature):
            value = np.asarray(feature(momenta[target], momenta[source]), dtype=np.float64)
            if value.shape[:1] != (len(target),) or value.ndim > 2:
                raise ValueError(f"edge feature function {getattr(feature, '__name__', feature)!r} must return "
                                 f"(E,) or (E, k) with E = {len(target)}, got shape {value.shape}")
        elif feature in EDGE_FEATURES:
            value = EDGE_FEATURES[feature](momenta[target], momenta[source], is_met[target], is_met[source])
            if feature == "delta_r" and gaussians is not None:
                value = gaussians(value)
        else:
            raise ValueError(f"unknown edge feature {feature!r}; choose from {', '.join(EDGE_FEATURES)} "
                             f"or pass a function f(p_i, p_j)")
        columns.append(value.reshape(len(target), -1))
    return np.concatenate(columns, axis=1).astype(np.float32)


GRAPHS = ("full", "radius", "knn")


def event_graph_batch(sample: EventSample, graph: str = "full", r: float = 1.0, k: int = 3,
                      features=("delta_r",), gaussians: Gaussians | None = Gaussians()) -> GraphBatch:
    """A sample's events as one ``GraphBatch``: nodes = the objects' seven features, edges from the
    ``graph`` builder ('full', 'radius' with ΔR < r, 'knn' with the k nearest in ΔR), edge features as
    in ``edge_features`` (default: ΔR in the paper's 21 Gaussians)."""
    is_met = sample.objects[..., MET_FLAG] == 1
    if graph == "full":
        adjacency = fully_connected(sample.mask)
    elif graph in ("radius", "knn"):
        distance = delta_r_matrix(sample.momenta, is_met, sample.mask)
        adjacency = (radius_graph(distance, sample.mask, r) if graph == "radius"
                     else knn_graph(distance, sample.mask, k))
    else:
        raise ValueError(f"unknown graph {graph!r}; choose one of {', '.join(GRAPHS)}")
    batch = from_dense(sample.objects, sample.mask, adjacency)
    batch.edge_attr = edge_features(sample.momenta[sample.mask], is_met[sample.mask], batch.edge_index,
                                    features, gaussians)
    return batch
