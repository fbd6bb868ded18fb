"""``glassnet predict``: apply a model saved by ``glassnet train`` to a CSV table.

    glassnet predict model.safetensors file.csv [--out predictions.csv]

Writes one row per input row: the prediction and, for a classifier, each class' probability. Rows
it cannot score (a cell that is not a finite number, or a model that gives no finite output for them)
are refused by line before anything is written; an --out that is the model or the input, or that
cannot be written, is refused before anything is computed.
"""
from __future__ import annotations

import csv
import io
import sys

import numpy as np

from ..autograd import as_array, no_grad
from ..io import FileFormatError, load
from ..io.safefile import atomic_write
from . import UsageError
from ._tabular import check_out, read_table, standardize


def register(subparsers) -> None:
    p = subparsers.add_parser("predict", help="apply a model made by `glassnet train` to a CSV table",
                              description="Predict with a model saved by `glassnet train`.")
    p.add_argument("model", help="a .safetensors file written by `glassnet train`")
    p.add_argument("data", help="CSV file with the same feature columns (a target column is ignored)")
    p.add_argument("--out", help="write the predictions to this CSV file instead of the screen")
    p.set_defaults(func=run)


def _load_model(path):
    try:
        net, meta = load(path, with_metadata=True)
    except (FileNotFoundError, FileFormatError) as error:
        raise UsageError(str(error)) from None
    if not {"features", "mean", "std", "task"} <= set(meta):
        raise UsageError(f"{path}: not a model made by `glassnet train` (no feature description)")
    return net, meta


def run(args) -> int:
    if args.out:
        check_out(args.out, {"the model": args.model, "the input": args.data})
    net, meta = _load_model(args.model)
    X, _, _ = read_table(args.data, features=meta["features"])
    with no_grad(), np.errstate(all="ignore"):
        output = as_array(net.eval()(standardize(X, meta["mean"], meta["std"])))
    unscored = np.flatnonzero(~np.isfinite(output).all(axis=1))
    if len(unscored):
        lines = ", ".join(str(row + 2) for row in unscored[:10]) + (" ..." if len(unscored) > 10 else "")
        raise UsageError(f"{args.data}: the model gives no finite prediction for {len(unscored)} row(s), at "
                         f"line(s) {lines}: is {args.model} a diverged model?")
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    if meta["task"] == "classification":
        classes = meta["classes"]
        p = np.exp(output - output.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        writer.writerow(["prediction"] + [f"probability_{c}" for c in classes])
        for label, probs in zip(np.asarray(classes)[output.argmax(axis=1)].tolist(), p):
            writer.writerow([label] + [f"{q:.6g}" for q in probs])
    else:
        writer.writerow(["prediction"])
        writer.writerows([[f"{v:.8g}"] for v in output[:, 0]])
    if args.out:
        atomic_write(args.out, rows.getvalue().encode())
        print(f"wrote {len(X)} predictions to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(rows.getvalue())
    return 0
