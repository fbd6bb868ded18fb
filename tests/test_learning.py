"""Networks that actually learn: the lectures' XOR with a 2-2-1 sigmoid network, and an MLP on digits."""
import numpy as np
import pytest

import glassnet as gn

nn, F = gn.nn, gn.nn.functional


def test_xor_with_a_2_2_1_sigmoid_network_reaches_100_percent():
    X = gn.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.float32([[0], [1], [1], [0]])
    gn.manual_seed(1)
    net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    opt = gn.optim.SGD(net.parameters(), lr=2.0, momentum=0.9)
    for _ in range(2000):
        opt.zero_grad()
        loss = F.mse_loss(net(X), y)
        loss.backward()
        opt.step()
    assert np.array_equal(net(X).data > 0.5, y > 0.5), loss.item()


def test_mlp_784_256_128_10_on_digits_reaches_97_percent():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    # the 8x8 images scaled up to 28x28 (nearest neighbour + zero border), so the input is 784
    images = np.kron(digits.images, np.ones((3, 3)))
    images = np.pad(images, ((0, 0), (2, 2), (2, 2))).reshape(len(images), 784).astype(np.float32) / 16
    rng = np.random.default_rng(0)
    order = rng.permutation(len(images))
    test, train = order[:360], order[360:]
    gn.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = gn.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(15):
        perm = rng.permutation(train)
        for start in range(0, len(perm), 64):
            idx = perm[start:start + 64]
            opt.zero_grad()
            F.cross_entropy(net(gn.tensor(images[idx])), digits.target[idx]).backward()
            opt.step()
    net.eval()
    with gn.no_grad():
        accuracy = (net(gn.tensor(images[test])).argmax(1) == gn.tensor(digits.target[test])).float().mean().item()
    assert accuracy >= 0.97
