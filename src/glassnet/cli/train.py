"""``glassnet train``: fit a fully connected network to a CSV table and save it.

    glassnet train --data file.csv --target label --hidden 64,32 --epochs 50 --out model.safetensors

The task is a classification when the target holds integers or names, a regression when it holds
other numbers (override with --task). Features are standardized; their means and deviations, the
feature names and the classes are saved with the model, so ``glassnet predict`` needs nothing else.
"""
from __future__ import annotations

import os

import numpy as np

from .. import nn, optim
from ..autograd import manual_seed
from ..data import train_val_test_split
from ..io import save
from ..train import EarlyStopping, Trainer
from . import UsageError
from ._tabular import read_table, standardize


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
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {args.out}: no folder {folder}")


def _is_classification(y: np.ndarray, task: str) -> bool:
    if task != "auto":
        return task == "classification"
    return y.dtype.kind in "iuUSO"


def run(args) -> int:
    _check_args(args)
    hidden = _hidden_sizes(args.hidden)
    X, y, features = read_table(args.data, target=args.target)
    classify = _is_classification(y, args.task)
    if not classify and y.dtype.kind in "USO":
        raise UsageError(f"--task regression needs a numeric target, column {args.target!r} holds text")
    classes = np.unique(y) if classify else None
    if classify and len(classes) < 2:
        raise UsageError(f"column {args.target!r} holds a single class; nothing to learn")
    target = np.searchsorted(classes, y).astype(np.int64) if classify else y.astype(np.float32)[:, None]
    manual_seed(args.seed)
    X_train, X_val, _, y_train, y_val, _ = train_val_test_split(
        X, target, val_size=args.val_fraction, test_size=0.0, stratify=target if classify else None)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0

    sizes = [X.shape[1], *hidden, len(classes) if classify else 1]
    activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[args.activation]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(n_in, n_out)] + ([activation()] if i < len(sizes) - 2 else [])
    net = nn.Sequential(*layers)
    net.summary(input_size=(1, X.shape[1]))

    callbacks = [EarlyStopping(patience=args.patience)] if args.patience > 0 else []
    trainer = Trainer(net, nn.CrossEntropyLoss() if classify else nn.MSELoss(),
                      optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay),
                      metrics=["accuracy"] if classify else ["r2", "mae"], callbacks=callbacks,
                      batch_size=args.batch_size, verbose=0 if args.quiet else 1)
    val = (standardize(X_val, mean, std), y_val)
    history = trainer.fit((standardize(X_train, mean, std), y_train), val, epochs=args.epochs)
    scores = trainer.evaluate(val)
    metadata = {"task": "classification" if classify else "regression", "target": args.target,
                "features": features, "mean": mean.tolist(), "std": std.tolist(),
                "classes": None if classes is None else classes.tolist()}
    save(net, args.out, metadata=metadata)
    print(f"trained {len(history)} epochs" + (f" ({history.stop_reason})" if history.stop_reason else ""))
    print("validation: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))
    print(f"saved {args.out}")
    return 0
