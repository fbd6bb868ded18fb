import numpy as np
import pytest

from glassnet.autograd import manual_seed
from glassnet.models import EventMPNN
from glassnet.physics import kinematics as kin
from glassnet.physics.events import generate
from glassnet.physics.graph_batch import (
    GraphBatch, edge_features, event_graph_batch, from_dense, fully_connected, knn_graph, radius_graph,
)
from glassnet.physics.graphs import MET_FLAG, delta_r_matrix, event_graphs


@pytest.fixture(scope="module")
def sample():
    return generate("stop", 200, rng=5, verbose=0)


def test_dense_to_edge_list_and_back(sample):
    rng = np.random.default_rng(0)
    edges = rng.random(sample.mask.shape + (6, 3)).astype(np.float32)
    batch = from_dense(sample.objects, sample.mask, edges=edges)
    n_real = sample.mask.sum(axis=1)
    assert batch.num_graphs == 200 and len(batch.x) == n_real.sum()
    assert batch.edge_index.shape[1] == (n_real * (n_real - 1)).sum()
    assert np.array_equal(batch.node_counts(), n_real)
    nodes, dense_edges, mask = batch.to_dense(max_nodes=6)
    real_pairs = fully_connected(sample.mask)
    assert np.array_equal(mask, sample.mask) and np.array_equal(nodes, sample.objects)
    assert np.array_equal(dense_edges[real_pairs], edges[real_pairs]) and not dense_edges[~real_pairs].any()


def test_select_is_the_batch_of_the_chosen_events(sample):
    full = event_graph_batch(sample, graph="knn", k=2)
    chosen = np.array([7, 3, 150, 3, 0])
    part = full.select(chosen)
    expected = event_graph_batch(sample[chosen], graph="knn", k=2)
    for name in ("x", "edge_index", "edge_attr", "batch"):
        assert np.array_equal(getattr(part, name), getattr(expected, name)), name
    assert part.num_graphs == 5


def test_radius_and_knn_graphs_against_a_loop(sample):
    is_met = sample.objects[..., MET_FLAG] == 1
    distance = delta_r_matrix(sample.momenta, is_met, sample.mask)
    radius, knn = radius_graph(distance, sample.mask, 1.5), knn_graph(distance, sample.mask, 2)
    for b in range(40):
        real = np.flatnonzero(sample.mask[b])
        for i in real:
            others = [j for j in real if j != i]
            assert set(np.flatnonzero(radius[b, i])) == {j for j in others if distance[b, i, j] < 1.5}
            nearest = sorted(others, key=lambda j: distance[b, i, j])[:2]
            assert set(np.flatnonzero(knn[b, i])) == set(nearest)


def test_edge_features_are_the_pair_quantities(sample):
    batch = event_graph_batch(sample, features=("delta_r", "delta_eta", "delta_phi", "invariant_mass",
                                                lambda p_i, p_j: p_i[:, 0] * p_j[:, 0]), gaussians=None)
    p = sample.momenta[sample.mask].astype(np.float64)
    source, target = batch.edge_index
    graph = batch.batch[target]
    slot = np.arange(len(batch.x)) - (np.cumsum(batch.node_counts()) - batch.node_counts())[batch.batch]
    dense_r = event_graphs(sample).distances
    assert np.allclose(batch.edge_attr[:, 0], dense_r[graph, slot[target], slot[source]], atol=1e-5)
    not_met = ~(batch.x[target, MET_FLAG] == 1) & ~(batch.x[source, MET_FLAG] == 1)
    eta = kin.pseudorapidity(p)
    assert np.allclose(batch.edge_attr[not_met, 1], (eta[target] - eta[source])[not_met], atol=1e-5)
    assert np.allclose(batch.edge_attr[:, 2], kin.wrap_phi(kin.phi(p[target]) - kin.phi(p[source])), atol=1e-5)
    assert np.allclose(batch.edge_attr[:, 3], kin.mass(p[target] + p[source]), rtol=1e-5, atol=1e-6)
    assert np.allclose(batch.edge_attr[:, 4], p[target, 0] * p[source, 0], rtol=1e-5)


def test_edge_features_reject_unknown_names_and_bad_functions(sample):
    batch = event_graph_batch(sample[:3])
    p, is_met = sample.momenta[:3][sample.mask[:3]], np.zeros(len(batch.x), bool)
    with pytest.raises(ValueError, match="unknown edge feature 'pt_ratio'"):
        edge_features(p, is_met, batch.edge_index, ("pt_ratio",))
    with pytest.raises(ValueError, match="must return \\(E,\\) or \\(E, k\\)"):
        edge_features(p, is_met, batch.edge_index, (lambda a, b: np.zeros(3),))
    with pytest.raises(ValueError, match="unknown graph 'star'"):
        event_graph_batch(sample[:3], graph="star")


def test_event_mpnn_scores_the_same_on_the_edge_list_and_padded(sample):
    manual_seed(0)
    model = EventMPNN.from_paper()
    graphs = event_graphs(sample)
    dense = model(graphs.nodes, graphs.edges(), graphs.mask).detach().numpy()
    batch = event_graph_batch(sample)
    sparse = model(batch.x, batch.edge_index, batch.edge_attr, batch.batch).detach().numpy()
    assert sparse.shape == (200,) and np.allclose(sparse, dense, atol=1e-6)


def test_event_mpnn_from_paper_has_the_papers_sizes():
    model = EventMPNN.from_paper()
    assert model.embed.weight.shape == (30, 7) and len(model.passes) == 2
    assert model.passes[0].message.weight.shape == (30, 30 + 21)
    assert EventMPNN.PAPER_TRAINING == {"loss": "binary_cross_entropy", "optimizer": "Adam", "lr": 1e-3,
                                        "batch_size": 500}


def test_event_mpnn_exports_to_torch_on_edge_lists(sample):
    torch = pytest.importorskip("torch")
    from glassnet.interop import to_torch
    model = EventMPNN.from_paper()
    batch = event_graph_batch(sample[:20], graph="radius", r=2.0)
    inputs = (batch.x, batch.edge_index, batch.edge_attr, batch.batch)
    twin = to_torch(model)
    expected = model(*inputs).detach().numpy()
    assert np.allclose(twin(*(torch.tensor(a) for a in inputs)).detach().numpy(), expected, atol=1e-6)


def test_graph_batch_to_dense_refuses_a_too_small_padding():
    batch = GraphBatch(np.zeros((3, 2), np.float32), np.zeros((2, 0), np.int64), np.zeros((0, 1), np.float32),
                       np.array([0, 0, 0]), 1)
    with pytest.raises(ValueError, match="a graph has 3 nodes, more than max_nodes=2"):
        batch.to_dense(max_nodes=2)
