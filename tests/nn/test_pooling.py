"""Pooling and upsampling layers: gradient checks, PyTorch comparisons, errors."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import gradcheck

from test_conv import compare_layer

nn, F = gn.nn, gn.nn.functional
torch = pytest.importorskip("torch")

POOL2D = [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("MaxPool2d", dict(kernel_size=(2, 3), stride=(1, 2), dilation=2)),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("AvgPool2d", dict(kernel_size=(3, 2), stride=1, padding=(1, 1), count_include_pad=False)),
]
POOL1D = [
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
]


def distinct(shape, seed=0):
    """Values with no ties (so that max pooling has one maximum per window, as finite differences need)."""
    x = np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape)
    return x.astype(np.float64) / x.size


@pytest.mark.parametrize("name, options", POOL2D + POOL1D)
def test_pooling_gradcheck(name, options):
    layer = getattr(nn, name)(**options)
    shape = (2, 2, 7, 6) if name.endswith("2d") else (2, 2, 9)
    assert gradcheck(layer, [distinct(shape)])


@pytest.mark.parametrize("name, options", POOL2D + POOL1D)
def test_pooling_matches_torch(name, options):
    shape = (3, 4, 9, 8) if name.endswith("2d") else (3, 4, 11)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    compare_layer(getattr(nn, name)(**options), getattr(torch.nn, name)(**options), x)


def test_max_pool_gradient_goes_to_the_first_maximum_like_torch():
    x = np.array([[[[1, 3, 3, 0], [3, 2, 1, 1], [0, 0, 5, 5], [0, 0, 5, 5]]]], dtype=np.float32)
    compare_layer(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    compare_layer(nn.MaxPool2d(3, stride=1), torch.nn.MaxPool2d(3, stride=1), x)


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 2), (7, 7)])
def test_adaptive_avg_pool_matches_torch(size):
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 10)).astype(np.float32)
    compare_layer(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x)
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, size), [x[:1, :1].astype(np.float64)])


@pytest.mark.parametrize("options, shape", [
    (dict(scale_factor=2), (2, 3, 4, 5)),
    (dict(size=(7, 3)), (2, 3, 4, 5)),
    (dict(scale_factor=(1.5, 3)), (1, 2, 4, 5)),
    (dict(scale_factor=3), (2, 3, 5)),
    (dict(size=4), (2, 3, 7)),
])
def test_upsample_nearest_matches_torch(options, shape):
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    compare_layer(nn.Upsample(**options), torch.nn.Upsample(**options), x)
    assert gradcheck(lambda t: F.interpolate(t, **options), [x[:1, :2].astype(np.float64)])


def test_pooling_bad_inputs_name_the_layer_and_the_shapes():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(4))
    with pytest.raises(nn.LayerInputError, match=r"MaxPool2d '1' has a 4x4 window larger than the padded input: input \(1, 2, 2, 2\)"):
        net(gn.randn(1, 1, 4, 4))
    with pytest.raises(nn.LayerInputError, match=r"AvgPool2d expects a 4-D input \(N, C, H, W\), got \(2, 8\)"):
        nn.AvgPool2d(2)(gn.randn(2, 8))
    with pytest.raises(nn.LayerInputError, match=r"MaxPool1d expects a 3-D input \(N, C, L\), got \(2, 3, 4, 4\)"):
        nn.MaxPool1d(2)(gn.randn(2, 3, 4, 4))
    with pytest.raises(nn.LayerInputError, match="stride and dilation >= 1"):
        nn.MaxPool2d(2, stride=0)
    with pytest.raises(ValueError, match="padding must be between 0 and half the kernel size"):
        F.max_pool2d(gn.randn(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(nn.LayerInputError, match="mode='nearest' only"):
        nn.Upsample(scale_factor=2, mode="bilinear")
    with pytest.raises(nn.LayerInputError, match=r"Upsample expects \(N, C, L\) or \(N, C, H, W\), got \(4,\)"):
        nn.Upsample(scale_factor=2)(gn.randn(4))
