import numpy as np
import pytest

import glassnet as gn
from glassnet.nn import LayerInputError

torch = pytest.importorskip("torch")


def _copy(module, twin):
    module.load_state_dict({k: v.detach().numpy() for k, v in twin.state_dict().items()})


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_matches_torch_with_masks(batch_first):
    t_mha = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first)
    g_mha = gn.nn.MultiheadAttention(8, 2, batch_first=batch_first)
    assert [n for n, _ in g_mha.named_parameters()] == [n for n, _ in t_mha.named_parameters()]
    _copy(g_mha, t_mha)
    rng = np.random.default_rng(1)
    shape_q, shape_k = ((3, 4, 8), (3, 5, 8)) if batch_first else ((4, 3, 8), (5, 3, 8))
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in (shape_q, shape_k, shape_k))
    padding = np.zeros((3, 5), dtype=bool)
    padding[1, 3:] = True
    attn_mask = np.triu(np.ones((4, 5), dtype=bool), 2)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    gq, gk, gv = (gn.tensor(a, requires_grad=True) for a in (q, k, v))
    t_out, t_w = t_mha(tq, tk, tv, key_padding_mask=torch.tensor(padding), attn_mask=torch.tensor(attn_mask))
    g_out, g_w = g_mha(gq, gk, gv, key_padding_mask=padding, attn_mask=attn_mask)
    np.testing.assert_allclose(g_out.data, t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_w.data, t_w.detach().numpy(), rtol=1e-4, atol=1e-6)
    weights = rng.standard_normal(g_out.shape).astype(np.float32)
    (t_out * torch.tensor(weights)).sum().backward()
    (g_out * weights).sum().backward()
    for a, b in ((gq, tq), (gk, tk), (gv, tv)):
        np.testing.assert_allclose(a.grad, b.grad.detach().numpy(), rtol=1e-4, atol=1e-5)
    t_params = dict(t_mha.named_parameters())
    for name, p in g_mha.named_parameters():
        np.testing.assert_allclose(p.grad, t_params[name].grad.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_scaled_dot_product_attention_matches_torch():
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal((2, 3, 4, 6)).astype(np.float32) for _ in range(3))
    mask = rng.random((4, 4)) > 0.3
    np.fill_diagonal(mask, True)
    for kwargs in ({}, {"is_causal": True}, {"attn_mask": mask}, {"attn_mask": mask.astype(np.float32)}):
        t_kwargs = {k_: torch.tensor(a) if isinstance(a, np.ndarray) else a for k_, a in kwargs.items()}
        want = torch.nn.functional.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)), **t_kwargs)
        got = gn.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)
        np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_cosine_similarity_matches_torch_and_gradcheck():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((5, 7)), rng.standard_normal((5, 7))
    want = torch.nn.functional.cosine_similarity(torch.tensor(a), torch.tensor(b), dim=1)
    got = gn.nn.functional.cosine_similarity(a, b, dim=1)
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-6)
    assert gn.autograd.gradcheck(lambda x, y: gn.nn.functional.cosine_similarity(x, y, dim=1), [a, b])


def test_additive_attention_weights_sum_to_one_and_respect_padding():
    att = gn.nn.AdditiveAttention(4, 6, 5)
    rng = np.random.default_rng(4)
    query, keys = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 7, 6))
    padding = np.zeros((2, 7), dtype=bool)
    padding[0, 5:] = True
    context, weights = att(query.astype(np.float32), keys.astype(np.float32), key_padding_mask=padding)
    assert context.shape == (2, 3, 6) and weights.shape == (2, 3, 7)
    np.testing.assert_allclose(weights.data.sum(-1), 1, rtol=1e-6)
    assert np.all(weights.data[0, :, 5:] == 0)
    att64 = gn.nn.AdditiveAttention(4, 6, 5, dtype=np.float64)
    assert gn.autograd.gradcheck(lambda q, k: att64(q, k)[0], [query, keys])


def test_multihead_attention_rejects_wrong_embed_dim():
    mha = gn.nn.MultiheadAttention(8, 2)
    with pytest.raises(LayerInputError, match=r"MultiheadAttention expects query .* E = 8, got \(4, 3, 6\)"):
        mha(np.zeros((4, 3, 6), np.float32), np.zeros((5, 3, 8), np.float32), np.zeros((5, 3, 8), np.float32))
