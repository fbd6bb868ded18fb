"""BatchNorm1d/2d and LayerNorm: gradient checks, PyTorch comparisons (outputs, gradients, running
statistics, state_dict keys), train/eval, and errors."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import gradcheck

from test_conv import compare_layer

nn, F = gn.nn, gn.nn.functional
torch = pytest.importorskip("torch")

BATCHNORM = [
    ("BatchNorm1d", (8, 3), {}),
    ("BatchNorm1d", (4, 3, 5), dict(momentum=0.3, eps=1e-3)),
    ("BatchNorm2d", (4, 3, 5, 6), {}),
    ("BatchNorm2d", (2, 3, 4, 4), dict(affine=False)),
    ("BatchNorm2d", (2, 3, 4, 4), dict(momentum=None)),
    ("BatchNorm2d", (2, 3, 4, 4), dict(track_running_stats=False)),
]


@pytest.mark.parametrize("name, shape, options", BATCHNORM)
def test_batchnorm_matches_torch_in_train_and_eval(name, shape, options):
    layer, twin = getattr(nn, name)(shape[1], **options), getattr(torch.nn, name)(shape[1], **options)
    assert list(layer.state_dict()) == list(twin.state_dict())
    if layer.affine:
        layer.weight.data[...] = np.float32([0.5, 2.0, -1.0])
        layer.bias.data[...] = np.float32([0.1, -0.2, 0.3])
    rng = np.random.default_rng(0)
    for step in range(3):  # the running statistics follow PyTorch's step by step
        x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        if step == 0:
            compare_layer(layer, twin, x)
        else:
            layer(x)
            twin(torch.tensor(x))
        for key, value in twin.state_dict().items():
            np.testing.assert_allclose(layer.state_dict()[key], value.detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=key)
    layer.eval(), twin.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(layer(x).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)
    compare_layer(layer, twin, x)  # eval mode: gradients through the fixed running statistics


def test_num_batches_tracked_is_an_int64_buffer_like_torch():
    bn = nn.BatchNorm2d(2)
    bn(gn.randn(3, 2, 2, 2))
    bn(gn.randn(3, 2, 2, 2))
    assert bn.state_dict()["num_batches_tracked"].dtype == np.int64
    assert int(bn.state_dict()["num_batches_tracked"]) == 2
    bn.eval()
    bn(gn.randn(3, 2, 2, 2))
    assert int(bn.num_batches_tracked) == 2
    assert "num_batches_tracked" in dict(bn.named_buffers())


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck(training):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2, 2))
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, mean.copy(), var.copy(), w, b, training=training), [x, w, b])


@pytest.mark.parametrize("shape, normalized, options", [
    ((4, 6), 6, {}),
    ((2, 3, 4, 5), (4, 5), dict(eps=1e-3)),
    ((3, 5), 5, dict(elementwise_affine=False)),
    ((3, 5), 5, dict(bias=False)),
])
def test_layernorm_matches_torch(shape, normalized, options):
    layer, twin = nn.LayerNorm(normalized, **options), torch.nn.LayerNorm(normalized, **options)
    if layer.weight is not None:
        layer.weight.data[...] = np.random.default_rng(2).standard_normal(layer.weight.shape)
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32) * 3
    compare_layer(layer, twin, x)
    args = [p.data.astype(np.float64) for p in layer.parameters()]
    bias = layer.bias
    assert gradcheck(lambda x, *p: F.layer_norm(x, normalized, p[0] if p else None,
                                                p[1] if bias is not None and len(p) > 1 else None),
                     [x.astype(np.float64), *args])


def test_normalization_bad_inputs_name_the_layer_and_the_shapes():
    with pytest.raises(nn.LayerInputError, match=r"BatchNorm2d '1' expects \(N, 4, H, W\), got \(2, 3, 5, 5\)"):
        nn.Sequential(nn.Identity(), nn.BatchNorm2d(4))(gn.randn(2, 3, 5, 5))
    with pytest.raises(nn.LayerInputError, match=r"BatchNorm1d expects \(N, 4\) or \(N, 4, L\), got \(2, 4, 3, 3\)"):
        nn.BatchNorm1d(4)(gn.randn(2, 4, 3, 3))
    with pytest.raises(nn.LayerInputError, match="more than 1 value per channel"):
        nn.BatchNorm1d(4)(gn.randn(1, 4))
    with pytest.raises(nn.LayerInputError, match=r"LayerNorm expects \(\*, 4, 5\), got \(2, 5, 4\)"):
        nn.LayerNorm((4, 5))(gn.randn(2, 5, 4))
