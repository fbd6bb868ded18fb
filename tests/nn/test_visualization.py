import numpy as np
import pytest

from glassnet import nn
from glassnet.autograd import Tensor, as_array
from glassnet.nn import functional as F
from glassnet.nn.visualization import (
    activation_maximization, feature_maps, occlusion_sensitivity, plot_feature_maps, plot_filters,
)

pytest.importorskip("matplotlib")


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3),
                         nn.ReLU(), nn.Flatten(), nn.Linear(6 * 2 * 2, 3))


def test_feature_maps_are_each_convolutions_output():
    net = small_cnn()
    x = np.random.default_rng(0).random((2, 1, 8, 8)).astype(np.float32)
    maps = feature_maps(net, x)
    assert list(maps) == ["0", "3"]
    expected = as_array(F.conv2d(Tensor(x), net[0].weight, net[0].bias, padding=1))
    assert np.allclose(maps["0"], expected, atol=1e-6) and maps["3"].shape == (2, 6, 2, 2)
    assert not net[0]._forward_hooks  # hooks are removed again
    with pytest.raises(ValueError, match="no submodule of type Conv2d"):
        feature_maps(nn.Sequential(nn.Linear(2, 2)), np.zeros((1, 2), np.float32))


def test_filters_and_maps_are_drawn_to_files(tmp_path):
    net = small_cnn()
    assert (tmp_path / "f.png").samefile(plot_filters(net[3], str(tmp_path / "f.png")))
    maps = feature_maps(net, np.ones((1, 1, 8, 8), np.float32))
    plot_feature_maps(maps["0"][0], str(tmp_path / "m.png"))
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_activation_maximization_finds_the_pattern_a_unit_weighs_positively():
    unit = nn.Linear(4, 2)
    as_array(unit.weight)[:] = [[1.0, -1.0, 2.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    x, trace = activation_maximization(unit, unit, 0, (4,), steps=60, lr=0.1, rng=0)
    assert np.allclose(x[:3], [1, 0, 1], atol=1e-6) and x[3] < 0.5      # the λ‖x‖² term pulls unused inputs down
    assert trace[-1] > trace[0] + 1.0


def test_activation_maximization_of_a_conv_channel_draws_its_kernel():
    conv = nn.Conv2d(1, 2, 3)
    vertical_edge = np.array([[-1, 0, 1]] * 3, np.float32)
    as_array(conv.weight)[0, 0] = vertical_edge
    as_array(conv.bias)[:] = 0
    x, trace = activation_maximization(conv, conv, 0, (1, 5, 5), steps=80, rng=1)
    assert np.all(x[0, :, 0] < 0.05) and np.all(x[0, :, -1] > 0.95)     # dark left, bright right
    assert np.all(np.diff(trace) > -1e-6)
    with pytest.raises(ValueError, match="has 2 channels, got channel 5"):
        activation_maximization(conv, conv, 5, (1, 5, 5), steps=1)


def test_occlusion_lowers_the_probability_only_where_the_evidence_is():
    net = nn.Sequential(nn.Flatten(), nn.Linear(36, 2))
    weight = np.zeros((2, 36), np.float32)
    weight[0] = np.pad(np.ones((2, 2)), ((1, 3), (1, 3))).ravel() * 3   # class 0 reads pixels (1..2, 1..2)
    net[1].load_state_dict({"weight": weight, "bias": np.zeros(2, np.float32)})
    image = np.ones((1, 6, 6), np.float32)
    heat = occlusion_sensitivity(net, image, target=0, patch=2, stride=1)
    assert heat.shape == (5, 5)
    baseline = float(as_array(F.softmax(net(Tensor(image[None])), dim=1))[0, 0])
    assert heat.min() == heat[1, 1] == pytest.approx(0.5) and baseline > 0.99   # all evidence hidden: a tie
    assert np.allclose(heat[3:, 3:], baseline)
    with pytest.raises(ValueError, match=r"one image \(C, H, W\)"):
        occlusion_sensitivity(net, np.ones((6, 6)), 0)
