"""MLP training throughput: glassnet vs PyTorch (CPU) vs scikit-learn's MLPClassifier.

The same 784-256-128-10 ReLU network, Adam (lr 1e-3), batch 128, float32, random data; each round
trains one epoch of 50 batches in each library, rounds interleaved; medians of samples/s.
Run: python benchmarks/mlp.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import warnings

import numpy as np

from _timing import interleaved, report

BATCH, N_BATCHES, SIZES = 128, 50, (784, 256, 128, 10)


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((BATCH * N_BATCHES, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], len(X))
    return X, y


def glassnet_runner(X, y):
    import glassnet as gn
    nn = gn.nn
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = gn.optim.Adam(net.parameters(), lr=1e-3)
    rng = np.random.default_rng(1)

    def epoch():
        order = rng.permutation(len(X))
        for start in range(0, len(X), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(gn.Tensor(X[idx])), y[idx])
            loss.backward()
            opt.step()
    return epoch


def torch_runner(X, y):
    import torch
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        order = torch.randperm(len(X))
        for start in range(0, len(X), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return epoch


def sklearn_runner(X, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=SIZES[1:-1], solver="adam", learning_rate_init=1e-3,
                        batch_size=BATCH, max_iter=1, alpha=0.0, shuffle=True, random_state=0)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
    return epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    import torch
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    X, y = make_data()
    runners = {"glassnet": glassnet_runner(X, y), "pytorch": torch_runner(X, y),
               "scikit-learn": sklearn_runner(X, y)}
    times = interleaved(runners, args.rounds)
    rates = report(f"MLP 784-256-128-10, Adam, batch {BATCH}, float32 (torch threads: {threads})",
                   times, len(X), "samples/s", "pytorch")
    print(f"glassnet / scikit-learn: {rates['glassnet'] / rates['scikit-learn']:.2f}")


if __name__ == "__main__":
    main()
