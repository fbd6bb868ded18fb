"""glassnet's side of the benchmarks (imported only in glassnet's own worker process)."""
from __future__ import annotations

import glassnet as gn
from glassnet.models import LeNet5

from workloads import (
    LENET_BATCH, MLP_BATCH, MLP_SIZES, RNN_HIDDEN, RNN_INPUT, RNN_UPDATES, Timed, batches, digits_timed, fit_timed,
    lenet_data, load_arrays, mlp_data, rnn_data,
)

nn, F = gn.nn, gn.nn.functional
VERSION = gn.__version__


def _classifier_epoch(net, opt, data) -> callable:
    def epoch():
        for X, y in data:
            opt.zero_grad()
            F.cross_entropy(net(gn.Tensor(X)), y).backward()
            opt.step()
    return epoch


def mlp() -> Timed:
    gn.manual_seed(0)
    sizes = MLP_SIZES
    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
                        nn.Linear(sizes[2], sizes[3]))
    X, y = mlp_data()
    return Timed(_classifier_epoch(net, gn.optim.Adam(net.parameters(), lr=1e-3), batches(X, y, MLP_BATCH)), len(X))


def lenet() -> Timed:
    gn.manual_seed(0)
    net = LeNet5()
    X, y = lenet_data()
    opt = gn.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    return Timed(_classifier_epoch(net, opt, batches(X, y, LENET_BATCH)), len(X))


def recurrent(kind: str) -> Timed:
    gn.manual_seed(0)
    rnn, head = getattr(nn, kind)(RNN_INPUT, RNN_HIDDEN), nn.Linear(RNN_HIDDEN, 1)
    opt = gn.optim.Adam([*rnn.parameters(), *head.parameters()], lr=1e-3)
    x, y = rnn_data()

    def updates():
        for _ in range(RNN_UPDATES):
            opt.zero_grad()
            out, _ = rnn(x)
            F.mse_loss(head(out[-1]), y).backward()
            opt.step()
    return Timed(updates, RNN_UPDATES * x.shape[1])


def bdt(data: str, trees: int, depth: int, bins: int, threads: int, predictions: str) -> Timed:
    from glassnet.trees import GradientBoostingClassifier
    arrays = load_arrays(data)
    settings = dict(max_depth=depth, learning_rate=0.1, max_bin=bins, reg_lambda=1.0, n_jobs=threads)
    # warm-up (imports, Numba's compiled kernels) on a slice instead of a whole untimed fit
    GradientBoostingClassifier(n_estimators=2, **settings).fit(arrays["X"][:2000], arrays["y"][:2000], verbose=False)
    model = GradientBoostingClassifier(n_estimators=trees, **settings)
    return fit_timed(model, arrays, predictions, verbose=False)


def digits(data: str, batch: int, epochs: int) -> Timed:
    from glassnet.sklearn import NeuralNetClassifier
    model = NeuralNetClassifier(hidden_layer_sizes=(100,), activation="relu", optimizer="adam", lr=1e-3,
                                alpha=1e-4, batch_size=batch, max_iter=epochs, tol=0.0,
                                n_iter_no_change=epochs + 1, random_state=0)
    return digits_timed(model, load_arrays(data))
