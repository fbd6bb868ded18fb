"""PyTorch's side of the benchmarks (imported only in PyTorch's own worker process)."""
from __future__ import annotations

import os

import torch

from workloads import (
    LENET_BATCH, MLP_BATCH, MLP_SIZES, RNN_HIDDEN, RNN_INPUT, RNN_UPDATES, Timed, batches, lenet_data, mlp_data,
    rnn_data,
)

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))
nn, F = torch.nn, torch.nn.functional
VERSION = torch.__version__


def _classifier_epoch(net, opt, data) -> callable:
    data = [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in data]

    def epoch():
        for X, y in data:
            opt.zero_grad()
            F.cross_entropy(net(X), y).backward()
            opt.step()
    return epoch


def mlp() -> Timed:
    torch.manual_seed(0)
    sizes = MLP_SIZES
    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
                        nn.Linear(sizes[2], sizes[3]))
    X, y = mlp_data()
    return Timed(_classifier_epoch(net, torch.optim.Adam(net.parameters(), lr=1e-3), batches(X, y, MLP_BATCH)),
                 len(X))


def lenet() -> Timed:
    """glassnet's LeNet5 layer for layer (max pool before ReLU: the same function, a quarter of the
    ReLU's work)."""
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    X, y = lenet_data()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    return Timed(_classifier_epoch(net, opt, batches(X, y, LENET_BATCH)), len(X))


def recurrent(kind: str) -> Timed:
    torch.manual_seed(0)
    rnn, head = getattr(nn, kind)(RNN_INPUT, RNN_HIDDEN), nn.Linear(RNN_HIDDEN, 1)
    opt = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
    x, y = (torch.from_numpy(a) for a in rnn_data())

    def updates():
        for _ in range(RNN_UPDATES):
            opt.zero_grad()
            out, _ = rnn(x)
            F.mse_loss(head(out[-1]), y).backward()
            opt.step()
    return Timed(updates, RNN_UPDATES * x.shape[1])
