import numpy as np
import pytest

import glassnet as gn
from glassnet.nn import LayerInputError

torch = pytest.importorskip("torch")


def test_embedding_matches_torch_with_padding_idx():
    t_emb = torch.nn.Embedding(10, 4, padding_idx=0)
    g_emb = gn.nn.Embedding(10, 4, padding_idx=0)
    assert np.all(g_emb.weight.data[0] == 0)
    g_emb.load_state_dict({"weight": t_emb.weight.detach().numpy()})
    idx = np.array([[0, 3, 3], [9, 0, 1]])
    t_out, g_out = t_emb(torch.tensor(idx)), g_emb(idx)
    np.testing.assert_allclose(g_out.data, t_out.detach().numpy())
    weights = np.random.default_rng(0).standard_normal(g_out.shape).astype(np.float32)
    (t_out * torch.tensor(weights)).sum().backward()
    (g_out * weights).sum().backward()
    np.testing.assert_allclose(g_emb.weight.grad, t_emb.weight.grad.detach().numpy(), rtol=1e-6)
    assert np.all(g_emb.weight.grad[0] == 0)


def test_embedding_max_norm_renormalizes_rows_like_torch():
    table = np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32) * 3
    t_emb = torch.nn.Embedding.from_pretrained(torch.tensor(table), max_norm=1.0)
    g_emb = gn.nn.Embedding.from_pretrained(table, max_norm=1.0)
    idx = np.array([1, 2, 2, 5])
    np.testing.assert_allclose(g_emb(idx).data, t_emb(torch.tensor(idx)).detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(g_emb.weight.data, t_emb.weight.detach().numpy(), rtol=1e-5)


def test_from_pretrained_is_frozen_by_default():
    table = np.eye(3, dtype=np.float32)
    assert not gn.nn.Embedding.from_pretrained(table).weight.requires_grad
    assert gn.nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_embedding_bad_indices_name_the_layer():
    model = gn.nn.Sequential(gn.nn.Embedding(5, 2))
    with pytest.raises(LayerInputError, match=r"Embedding '0' expects indices in \[0, 5\), got 5"):
        model(np.array([[1, 5]]))
    with pytest.raises(LayerInputError, match="got -1"):
        model(np.array([-1]))
    with pytest.raises(LayerInputError, match="integer indices"):
        model(np.array([1.0]))
