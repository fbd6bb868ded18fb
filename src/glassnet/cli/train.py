"""``glassnet train``: fit a fully connected network to a CSV table and save it.

    glassnet train --data file.csv --target label --hidden 64,32 --epochs 50 --out model.safetensors

The task is a classification when the target holds integers or names, a regression when it holds
other numbers (override with --task). Features are standardized; their means and deviations, the
feature names and the classes are saved with the model, so ``glassnet predict`` needs nothing else.

Everything that can be checked before training is (the table's cells, the target, the rows the
validation split needs, the --out place); a run whose loss stops being a number ends at once and
saves nothing. Each problem is one line naming what is wrong, with exit code 2.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import nn, optim
from ..autograd import as_array, manual_seed
from ..data import train_val_test_split
from ..io import save
from ..train import EarlyStopping, TerminateOnNaN, Trainer
from . import UsageError
from ._tabular import check_out, read_table, standardize

# targets beyond this cannot be learned in float32: their squared errors overflow
LARGEST_TARGET = 1e15


def register(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a network on a CSV table and save it",
                              description="Train a fully connected network on a CSV table (a header row, "
                                          "numeric features, one target column) and save it.")
    p.add_argument("--data", required=True, help="CSV file with a header row")
    p.add_argument("--target", required=True, help="name of the column to predict")
    p.add_argument("--hidden", default="64,32", help="hidden layer sizes, comma-separated (default 64,32)")
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--out", required=True, help="where to write the model (.safetensors)")
    p.add_argument("--task", choices=("auto", "classification", "regression"), default="auto")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--activation", choices=("relu", "tanh", "sigmoid"), default="relu")
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--val-fraction", type=float, default=0.2, help="held out for validation (default 0.2)")
    p.add_argument("--patience", type=int, default=10, help="early-stopping patience in epochs (0: off)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise UsageError(f"--hidden expects comma-separated sizes like 64,32, got {text!r}") from None
    if any(s <= 0 for s in sizes):
        raise UsageError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _check_args(args) -> None:
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0:
        raise UsageError("--epochs and --batch-size must be >= 1 and --lr > 0")
    if not 0 < args.val_fraction < 1:
        raise UsageError(f"--val-fraction must be between 0 and 1, got {args.val_fraction}")
    check_out(args.out, {"the input": args.data})


def _is_classification(y: np.ndarray, task: str) -> bool:
    if task != "auto":
        return task == "classification"
    return y.dtype.kind in "iuUSO"


def _check_target(y: np.ndarray, classify: bool, args) -> None:
    if not classify and y.dtype.kind in "USO":
        raise UsageError(f"--task regression needs a numeric target, column {args.target!r} holds text")
    if not classify and np.abs(y).max() > LARGEST_TARGET:
        row = int(np.argmax(np.abs(y)))
        raise UsageError(f"{args.data}, line {row + 2}: the target column {args.target!r} holds {float(y[row]):g}; "
                         f"values beyond {LARGEST_TARGET:g} cannot be learned in float32: rescale the column")


def _check_split(n_train: int, n_val: int, args) -> None:
    if n_train == 0 or n_val == 0:
        raise UsageError(f"{args.data}: {n_train + n_val} rows leave {n_val} validation and {n_train} training "
                         f"rows at --val-fraction {args.val_fraction:g}; give more rows (at least "
                         f"{math.ceil(1 / min(args.val_fraction, 1 - args.val_fraction))} of each class)")


def run(args) -> int:
    _check_args(args)
    hidden = _hidden_sizes(args.hidden)
    X, y, features = read_table(args.data, target=args.target)
    if X.shape[1] == 0:
        raise UsageError(f"{args.data}: no feature columns: the table holds only the target {args.target!r}")
    classify = _is_classification(y, args.task)
    _check_target(y, classify, args)
    classes = np.unique(y) if classify else None
    if classify and len(classes) < 2:
        raise UsageError(f"column {args.target!r} holds a single class; nothing to learn")
    target = np.searchsorted(classes, y).astype(np.int64) if classify else y.astype(np.float32)[:, None]
    manual_seed(args.seed)
    X_train, X_val, _, y_train, y_val, _ = train_val_test_split(
        X, target, val_size=args.val_fraction, test_size=0.0, stratify=target if classify else None)
    _check_split(len(X_train), len(X_val), args)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0

    sizes = [X.shape[1], *hidden, len(classes) if classify else 1]
    activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[args.activation]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(n_in, n_out)] + ([activation()] if i < len(sizes) - 2 else [])
    net = nn.Sequential(*layers)
    net.summary(input_size=(1, X.shape[1]))

    nan_guard = TerminateOnNaN()
    callbacks = [nan_guard] + ([EarlyStopping(patience=args.patience)] if args.patience > 0 else [])
    trainer = Trainer(net, nn.CrossEntropyLoss() if classify else nn.MSELoss(),
                      optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay),
                      metrics=["accuracy"] if classify else ["r2", "mae"], callbacks=callbacks,
                      batch_size=args.batch_size, verbose=0 if args.quiet else 1)
    val = (standardize(X_val, mean, std), y_val)
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging run is reported below, in one line
        history = trainer.fit((standardize(X_train, mean, std), y_train), val, epochs=args.epochs)
        scores = trainer.evaluate(val)
    finite = all(np.isfinite(as_array(p)).all() for p in net.parameters()) and math.isfinite(scores["loss"])
    if nan_guard.reason or not finite:
        what = nan_guard.reason.split(":")[0] if nan_guard.reason else "the weights are no longer finite numbers"
        raise UsageError(f"training diverged ({what}); nothing was saved: lower --lr (now {args.lr:g}) "
                         f"or check the data")
    metadata = {"task": "classification" if classify else "regression", "target": args.target,
                "features": features, "mean": mean.tolist(), "std": std.tolist(),
                "classes": None if classes is None else classes.tolist()}
    save(net, args.out, metadata=metadata)
    print(f"trained {len(history)} epochs" + (f" ({history.stop_reason})" if history.stop_reason else ""))
    print("validation: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))
    print(f"saved {args.out}")
    return 0
