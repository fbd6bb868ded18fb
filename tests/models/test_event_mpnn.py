import numpy as np
import pytest

from glassnet import nn
from glassnet.models import EventDNN, EventMPNN
from glassnet.physics import events as ev
from glassnet.physics.graphs import event_graphs
from glassnet.physics.search import blas_threads


@pytest.fixture(scope="module")
def graphs():
    return event_graphs(ev.generate("stop", 64, rng=9, verbose=0))


def permute_events(graphs, rng):
    """Shuffle the real objects of every event (each its own permutation), padding stays last."""
    nodes, edges, mask = graphs.nodes.copy(), graphs.edges(), graphs.mask
    out_edges = edges.copy()
    for b in range(len(nodes)):
        n_real = mask[b].sum()
        perm = np.r_[rng.permutation(n_real), np.arange(n_real, nodes.shape[1])]
        nodes[b] = graphs.nodes[b, perm]
        out_edges[b] = edges[b][perm][:, perm]
    return nodes, out_edges, mask


def test_sizes_follow_the_lecture():
    model = EventMPNN()
    assert model.embed.out_features == 30 and len(model.passes) == 2
    first, second = model.passes
    assert first.message.weight is not second.message.weight, "separate weights per iteration"
    assert sorted(model.state_dict()) == sorted(
        ["embed.weight", "embed.bias", "vote.weight", "vote.bias"]
        + [f"passes.{t}.{f}.{p}" for t in (0, 1) for f in ("message", "update") for p in ("weight", "bias")])


def test_scores_are_probabilities(graphs):
    score = EventMPNN()(graphs.nodes, graphs.edges(), graphs.mask).detach().numpy()
    assert score.shape == (64,) and np.all((score > 0) & (score < 1))


def test_permuting_the_objects_does_not_change_the_score(graphs):
    model = EventMPNN()
    score = model(graphs.nodes, graphs.edges(), graphs.mask).detach().numpy()
    permuted = model(*permute_events(graphs, np.random.default_rng(0))).detach().numpy()
    assert np.allclose(score, permuted, atol=1e-6)
    # the DNN on the flattened padded list is not invariant: that is what the graph buys
    dnn = EventDNN()
    assert not np.allclose(dnn(graphs.nodes).detach().numpy(), dnn(permute_events(graphs, np.random.default_rng(0))[0]).detach().numpy())


def test_padding_nodes_do_not_change_the_score(graphs):
    model = EventMPNN()
    score = model(graphs.nodes, graphs.edges(), graphs.mask).detach().numpy()
    extra = 4
    nodes = np.concatenate([graphs.nodes, np.zeros((64, extra, 7), np.float32)], axis=1)
    mask = np.concatenate([graphs.mask, np.zeros((64, extra), bool)], axis=1)
    edges = np.zeros((64, 10, 10, 21), np.float32)
    edges[:, :6, :6] = graphs.edges()
    assert np.allclose(model(nodes, edges, mask).detach().numpy(), score, atol=1e-6)


def test_an_event_without_objects_is_an_error(graphs):
    mask = graphs.mask.copy()
    mask[3] = False
    with pytest.raises(nn.LayerInputError, match="EventMPNN got an event without any real node"):
        EventMPNN()(graphs.nodes, graphs.edges(), mask)


def test_wrong_feature_count_is_named(graphs):
    with pytest.raises(nn.LayerInputError, match="EventMPNN expects node states \\(B, N, 7\\)"):
        EventMPNN()(graphs.nodes[..., :6], graphs.edges(), graphs.mask)
    with pytest.raises(nn.LayerInputError, match="Linear 'net.0' expects \\(\\*, 42\\)"):
        EventDNN()(graphs.nodes[:, :5])


def test_the_mpnn_learns(graphs):
    """A few Adam steps on one batch lower the loss (the full comparison is in tests/physics)."""
    from glassnet import optim
    from glassnet.nn import functional as F
    background = event_graphs(ev.generate("ttbar", 64, rng=8, verbose=0))
    nodes = np.concatenate([graphs.nodes, background.nodes])
    edges = np.concatenate([graphs.edges(), background.edges()])
    mask = np.concatenate([graphs.mask, background.mask])
    labels = np.r_[np.ones(64), np.zeros(64)].astype(np.float32)
    model = EventMPNN()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    with blas_threads(1):
        for _ in range(30):
            loss = F.binary_cross_entropy(model(nodes, edges, mask), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
