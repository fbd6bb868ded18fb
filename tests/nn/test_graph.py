import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn.layers.graph import MessagePassing, message_passing_reference


def random_graphs(rng, batch=4, n=6, features=5, edge_features=3, dtype=np.float32):
    mask = np.ones((batch, n), dtype=bool)
    mask[1, 4:] = False
    mask[2, 1:] = False  # a single node: it receives no message
    h = rng.normal(size=(batch, n, features)).astype(dtype) * mask[..., None]
    edges = rng.random((batch, n, n, edge_features)).astype(dtype)
    return h, edges, mask


def test_nn_exports_the_layer():
    assert nn.MessagePassing is MessagePassing and nn.graph.MessagePassing is MessagePassing


def test_vectorized_layer_equals_the_loop_reference():
    rng = np.random.default_rng(0)
    h, edges, mask = random_graphs(rng)
    layer = MessagePassing(5, 3, message_features=7, out_features=4)
    out = layer(h, edges, mask).detach().numpy()
    reference = message_passing_reference(h, edges, mask, layer.message.weight.data, layer.message.bias.data,
                                          layer.update.weight.data, layer.update.bias.data)
    assert out.shape == (4, 6, 4) and out.dtype == np.float32
    assert np.allclose(out, reference, atol=1e-5)
    assert not np.any(out[~mask])


def test_padding_nodes_change_nothing():
    rng = np.random.default_rng(1)
    h, edges, mask = random_graphs(rng)
    layer = MessagePassing(5, 3)
    padded_h = np.concatenate([h, np.zeros((4, 3, 5), np.float32)], axis=1)
    padded_edges = rng.random((4, 9, 9, 3)).astype(np.float32)  # junk on padded pairs must not matter
    padded_edges[:, :6, :6] = edges
    padded_mask = np.concatenate([mask, np.zeros((4, 3), bool)], axis=1)
    out = layer(padded_h, padded_edges, padded_mask).detach().numpy()
    assert np.allclose(out[:, :6], layer(h, edges, mask).detach().numpy(), atol=1e-6)
    assert not np.any(out[:, 6:])


def test_permuting_nodes_permutes_the_output():
    rng = np.random.default_rng(2)
    h, edges, mask = random_graphs(rng)
    mask[:] = True
    layer = MessagePassing(5, 3)
    perm = rng.permutation(6)
    out = layer(h, edges, mask).detach().numpy()
    permuted = layer(h[:, perm], edges[:, perm][:, :, perm], mask[:, perm]).detach().numpy()
    assert np.allclose(permuted, out[:, perm], atol=1e-5)


def test_gradients_by_finite_differences():
    rng = np.random.default_rng(3)
    h, edges, mask = random_graphs(rng, batch=3, n=4, features=3, edge_features=2, dtype=np.float64)
    layer = MessagePassing(3, 2, dtype=np.float64)
    gn.autograd.gradcheck(lambda x, e: layer(x, e, mask), [h, edges])


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    h, edges, mask = random_graphs(rng)
    layer = MessagePassing(5, 3, message_features=6, out_features=4)
    x = gn.tensor(h, requires_grad=True)
    out = layer(x, edges, mask)
    (out * out).sum().backward()

    params = {k: torch.tensor(np.asarray(v), requires_grad=True) for k, v in layer.state_dict().items()}
    tx, te = torch.tensor(h, requires_grad=True), torch.tensor(edges)
    tmask = torch.tensor(mask, dtype=torch.float32)
    n = h.shape[1]
    pair = (tmask[:, :, None] * tmask[:, None, :] * (1 - torch.eye(n)))[..., None]
    inputs = torch.cat([tx[:, None].expand(-1, n, -1, -1), te], dim=-1)  # [h_j, e_ij] at (b, i, j)
    messages = torch.relu(torch.nn.functional.linear(inputs, params["message.weight"], params["message.bias"]))
    collected = (messages * pair).sum(dim=2)
    expected = torch.relu(torch.nn.functional.linear(torch.cat([tx, collected], -1), params["update.weight"],
                                                     params["update.bias"])) * tmask[..., None]
    (expected * expected).sum().backward()
    assert np.allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert np.allclose(x.grad, tx.grad.detach().numpy(), rtol=1e-4, atol=1e-5)
    for name, p in layer.named_parameters():
        assert np.allclose(p.grad, params[name].grad.detach().numpy(), rtol=1e-4, atol=1e-5), name


@pytest.mark.parametrize("shapes, message", [
    (((4, 6, 4), (4, 6, 6, 3), (4, 6)), "expects node states \\(B, N, 5\\), got \\(4, 6, 4\\)"),
    (((4, 6, 5), (4, 6, 5, 3), (4, 6)), "expects edge features"),
    (((4, 6, 5), (4, 6, 6, 3), (4, 5)), "expects a node mask \\(B, N\\) = \\(4, 6\\), got \\(4, 5\\)"),
])
def test_bad_shapes_name_the_layer(shapes, message):
    layer = MessagePassing(5, 3)
    h, edges, mask = (np.zeros(s, np.float32) for s in shapes)
    with pytest.raises(nn.LayerInputError, match="MessagePassing " + message):
        layer(h, edges, mask.astype(bool))
