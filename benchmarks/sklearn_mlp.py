"""NeuralNetClassifier vs scikit-learn's MLPClassifier on the 8x8 digits: fit time and test accuracy.

Same network (64-100-10, ReLU), solver Adam (lr 1e-3), alpha 1e-4, the same batch size and a fixed
number of epochs (tol=0 and n_iter_no_change > epochs, so neither stops early); 75 % / 25 % stratified
split. Each round fits both estimators once, rounds interleaved; medians of the fit times, one BLAS
thread for both. Run: python benchmarks/sklearn_mlp.py [--rounds 5] [--epochs 30] [--batch-sizes 32,200]
"""
from __future__ import annotations

import argparse
import statistics
import warnings

from _timing import interleaved, machine


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-sizes", default="32,200")
    args = parser.parse_args()

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    from glassnet.data import load_digits, train_val_test_split
    from glassnet.sklearn import NeuralNetClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits()
    X_train, _, X_test, y_train, _, y_test = train_val_test_split(X, y, val_size=0.0, test_size=0.25,
                                                                  stratify=y, rng=0)
    common = dict(hidden_layer_sizes=(100,), activation="relu", alpha=1e-4, max_iter=args.epochs,
                  tol=0.0, n_iter_no_change=args.epochs + 1, random_state=0)
    with threadpool_limits(limits=1):
        print(f"8x8 digits: {len(X_train)} training, {len(X_test)} test images; {args.epochs} epochs, "
              f"{args.rounds} rounds\n{machine()}")
        print(f"{'batch':>6}{'glassnet s':>12}{'sklearn s':>11}{'speed-up':>10}{'glassnet acc':>14}"
              f"{'sklearn acc':>13}")
        for batch in [int(b) for b in args.batch_sizes.split(",")]:
            models = {
                "glassnet": NeuralNetClassifier(optimizer="adam", lr=1e-3, batch_size=batch, **common),
                "sklearn": MLPClassifier(solver="adam", learning_rate_init=1e-3, batch_size=batch, **common),
            }
            times = interleaved({name: (lambda m=m: m.fit(X_train, y_train)) for name, m in models.items()},
                                args.rounds)
            median = {name: statistics.median(t) for name, t in times.items()}
            accuracy = {name: m.score(X_test, y_test) for name, m in models.items()}
            print(f"{batch:>6}{median['glassnet']:>12.3f}{median['sklearn']:>11.3f}"
                  f"{median['sklearn'] / median['glassnet']:>10.2f}{accuracy['glassnet']:>14.4f}"
                  f"{accuracy['sklearn']:>13.4f}")


if __name__ == "__main__":
    main()
