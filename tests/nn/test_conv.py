"""Conv1d, Conv2d, ConvTranspose2d: finite-difference gradient checks over stride / padding /
dilation / groups, PyTorch comparisons with copied weights (forward, input and parameter
gradients, float32, rtol 1e-4), PyTorch's parameter shapes and init, and clear errors."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import gradcheck

nn, F = gn.nn, gn.nn.functional

CONV2D = [  # (in, out, kernel, options)
    (2, 3, 3, {}),
    (2, 4, (3, 2), dict(stride=2, padding=1)),
    (4, 4, 3, dict(stride=(1, 2), padding=(2, 0), dilation=2, groups=2)),
    (3, 2, 2, dict(padding="same")),
    (3, 2, (4, 3), dict(padding="same", dilation=(1, 2))),
    (2, 2, 3, dict(padding="valid", stride=3)),
    (6, 6, 3, dict(padding=1, groups=6, bias=False)),
]
CONV1D = [
    (2, 3, 3, {}),
    (4, 2, 2, dict(stride=2, padding=1, dilation=2, groups=2)),
    (2, 2, 4, dict(padding="same")),
]
CONV_T = [  # ConvTranspose2d
    (2, 3, 3, {}),
    (2, 2, 3, dict(stride=2, padding=1, output_padding=1)),
    (4, 2, (2, 3), dict(stride=(2, 3), padding=(0, 1), dilation=2, output_padding=(1, 2), groups=2)),
    (2, 3, 2, dict(stride=1, dilation=3, output_padding=2, bias=False)),
]


def _functional_args(options):
    options = dict(options)
    options.pop("bias", None)
    return options


@pytest.mark.parametrize("cin, cout, k, options", CONV2D)
def test_conv2d_gradcheck(cin, cout, k, options):
    rng = np.random.default_rng(0)
    layer = nn.Conv2d(cin, cout, k, **options)
    x = rng.standard_normal((2, cin, 5, 6))
    params = [layer.weight.data] + ([layer.bias.data] if layer.bias is not None else [])
    assert gradcheck(lambda x, *p: F.conv2d(x, *p, **_functional_args(options)), [x, *params])


@pytest.mark.parametrize("cin, cout, k, options", CONV1D)
def test_conv1d_gradcheck(cin, cout, k, options):
    layer = nn.Conv1d(cin, cout, k, **options)
    x = np.random.default_rng(1).standard_normal((2, cin, 7))
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, **_functional_args(options)),
                     [x, layer.weight.data, layer.bias.data])


@pytest.mark.parametrize("cin, cout, k, options", CONV_T)
def test_conv_transpose2d_gradcheck(cin, cout, k, options):
    layer = nn.ConvTranspose2d(cin, cout, k, **options)
    x = np.random.default_rng(2).standard_normal((2, cin, 3, 4))
    params = [layer.weight.data] + ([layer.bias.data] if layer.bias is not None else [])
    assert gradcheck(lambda x, *p: F.conv_transpose2d(x, *p, **_functional_args(options)), [x, *params])


def compare_layer(layer, twin, x, rtol=1e-4, atol=1e-5):
    """Copy ``layer``'s state into the torch ``twin``, then compare output, input grad and
    parameter grads for a random upstream gradient."""
    torch = pytest.importorskip("torch")
    twin.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in layer.state_dict().items()})
    gx, tx = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g_out, t_out = layer(gx), twin(tx)
    np.testing.assert_allclose(g_out.data, t_out.detach().numpy(), rtol=rtol, atol=atol)
    seed = np.random.default_rng(5).standard_normal(g_out.shape).astype(np.float32)
    g_out.backward(seed)
    t_out.backward(torch.tensor(seed))
    np.testing.assert_allclose(gx.grad, tx.grad.detach().numpy(), rtol=rtol, atol=atol)
    t_params = dict(twin.named_parameters())
    for name, param in layer.named_parameters():
        np.testing.assert_allclose(param.grad, t_params[name].grad.detach().numpy(), rtol=rtol, atol=atol, err_msg=name)
    return g_out


@pytest.mark.parametrize("cin, cout, k, options", CONV2D)
def test_conv2d_matches_torch(cin, cout, k, options):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((4, cin, 11, 9)).astype(np.float32)
    compare_layer(nn.Conv2d(cin, cout, k, **options), torch.nn.Conv2d(cin, cout, k, **options), x)


@pytest.mark.parametrize("cin, cout, k, options", CONV1D)
def test_conv1d_matches_torch(cin, cout, k, options):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, cin, 13)).astype(np.float32)
    compare_layer(nn.Conv1d(cin, cout, k, **options), torch.nn.Conv1d(cin, cout, k, **options), x)


@pytest.mark.parametrize("cin, cout, k, options", CONV_T)
def test_conv_transpose2d_matches_torch(cin, cout, k, options):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal((3, cin, 5, 4)).astype(np.float32)
    compare_layer(nn.ConvTranspose2d(cin, cout, k, **options), torch.nn.ConvTranspose2d(cin, cout, k, **options), x)


def test_conv_chain_on_channel_major_views_matches_torch():
    # conv outputs are views of (C, N, H, W) memory: the next layers must read them correctly
    torch = pytest.importorskip("torch")
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 5, 3),
                        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(5, 2))
    twin = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(4, 5, 3), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(5, 2))
    compare_layer(net, twin, np.random.default_rng(6).standard_normal((3, 3, 8, 8)).astype(np.float32))


def test_large_batches_are_split_into_slices_with_the_same_result(monkeypatch):
    from glassnet.nn.kernels import im2col
    layer = nn.Conv2d(2, 3, 3, padding=1)
    x = gn.tensor(np.random.default_rng(7).standard_normal((5, 2, 6, 6)).astype(np.float32), requires_grad=True)
    whole = layer(x)
    whole.sum().backward()
    grads = x.grad.clone(), layer.weight.grad.clone()
    monkeypatch.setattr(im2col, "WINDOW_ELEMENTS", 1)  # one image per slice
    x.grad, layer.weight.grad = None, None
    sliced = layer(x)
    sliced.sum().backward()
    np.testing.assert_allclose(sliced.data, whole.data, rtol=1e-6)
    np.testing.assert_allclose(x.grad, grads[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.grad, grads[1], rtol=1e-5, atol=1e-6)


def test_parameter_shapes_names_and_default_init_follow_torch():
    conv = nn.Conv2d(4, 6, (3, 5), groups=2)
    assert conv.weight.shape == (6, 2, 3, 5) and conv.bias.shape == (6,)
    assert list(conv.state_dict()) == ["weight", "bias"]
    bound = 1 / np.sqrt(2 * 3 * 5)  # U(±1/√fan_in), fan_in = in/groups · KH · KW
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).max() > 0.8 * bound
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert nn.Conv1d(3, 5, 4, bias=False).weight.shape == (5, 3, 4)
    assert nn.Conv2d(1, 2, 3).weight.dtype == np.float32
    y = nn.Conv2d(1, 2, 3, padding="same")(gn.randn(1, 1, 7, 9))
    assert y.shape == (1, 2, 7, 9) and y.dtype == np.float32


def test_same_seed_same_weights():
    gn.manual_seed(3)
    a = nn.Conv2d(2, 3, 3).weight.detach().clone()
    gn.manual_seed(3)
    assert np.array_equal(a, nn.Conv2d(2, 3, 3).weight.data)


def test_dtype_is_kept_in_float64():
    layer = nn.Conv2d(1, 2, 3).double()
    assert layer(np.zeros((1, 1, 4, 4))).dtype == np.float64


def test_bad_inputs_name_the_layer_and_the_shapes():
    net = nn.Sequential(nn.Conv2d(3, 8, 5), nn.ReLU())
    with pytest.raises(nn.LayerInputError, match=r"Conv2d '0' expects a 4-D input \(N, 3, H, W\), got 3-D \(3, 32, 32\)"):
        net(gn.randn(3, 32, 32))
    with pytest.raises(nn.LayerInputError, match=r"Conv2d '0' expects 3 input channels .*weight \(8, 3, 5, 5\), got input \(2, 1, 32, 32\)"):
        net(gn.randn(2, 1, 32, 32))
    with pytest.raises(nn.LayerInputError, match=r"Conv2d '0' has a 5x5 kernel .* larger than the padded input: input \(2, 3, 4, 4\)"):
        net(gn.randn(2, 3, 4, 4))
    with pytest.raises(nn.LayerInputError, match=r"Conv2d needs kernel_size, stride and dilation >= 1, got kernel_size=\(3, 3\), stride=\(0, 0\)"):
        nn.Conv2d(3, 8, 3, stride=0)
    with pytest.raises(nn.LayerInputError, match="divisible by groups"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(nn.LayerInputError, match="padding='same' needs stride 1"):
        nn.Conv2d(3, 8, 3, stride=2, padding="same")
    with pytest.raises(nn.LayerInputError, match=r"Conv1d expects a 3-D input \(N, 2, L\)"):
        nn.Conv1d(2, 2, 3)(gn.randn(2, 2, 5, 5))
    with pytest.raises(nn.LayerInputError, match="output_padding must be smaller"):
        nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2)
    with pytest.raises(nn.LayerInputError, match=r"ConvTranspose2d expects \(N, 2, H, W\), got \(1, 3, 4, 4\)"):
        nn.ConvTranspose2d(2, 2, 3)(gn.randn(1, 3, 4, 4))
    with pytest.raises(ValueError, match="conv2d expects 3 input channels"):
        F.conv2d(gn.randn(1, 2, 5, 5), gn.randn(4, 3, 3, 3))
