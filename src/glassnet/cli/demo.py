"""``glassnet demo``: train a small network on the bundled 8x8 digits and show what it learned."""
from __future__ import annotations

import time

import numpy as np


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="train a small MLP on the bundled digits and report it")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=1, help="0 silences the progress bar")
    parser.set_defaults(func=run)


def run(args) -> int:
    from sklearn.datasets import load_digits
    from tqdm import tqdm

    import glassnet as gn
    from . import UsageError

    if args.epochs < 1:
        raise UsageError(f"--epochs must be at least 1, got {args.epochs}")
    nn, F = gn.nn, gn.nn.functional
    digits = load_digits()
    X, y = (digits.data / 16).astype(np.float32), digits.target
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(X))
    test, train = order[:360], order[360:]
    gn.manual_seed(args.seed)
    net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    print("glassnet demo: a 64-64-10 ReLU network learns the 8x8 handwritten digits "
          f"({len(train)} for training, {len(test)} held out)\n")
    net.summary((1, 64))
    opt = gn.optim.Adam(net.parameters(), lr=3e-3)
    start = time.perf_counter()
    bar = tqdm(range(args.epochs), desc="training", disable=args.verbose == 0)
    for _ in bar:
        perm = rng.permutation(train)
        for i in range(0, len(perm), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = F.cross_entropy(net(gn.tensor(X[idx])), y[idx])
            loss.backward()
            opt.step()
        bar.set_postfix(loss=f"{loss.item():.4f}")
    seconds = time.perf_counter() - start
    with gn.no_grad():
        predicted = net(gn.tensor(X[test])).argmax(1).numpy()
    accuracy = (predicted == y[test]).mean()
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y[test], predicted), 1)
    print(f"\ntrained {args.epochs} epochs in {seconds:.1f} s; held-out accuracy {accuracy:.1%}")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print("     " + " ".join(f"{d:>3}" for d in range(10)))
    for digit, row in enumerate(confusion):
        print(f"{digit:>3}  " + " ".join(f"{n:>3}" for n in row))
    return 0
