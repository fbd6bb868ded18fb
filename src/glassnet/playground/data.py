"""The playground's data: the generated 2-D sets of ``glassnet.data.synthetic``, an uploaded CSV, the
train/test split and the input features (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from ..data import synthetic
from .settings import DATASETS, FEATURES, SettingsError

MAX_UPLOAD_BYTES = 1_000_000
MAX_UPLOAD_ROWS = 5000
PLANE = 6.0            # the input plane is [-6, 6]², as the playground's
UPLOAD_EXTENT = 5.0    # an uploaded set is scaled so that its largest |coordinate| is this

GENERATORS = {
    "circle": synthetic.make_circle,
    "xor": synthetic.make_xor,
    "gauss": synthetic.make_gaussian,
    "spiral": synthetic.make_spiral,
    "reg-plane": synthetic.make_regression_plane,
    "reg-gauss": synthetic.make_multi_gaussian,
}
FEATURE_FUNCTIONS = {
    "x": lambda x1, x2: x1,
    "y": lambda x1, x2: x2,
    "xSquared": lambda x1, x2: x1 * x1,
    "ySquared": lambda x1, x2: x2 * x2,
    "xTimesY": lambda x1, x2: x1 * x2,
    "sinX": lambda x1, x2: np.sin(x1),
    "sinY": lambda x1, x2: np.sin(x2),
}


@dataclass
class Points:
    """Points in the plane with their labels: class indices (int64) or regression targets (float32)."""
    X: np.ndarray
    y: np.ndarray
    problem: str          # classification (2 classes), multiclass or regression
    num_classes: int      # 1 for regression

    def split(self, percent_train: int, rng: np.random.Generator):
        """(train, test): a random ``percent_train`` % for training, as the playground's ratio slider."""
        order = rng.permutation(len(self.X))
        n_train = max(1, min(len(order) - 1, round(len(order) * percent_train / 100)))
        part = lambda index: Points(self.X[index], self.y[index], self.problem, self.num_classes)
        return part(order[:n_train]), part(order[n_train:])


def generate(settings: dict, rng: np.random.Generator, upload: Points | None) -> Points:
    """The points the settings ask for (the uploaded ones for the data set 'upload')."""
    name, noise, n = settings["dataset"], settings["noise"] / 100, settings["numSamples"]
    if name == "upload":
        if upload is None:
            raise SettingsError("data set 'upload' needs a CSV: upload one first")
        return upload
    if name == "blobs":
        X, y = synthetic.make_blobs_multiclass(n, n_classes=settings["numClasses"], noise=noise, rng=rng)
        return Points(X, y, "multiclass", settings["numClasses"])
    X, y = GENERATORS[name](n, noise=noise, rng=rng)
    problem = DATASETS[name][0]
    return Points(X, y, problem, 1 if problem == "regression" else 2)


def features(X: np.ndarray, settings: dict) -> np.ndarray:
    """The chosen input features of points ``X`` (n, 2), as columns (n, n_features) float32."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([FEATURE_FUNCTIONS[f](x1, x2) for f in FEATURES if settings[f]], axis=1).astype(np.float32)


def feature_names(settings: dict) -> list[str]:
    return [f for f in FEATURES if settings[f]]


def parse_csv(content: bytes) -> tuple[Points, float]:
    """Points from a CSV of rows ``x1,x2,label`` (an optional header line) and the factor by which they
    were scaled into the plane. Labels 0/1 or -1/+1 make a two-class set, 0..k-1 (k = 3 to 5) a
    multiclass one, anything else a regression target."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SettingsError(f"the CSV is {len(content):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SettingsError("the CSV is not UTF-8 text") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(cell.strip() for cell in row)]
    if rows and not _is_number(rows[0][0]):
        rows = rows[1:]  # a header
    if not 4 <= len(rows) <= MAX_UPLOAD_ROWS:
        raise SettingsError(f"the CSV needs 4 to {MAX_UPLOAD_ROWS} rows of x1,x2,label, got {len(rows)}")
    values = []
    for line, row in enumerate(rows, start=1):
        if len(row) != 3 or not all(_is_number(cell) for cell in row):
            raise SettingsError(f"CSV data row {line}: expected three numbers x1,x2,label, got {','.join(row)!r}")
        values.append([float(cell) for cell in row])
    table = np.array(values)
    _check_numbers(table)
    extent = np.abs(table[:, :2]).max()
    scale = UPLOAD_EXTENT / extent if extent > 0 else 1.0
    X = (table[:, :2] * scale).astype(np.float32)
    labels = table[:, 2]
    classes = np.unique(labels)
    if set(classes) <= {-1.0, 1.0} or set(classes) <= {0.0, 1.0}:
        return Points(X, (labels > 0).astype(np.int64), "classification", 2), scale
    if np.all(classes == np.arange(len(classes))) and 3 <= len(classes) <= 5:
        return Points(X, labels.astype(np.int64), "multiclass", len(classes)), scale
    return Points(X, labels.astype(np.float32), "regression", 1), scale


def _check_numbers(table: np.ndarray) -> None:
    """Every cell a finite number that float32 holds, and coordinates that can be scaled into the plane
    (not all below the smallest normal float, whose scale factor would be infinite)."""
    too_big = np.finfo(np.float32).max
    for column, name in enumerate(("x1", "x2", "label")):
        bad = np.flatnonzero(~(np.abs(table[:, column]) <= too_big))
        if len(bad):
            value = table[bad[0], column]
            what = "not a finite number" if not np.isfinite(value) else "too large (float32 ends at 3.4e38)"
            raise SettingsError(f"CSV data row {bad[0] + 1}, column {name}: {value:g} is {what}")
    extent = np.abs(table[:, :2]).max()
    if 0 < extent < np.finfo(np.float64).tiny:
        raise SettingsError(f"the coordinates are all too close to 0 to scale into the plane (the largest is "
                            f"{extent:g}); multiply them by a power of ten")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
