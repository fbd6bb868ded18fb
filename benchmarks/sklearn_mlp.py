"""NeuralNetClassifier vs scikit-learn's MLPClassifier on the 8x8 digits, each fit in its own process.

Same network (64-100-10, ReLU), Adam (lr 1e-3), alpha 1e-4, the same batch size and a fixed number of
epochs (tol=0 and n_iter_no_change > epochs, so neither stops early); 75 % / 25 % stratified split of
glassnet's bundled digits. Each process times ``--repeats`` fits after one warm-up fit.

    python benchmarks/sklearn_mlp.py [--rounds 5] [--threads 1] [--epochs 30] [--batch-sizes 32 200]
"""
from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np

from _timing import arguments, report, rounds

LIBRARIES = ["glassnet", "sklearn"]


def main():
    def add_options(parser):
        parser.add_argument("--epochs", type=int, default=30)
        parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 200])
    args = arguments(__doc__, threads=(1,), extra=add_options)
    from glassnet.data import load_digits, train_val_test_split
    X, y = load_digits()
    X_train, _, X_test, y_train, _, y_test = train_val_test_split(X, y, val_size=0.0, test_size=0.25, stratify=y,
                                                                  rng=0)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder, "digits.npz")
        np.savez(data, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
        for threads in args.threads:
            for batch in args.batch_sizes:
                options = {"data": str(data), "batch": batch, "epochs": args.epochs}
                results = rounds(LIBRARIES, "digits", options, threads, args.rounds, busy=args.busy)
                report(f"8x8 digits ({len(X_train)} training images), 64-100-10, Adam, batch {batch}, "
                       f"{args.epochs} epochs: fit", results, "fit s", threads, busy=args.busy, seconds=True)
                if not args.busy:
                    print("test accuracy: " + ", ".join(
                        f"{library} {statistics.median(r['extra']['accuracy'] for r in rs):.4f}"
                        for library, rs in results.items()))


if __name__ == "__main__":
    main()
