"""Every tensor operation, run the same way on glassnet and on PyTorch: values, dtype, shape and the
gradients of every float input must agree (float32, 1e-4), and the gradients must pass the
finite-difference check in float64.

Each case is ``(name, fn, inputs)``: ``fn(lib, *tensors)`` is written once and run with ``lib`` the
glassnet module or torch; ``inputs`` are arrays (float ones require grad) made by ``_inputs``.
"""
from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)


def _f(*shape, positive=False):
    x = RNG.standard_normal(shape).astype(np.float32)
    return np.abs(x) + 0.5 if positive else x


def _i(high, *shape):
    return RNG.integers(0, high, shape).astype(np.int64)


CASES = [
    ("add_broadcast", lambda L, a, b: a + b, [_f(3, 4), _f(4)]),
    ("add_alpha", lambda L, a, b: L.add(a, b, alpha=0.5), [_f(3, 4), _f(3, 4)]),
    ("sub_scalar_left", lambda L, a: 2.5 - a, [_f(5)]),
    ("mul_div", lambda L, a, b: a * b / (b * b + 1), [_f(2, 3), _f(2, 3)]),
    ("rdiv", lambda L, a: 1.0 / a, [_f(4, positive=True)]),
    ("pow_scalar", lambda L, a: a ** 3, [_f(4)]),
    ("pow_tensor", lambda L, a, b: a ** b, [_f(4, positive=True), _f(4)]),
    ("rpow", lambda L, a: 2 ** a, [_f(4)]),
    ("neg_abs", lambda L, a: (-a).abs(), [_f(6)]),
    ("exp_log", lambda L, a: L.log(L.exp(a) + 1), [_f(5)]),
    ("log1p_expm1", lambda L, a: L.log1p(a) + L.expm1(a), [_f(5, positive=True)]),
    ("log2_log10", lambda L, a: a.log2() + a.log10(), [_f(5, positive=True)]),
    ("sqrt_rsqrt", lambda L, a: a.sqrt() + a.rsqrt(), [_f(5, positive=True)]),
    ("trig", lambda L, a: a.sin() * a.cos() + (a * 0.3).tan(), [_f(5)]),
    ("tanh_sigmoid_relu", lambda L, a: L.tanh(a) + L.sigmoid(a) + L.relu(a), [_f(7)]),
    ("softmax", lambda L, a: a.softmax(dim=1) * a, [_f(3, 5)]),
    ("log_softmax", lambda L, a: L.log_softmax(a, dim=0), [_f(3, 5)]),
    ("clamp_numbers", lambda L, a: a.clamp(min=-0.5, max=0.7), [_f(8)]),
    ("clamp_tensors", lambda L, a, lo: a.clamp(min=lo), [_f(8), _f(8)]),
    ("maximum_minimum", lambda L, a, b: L.maximum(a, b) - L.minimum(a, b) * 2, [_f(6), _f(6)]),
    ("square_reciprocal", lambda L, a: a.square() + a.reciprocal(), [_f(5, positive=True)]),
    ("lerp", lambda L, a, b: a.lerp(b, 0.3), [_f(4), _f(4)]),
    ("matmul", lambda L, a, b: a @ b, [_f(3, 4), _f(4, 2)]),
    ("matmul_batched", lambda L, a, b: L.matmul(a, b), [_f(2, 3, 4), _f(4, 5)]),
    ("bmm", lambda L, a, b: L.bmm(a, b), [_f(2, 3, 4), _f(2, 4, 5)]),
    ("mm_mv_dot", lambda L, a, v: L.mm(a, a.t()).sum() + L.mv(a, v).sum() + L.dot(v, v), [_f(3, 4), _f(4)]),
    ("outer", lambda L, a, b: L.outer(a, b), [_f(3), _f(4)]),
    ("einsum", lambda L, a, b: L.einsum("bij,bjk->bik", a, b), [_f(2, 3, 4), _f(2, 4, 2)]),
    ("einsum_sum_axis", lambda L, a, b: L.einsum("ij,k->ik", a, b), [_f(3, 4), _f(2)]),
    ("sum_dims", lambda L, a: a.sum(dim=(0, 2), keepdim=True), [_f(2, 3, 4)]),
    ("mean_dim", lambda L, a: L.mean(a, 1), [_f(2, 3, 4)]),
    ("var_std", lambda L, a: a.var(dim=1) + a.std() + a.var(1, unbiased=False), [_f(3, 5)]),
    ("prod", lambda L, a: a.prod(dim=1), [_f(3, 4)]),
    ("prod_all_with_zero", lambda L, a: (a * L.tensor([1., 0., 1., 1.])).prod(), [_f(4)]),
    ("cumsum", lambda L, a: a.cumsum(dim=1), [_f(3, 4)]),
    ("amax", lambda L, a: a.amax(dim=0), [_f(3, 4)]),
    ("max_all", lambda L, a: a.max(), [_f(3, 4)]),
    ("max_dim_values", lambda L, a: a.max(dim=1).values, [_f(3, 4)]),
    ("min_dim_keepdim", lambda L, a: L.min(a, 0, keepdim=True)[0], [_f(3, 4)]),
    ("logsumexp", lambda L, a: a.logsumexp(dim=1), [_f(3, 4) * 10]),
    ("norm_2", lambda L, a: a.norm(), [_f(3, 4)]),
    ("norm_1_dim", lambda L, a: a.norm(p=1, dim=1), [_f(3, 4)]),
    ("norm_3_keepdim", lambda L, a: L.norm(a, p=3, dim=0, keepdim=True), [_f(3, 4)]),
    ("sort_values", lambda L, a: a.sort(dim=1, descending=True).values * 2, [_f(3, 5)]),
    ("topk_values", lambda L, a: a.topk(2, dim=1).values, [_f(3, 5)]),
    ("median_dim", lambda L, a: a.median(dim=1).values, [_f(3, 5)]),
    ("reshape_view", lambda L, a: a.view(4, 3).reshape(-1, 2).t(), [_f(3, 4)]),
    ("flatten_unflatten", lambda L, a: a.flatten(1).unflatten(1, (2, 6)), [_f(2, 3, 4)]),
    ("squeeze_unsqueeze", lambda L, a: a.unsqueeze(0).unsqueeze(-1).squeeze(0) * 1, [_f(3, 4)]),
    ("permute_transpose", lambda L, a: a.permute(2, 0, 1).transpose(0, 1), [_f(2, 3, 4)]),
    ("expand", lambda L, a: a.expand(2, 3, 4) * 1, [_f(3, 1)]),
    ("repeat", lambda L, a: a.repeat(2, 3), [_f(2, 3)]),
    ("repeat_3d", lambda L, a: a.repeat(2, 1, 2), [_f(2, 3)]),
    ("repeat_interleave", lambda L, a: a.repeat_interleave(2, dim=1), [_f(2, 3)]),
    ("flip_roll", lambda L, a: a.flip(0).roll(1, 1), [_f(3, 4)]),
    ("cat_stack", lambda L, a, b: L.cat([a, b], 1).sum() + L.stack([a, b], 0), [_f(2, 3), _f(2, 3)]),
    ("split_chunk", lambda L, a: a.split(2, dim=1)[1] * 3 + a.chunk(3, dim=1)[0], [_f(2, 6)]),
    ("unbind_narrow", lambda L, a: a.unbind(0)[1] + a.narrow(0, 0, 1)[0], [_f(3, 4)]),
    ("index_select", lambda L, a, i: a.index_select(1, i), [_f(3, 5), _i(5, 4)]),
    ("gather", lambda L, a, i: a.gather(1, i), [_f(3, 5), _i(5, 3, 4)]),
    ("scatter", lambda L, a, i, s: a.scatter(1, i, s), [_f(3, 5), np.array([[0, 2], [1, 3], [4, 0]]), _f(3, 2)]),
    ("scatter_add", lambda L, a, i, s: a.scatter_add(0, i, s), [_f(3, 4), _i(3, 5, 4), _f(5, 4)]),
    ("index_add", lambda L, a, i, s: a.index_add(0, i, s), [_f(3, 4), np.array([0, 2, 0]), _f(3, 4)]),
    ("masked_fill", lambda L, a: a.masked_fill(a > 0, -1.0), [_f(3, 4)]),
    ("where", lambda L, a, b: L.where(a > b, a, b * 2), [_f(3, 4), _f(3, 4)]),
    ("getitem_advanced", lambda L, a, i: a[i] + a[1:, ::2].sum(), [_f(4, 3), np.array([0, 2, 2])]),
    ("getitem_mask", lambda L, a: a[a > 0].sum() + a[:, None].sum(), [_f(4, 3)]),
    ("tril_triu", lambda L, a: a.tril() + a.triu(1) * 2, [_f(4, 4)]),
    ("diagonal_trace", lambda L, a: a.diagonal(offset=1).sum() + L.trace(a), [_f(4, 4)]),
    ("diag_embed", lambda L, a: L.diag(a), [_f(3)]),
    ("cdist", lambda L, a, b: L.cdist(a, b), [_f(4, 3), _f(5, 3)]),
    ("floor_ceil_round", lambda L, a: a.floor() + a.ceil() + a.round() + a.sign() + a * 0.5, [_f(6)]),
    ("remainder_fmod", lambda L, a, b: a.remainder(b) + a.fmod(b), [_f(6) * 5, _f(6, positive=True)]),
    ("int_tensor_float_scalar", lambda L, i: i * 0.5 + i / 3, [_i(5, 4)]),
    ("int_plus_float_tensor", lambda L, i, a: i + a, [_i(5, 4), _f(4)]),
    ("int_floor_div", lambda L, i: i // 2 + i % 3, [_i(9, 5)]),
    ("bool_sum", lambda L, a: (a > 0).sum(dim=1), [_f(3, 4)]),
    ("argmax_argmin", lambda L, a: a.argmax(dim=1) + a.argmin(), [_f(3, 4)]),
    ("comparisons", lambda L, a, b: (a >= b) | (a == 0) & ~(a < -1), [_f(3, 4), _f(3, 4)]),
    ("nonzero", lambda L, a: (a > 0).nonzero(), [_f(3, 4)]),
]


def _run(lib, fn, arrays):
    tensors = [lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *tensors)
    if out.requires_grad:
        out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(np.float32)))
    grads = [t.grad.detach().numpy() if t.grad is not None else None for t in tensors]
    return out.detach().numpy(), str(out.dtype).split(".")[-1], grads


@pytest.mark.parametrize("name, fn, arrays", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_torch(name, fn, arrays):
    ours, our_dtype, our_grads = _run(gn, fn, arrays)
    theirs, their_dtype, their_grads = _run(torch, fn, arrays)
    assert our_dtype == their_dtype, f"{name}: dtype {our_dtype} vs torch {their_dtype}"
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} vs torch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5, err_msg=name)
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        assert (g is None) == (h is None), f"{name}: input {i} gradient {'missing' if g is None else 'extra'}"
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-4, atol=1e-5, err_msg=f"{name}: gradient of input {i}")


SMOOTH = [c for c in CASES if not c[0].startswith(("floor", "remainder", "int_", "bool", "argmax", "compar",
                                                    "nonzero", "sort", "topk", "median", "max_", "min_",
                                                    "amax", "clamp", "maximum", "norm_1", "neg_abs"))]


@pytest.mark.parametrize("name, fn, arrays", SMOOTH, ids=[c[0] for c in SMOOTH])
def test_gradients_match_finite_differences(name, fn, arrays):
    floats = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]
    assert gn.autograd.gradcheck(lambda *ts: fn(gn, *ts), floats)


def test_misuse_gets_pytorchs_errors():
    a = gn.randn(3, 4)
    with pytest.raises(RuntimeError, match="mm"):
        gn.mm(a, gn.randn(4))
    with pytest.raises(RuntimeError, match="bmm"):
        gn.bmm(a, a)
    with pytest.raises(RuntimeError, match="split_sizes"):
        a.split([1, 1], dim=1)
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(a > 0)
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        a.item()
    with pytest.raises(RuntimeError, match="floating point or complex"):
        gn.arange(5).mean()
    with pytest.raises(RuntimeError, match="Index tensor must have the same number of dimensions"):
        a.gather(1, gn.tensor([0, 1]))
