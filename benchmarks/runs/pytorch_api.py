"""The MLP, LeNet-5 and recurrent workloads written once against PyTorch's API: ``torch`` and
``glassnet`` (whose API is PyTorch's) each pass themselves in as ``lib``, in their own process."""
from __future__ import annotations

from workloads import (
    LENET_BATCH, MLP_BATCH, MLP_SIZES, RNN_HIDDEN, RNN_INPUT, RNN_UPDATES, Timed, batches, lenet_data, mlp_data,
    rnn_data,
)


def _classifier_epoch(lib, net, opt, data) -> callable:
    data = [(lib.from_numpy(X), lib.from_numpy(y)) for X, y in data]

    def epoch():
        for X, y in data:
            opt.zero_grad()
            lib.nn.functional.cross_entropy(net(X), y).backward()
            opt.step()
    return epoch


def mlp(lib) -> Timed:
    lib.manual_seed(0)
    nn, sizes = lib.nn, MLP_SIZES
    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
                        nn.Linear(sizes[2], sizes[3]))
    X, y = mlp_data()
    return Timed(_classifier_epoch(lib, net, lib.optim.Adam(net.parameters(), lr=1e-3), batches(X, y, MLP_BATCH)),
                 len(X))


def lenet(lib) -> Timed:
    """glassnet's ``models.LeNet5`` layer for layer (max pool before ReLU: the same function as
    ReLU before pool, with a quarter of the ReLU's work)."""
    lib.manual_seed(0)
    nn = lib.nn
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    X, y = lenet_data()
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    return Timed(_classifier_epoch(lib, net, opt, batches(X, y, LENET_BATCH)), len(X))


def recurrent(lib, kind: str) -> Timed:
    lib.manual_seed(0)
    rnn, head = getattr(lib.nn, kind)(RNN_INPUT, RNN_HIDDEN), lib.nn.Linear(RNN_HIDDEN, 1)
    opt = lib.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
    x, y = (lib.from_numpy(a) for a in rnn_data())

    def updates():
        for _ in range(RNN_UPDATES):
            opt.zero_grad()
            out, _ = rnn(x)
            lib.nn.functional.mse_loss(head(out[-1]), y).backward()
            opt.step()
    return Timed(updates, RNN_UPDATES * x.shape[1])
