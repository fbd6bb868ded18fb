"""Edge-list message passing, EdgeConv and the pools: against PyTorch Geometric on random graphs of 1 to 60
nodes (same graphs, same weights; forward and gradients), against the dense layout, and exported to torch."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.interop import to_torch
from glassnet.nn import functional as F

SIZES = (1, 2, 5, 17, 60)


def random_edge_list(rng, n_nodes, features=4, edge_features=3, density=0.4):
    """A random directed graph without self-loops: x (N, F), edge_index (2, E), edge_attr (E, K)."""
    pairs = [(j, i) for i in range(n_nodes) for j in range(n_nodes) if i != j and rng.random() < density]
    edge_index = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    x = rng.normal(size=(n_nodes, features)).astype(np.float32)
    edge_attr = rng.random((edge_index.shape[1], edge_features)).astype(np.float32)
    return x, edge_index, edge_attr


def close(a, b):
    return np.allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_scatter_gradients_by_finite_differences(reduce):
    rng = np.random.default_rng(0)
    src = rng.normal(size=(9, 3))
    index = np.array([0, 2, 2, 0, 3, 3, 3, 0, 2])  # row 1 receives nothing
    gn.autograd.gradcheck(lambda s: F.scatter(s, index, dim_size=5, reduce=reduce), [src])


def test_index_select_gradient_by_finite_differences():
    rng = np.random.default_rng(1)
    gn.autograd.gradcheck(lambda x: F.index_select(x, 0, np.array([2, 0, 2, 2, 1])), [rng.normal(size=(4, 3))])


def test_scatter_max_ties_share_the_gradient_and_empty_rows_are_zero():
    src = gn.tensor(np.array([[1.0], [3.0], [3.0], [2.0]]), requires_grad=True)
    out = F.scatter(src, np.array([0, 0, 0, 2]), dim_size=3, reduce="max")
    out.sum().backward()
    assert out.detach().numpy().ravel().tolist() == [3.0, 0.0, 2.0]
    assert gn.autograd.as_array(src.grad).ravel().tolist() == [0.0, 0.5, 0.5, 1.0]


@pytest.mark.parametrize("bad, message", [
    (np.array([0, 1, 5]), "outside \\[0, 4\\)"),
    (np.array([0.0, 1.0, 2.0]), "1-D integer array"),
    (np.array([0, 1]), "has 2 entries but the input has 3 rows"),
])
def test_scatter_rejects_bad_indices(bad, message):
    with pytest.raises(ValueError, match=message):
        F.scatter(np.ones((3, 2)), bad, dim_size=4)


def test_edge_list_layers_name_the_bad_input():
    layer = nn.MessagePassing(4, 3)
    x = np.zeros((5, 4), np.float32)
    with pytest.raises(nn.LayerInputError, match="MessagePassing expects edge_attr \\(E, K\\) = \\(2, 3\\)"):
        layer(x, np.array([[0, 1], [1, 0]]), np.zeros((2, 2), np.float32))
    with pytest.raises(nn.LayerInputError, match="edge_index\\[1\\] \\(targets\\) holds values outside"):
        layer(x, np.array([[0, 1], [1, 9]]), np.zeros((2, 3), np.float32))
    with pytest.raises(nn.LayerInputError, match="integer edge_index \\(2, E\\)"):
        nn.EdgeConv(nn.Linear(8, 2))(x, np.zeros((3, 2), np.int64))


def test_edge_list_equals_the_dense_layout_on_fully_connected_graphs():
    rng = np.random.default_rng(2)
    layer = nn.MessagePassing(4, 3, message_features=6, out_features=5)
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    h = rng.normal(size=(2, 4, 4)).astype(np.float32) * mask[..., None]
    edges = rng.random((2, 4, 4, 3)).astype(np.float32)
    dense = layer(h, edges, mask).detach().numpy()
    graph, target, source = np.nonzero(mask[:, :, None] & mask[:, None, :] & ~np.eye(4, dtype=bool))
    node_number = np.cumsum(mask.ravel()) - 1  # (b, i) -> row in the stacked node list
    edge_index = np.stack([node_number[graph * 4 + source], node_number[graph * 4 + target]])
    sparse = layer(h[mask], edge_index, edges[graph, target, source]).detach().numpy()
    assert close(sparse, dense[mask])


# ----- PyTorch Geometric on the same graphs and weights -----
def pyg_paper_layer(torch, pyg, layer):
    """PyG's MessagePassing machinery with the paper's message and update, and glassnet's weights."""
    class PaperLayer(pyg.nn.MessagePassing):
        def __init__(self):
            super().__init__(aggr="add")
            self.msg = torch.nn.Linear(layer.message.in_features, layer.message.out_features)
            self.upd = torch.nn.Linear(layer.update.in_features, layer.update.out_features)

        def forward(self, x, edge_index, edge_attr):
            return self.propagate(edge_index, x=x, edge_attr=edge_attr)

        def message(self, x_j, edge_attr):
            return torch.relu(self.msg(torch.cat([x_j, edge_attr], dim=-1)))

        def update(self, aggregated, x):
            return torch.relu(self.upd(torch.cat([x, aggregated], dim=-1)))

    twin = PaperLayer()
    state = {k.replace("message.", "msg.").replace("update.", "upd."): torch.tensor(gn.autograd.as_array(v))
             for k, v in layer.state_dict().items()}
    twin.load_state_dict(state)
    return twin


@pytest.mark.parametrize("n_nodes", SIZES)
def test_message_passing_matches_pytorch_geometric(n_nodes):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric")
    rng = np.random.default_rng(n_nodes)
    x, edge_index, edge_attr = random_edge_list(rng, n_nodes)
    layer = nn.MessagePassing(4, 3, message_features=6, out_features=5)
    gx, ge = gn.tensor(x, requires_grad=True), gn.tensor(edge_attr, requires_grad=True)
    out = layer(gx, edge_index, ge)
    (out * out).sum().backward()

    twin = pyg_paper_layer(torch, pyg, layer)
    tx, te = torch.tensor(x, requires_grad=True), torch.tensor(edge_attr, requires_grad=True)
    expected = twin(tx, torch.tensor(edge_index), te)
    (expected * expected).sum().backward()
    assert close(out.detach().numpy(), expected.detach().numpy())
    assert close(gn.autograd.as_array(gx.grad), tx.grad.detach().numpy())
    assert close(gn.autograd.as_array(ge.grad), te.grad.detach().numpy())
    torch_grads = {k.replace("msg.", "message.").replace("upd.", "update."): p.grad.detach().numpy()
                   for k, p in twin.named_parameters()}
    for name, p in layer.named_parameters():
        assert close(gn.autograd.as_array(p.grad), torch_grads[name]), name


@pytest.mark.parametrize("n_nodes", SIZES)
@pytest.mark.parametrize("aggr", ["max", "mean"])
def test_edge_conv_matches_pytorch_geometric(n_nodes, aggr):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric")
    rng = np.random.default_rng(100 + n_nodes)
    x, edge_index, _ = random_edge_list(rng, n_nodes)
    layer = nn.EdgeConv(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 5)), aggr=aggr)
    gx = gn.tensor(x, requires_grad=True)
    out = layer(gx, edge_index)
    (out * out).sum().backward()

    twin = pyg.nn.EdgeConv(torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5)),
                           aggr=aggr)
    twin.load_state_dict({k: torch.tensor(gn.autograd.as_array(v)) for k, v in layer.state_dict().items()})
    tx = torch.tensor(x, requires_grad=True)
    expected = twin(tx, torch.tensor(edge_index))
    (expected * expected).sum().backward()
    assert close(out.detach().numpy(), expected.detach().numpy())
    assert close(gn.autograd.as_array(gx.grad), tx.grad.detach().numpy())
    for name, p in twin.named_parameters():
        assert close(gn.autograd.as_array(dict(layer.named_parameters())[name].grad), p.grad.detach().numpy()), name


@pytest.mark.parametrize("pool", ["global_add_pool", "global_mean_pool", "global_max_pool"])
def test_pools_match_pytorch_geometric(pool):
    torch = pytest.importorskip("torch")
    pyg = pytest.importorskip("torch_geometric")
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 61, size=6)
    batch = np.repeat(np.arange(6), sizes)
    x = rng.normal(size=(len(batch), 4)).astype(np.float32)
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = getattr(F, pool)(gx, batch)
    expected = getattr(pyg.nn, pool)(tx, torch.tensor(batch))
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    assert close(out.detach().numpy(), expected.detach().numpy())
    assert close(gn.autograd.as_array(gx.grad), tx.grad.detach().numpy())


def test_edge_list_layers_export_to_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, edge_index, edge_attr = random_edge_list(rng, 12)
    for layer, inputs in [(nn.MessagePassing(4, 3, 6, 5), (x, edge_index, edge_attr)),
                          (nn.EdgeConv(nn.Sequential(nn.Linear(8, 5), nn.ReLU())), (x, edge_index))]:
        twin = to_torch(layer)
        expected = layer(*inputs).detach().numpy()
        assert close(twin(*(torch.tensor(a) for a in inputs)).detach().numpy(), expected)
