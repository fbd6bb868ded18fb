"""LeNet5 and SmallVGG: shapes, PyTorch twins, and a LeNet-style CNN that learns the digits."""
import time

import numpy as np
import pytest

import glassnet as gn
from glassnet.models import LeNet5, SmallVGG

nn, F = gn.nn, gn.nn.functional


def test_lenet5_shapes_parameters_and_torch_twin():
    torch = pytest.importorskip("torch")
    net = LeNet5()
    assert net(gn.randn(2, 1, 28, 28)).shape == (2, 10)
    assert net.num_parameters() == 61706  # LeNet-5's classic count for 28×28 inputs with padding 2
    twin = torch.nn.Module()
    twin.features = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
    twin.classifier = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(),
                                          torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))
    twin.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in net.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 1, 28, 28)).astype(np.float32)
    expected = twin.classifier(twin.features(torch.tensor(x)))
    out = net(x)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    # the gradients too: glassnet pools before the ReLU (they commute), the twin after it
    out.sum().backward()
    expected.sum().backward()
    twin_grads = dict(twin.named_parameters())
    for name, param in net.named_parameters():
        np.testing.assert_allclose(param.grad, twin_grads[name].grad.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_lenet5_classic_variant_and_bad_arguments():
    net = LeNet5(activation="tanh", pooling="avg")
    assert isinstance(net.features[1], nn.Tanh) and isinstance(net.features[2], nn.AvgPool2d)
    with pytest.raises(ValueError, match="activation must be one of"):
        LeNet5(activation="gelu")
    with pytest.raises(nn.LayerInputError, match=r"Conv2d 'features.0' expects a 4-D input \(N, 1, H, W\), got 3-D"):
        LeNet5()(gn.randn(1, 28, 28))


def test_small_vgg_shapes_and_modes():
    net = SmallVGG(num_classes=5, in_channels=3, widths=(4, 8), image_size=16)
    assert net(gn.randn(2, 3, 16, 16)).shape == (2, 5)
    net.eval()
    assert net(gn.randn(1, 3, 16, 16)).shape == (1, 5)
    assert "features.1.running_mean" in net.state_dict()
    with pytest.raises(ValueError, match="need images of at least 4 pixels"):
        SmallVGG(widths=(4, 8), image_size=3)


@pytest.mark.slow
def test_lenet_style_cnn_on_digits_reaches_98_percent_in_under_a_minute():
    datasets = pytest.importorskip("sklearn.datasets")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    digits = datasets.load_digits()
    images = (digits.images[:, None] / 16).astype(np.float32)  # (1797, 1, 8, 8)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(images))
    test, train = order[:360], order[360:]
    gn.manual_seed(0)
    net = nn.Sequential(  # LeNet's pattern for 8×8 inputs (conv, pool, conv, pool, dense), batch-normalized
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10))
    epochs = 10
    opt = gn.optim.Adam(net.parameters(), lr=3e-3)
    schedule = gn.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    start = time.perf_counter()
    # One BLAS thread: these GEMMs are too small to split, and on a busy machine a second BLAS
    # thread mostly waits for a core (7x slower on 2 shared cores).
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        for epoch in range(epochs):
            perm = rng.permutation(train)
            for first in range(0, len(perm), 32):
                idx = perm[first:first + 32]
                opt.zero_grad()
                F.cross_entropy(net(images[idx]), digits.target[idx]).backward()
                opt.step()
            schedule.step()
    elapsed = time.perf_counter() - start
    net.eval()
    with gn.no_grad():
        accuracy = np.mean(net(images[test]).argmax(1).numpy() == digits.target[test])
    assert accuracy >= 0.98, accuracy
    assert elapsed < 60, elapsed
    print(f"digits CNN: test accuracy {accuracy:.4f} after {elapsed:.1f} s")
