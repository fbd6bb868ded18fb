"""Checks a tree model file completely before anything uses it.

A file is data from anywhere: a child index that points outside its tree segfaults the compiled
predictor, a node that is its own child makes it loop forever, a feature id past the input's columns
reads other memory, a depth of 10¹² makes the reference walk run for ages. So every field of the JSON
document has its type checked, and the node arrays must describe real trees:

- node arrays of one length, with the dtypes the predictor reads;
- trees are consecutive segments starting at ``roots``; an internal node's children lie inside its
  tree *after* it (so no path can loop), a leaf (feature -1) points to itself;
- feature ids below ``n_features_in``, leaf values finite, ``depths`` the trees' real depths.

Any problem is one ``FileFormatError`` that names the file and the field.
"""
from __future__ import annotations

import numpy as np

from ..io.safefile import FileFormatError
from .forest import FIELDS

CLASSES = ("GradientBoostingClassifier", "GradientBoostingRegressor")
NUMBER = (int, float)
# every estimator parameter with the JSON types it may have (None where the estimator allows it)
PARAM_TYPES = {
    "n_estimators": (int,), "learning_rate": NUMBER, "max_depth": (int,), "max_leaves": (int,),
    "grow_policy": (str,), "reg_lambda": NUMBER, "reg_alpha": NUMBER, "gamma": NUMBER,
    "min_child_weight": NUMBER, "subsample": NUMBER, "colsample_bytree": NUMBER, "max_bin": (int,),
    "early_stopping_rounds": (int, type(None)), "random_state": (int, type(None)), "n_jobs": (int, type(None)),
    "objective": (str, type(None)), "base_score": (*NUMBER, type(None)), "importance_type": (str,),
}
ARRAYS = {**{f"forest.{name}": dtype for name, dtype in FIELDS.items()}, "forest.roots": np.int64,
          "forest.depths": np.int64, "bins.cuts": np.float64, "bins.offsets": np.int64, "base_score": np.float64}


class _Refusal:
    """Raises the file's ``FileFormatError`` for one field."""

    def __init__(self, path):
        self.path = path

    def __call__(self, field: str, problem: str):
        raise FileFormatError(f"{self.path}: {field}: {problem}")

    def require(self, ok, field: str, problem: str) -> None:
        if not ok:
            self(field, problem)


def _is(value, types) -> bool:
    """``isinstance`` in which a bool is not a number (JSON's true is not 1)."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def check_document(document, path) -> None:
    """Every field of the model's JSON document, with its type and range."""
    refuse = _Refusal(path)
    refuse.require(isinstance(document, dict), "document",
                   f"the model description must be a JSON object, got {type(document).__name__}")
    for field, types in (("class", (str,)), ("params", (dict,)), ("n_features_in", (int,)), ("n_outputs", (int,)),
                         ("max_bin", (int,)), ("best_iteration", (int, type(None))),
                         ("best_score", (*NUMBER, type(None))), ("classes", (list, type(None))),
                         ("feature_names_in", (list, type(None)))):
        refuse.require(field in document, field, "missing from the model description")
        refuse.require(_is(document[field], types), field, f"expected {' or '.join(t.__name__ for t in types)}, "
                                                           f"got {document[field]!r:.80}")
    refuse.require(document["class"] in CLASSES, "class", f"unknown estimator {document['class']!r:.80}")
    refuse.require(document["n_features_in"] >= 1, "n_features_in", f"must be >= 1, got {document['n_features_in']}")
    refuse.require(2 <= document["max_bin"] <= 255, "max_bin", f"must be 2 to 255, got {document['max_bin']}")
    refuse.require(document["best_iteration"] is None or document["best_iteration"] >= 0, "best_iteration",
                   f"must be >= 0, got {document['best_iteration']}")
    _check_params(document["params"], refuse)
    _check_outputs(document, refuse)
    names = document["feature_names_in"]
    if names is not None:
        refuse.require(len(names) == document["n_features_in"] and all(isinstance(n, str) for n in names),
                       "feature_names_in", f"expected {document['n_features_in']} names, got {names!r:.80}")


def _check_params(params: dict, refuse: _Refusal) -> None:
    missing, unknown = PARAM_TYPES.keys() - params.keys(), params.keys() - PARAM_TYPES.keys()
    refuse.require(not missing, "params", f"missing {sorted(missing)}")
    refuse.require(not unknown, "params", f"unknown parameters {sorted(unknown)[:5]}")
    for name, types in PARAM_TYPES.items():
        refuse.require(_is(params[name], types), f"params.{name}",
                       f"expected {' or '.join(t.__name__ for t in types)}, got {params[name]!r:.80}")


def _check_outputs(document: dict, refuse: _Refusal) -> None:
    classes, n_outputs = document["classes"], document["n_outputs"]
    if document["class"] == "GradientBoostingRegressor":
        refuse.require(classes is None, "classes", "a regressor has no classes")
        refuse.require(n_outputs == 1, "n_outputs", f"a regressor has 1 output, got {n_outputs}")
        return
    refuse.require(classes is not None and len(classes) >= 2, "classes", "a classifier needs two classes or more")
    refuse.require(all(_is(c, (str, int, float)) for c in classes) and len({repr(c) for c in classes}) == len(classes),
                   "classes", f"expected distinct numbers or names, got {classes!r:.80}")
    expected = 1 if len(classes) == 2 else len(classes)
    refuse.require(n_outputs == expected, "n_outputs", f"{len(classes)} classes need {expected} output(s), "
                                                       f"got {n_outputs}")


def check_arrays(arrays: dict, document: dict, path) -> None:
    """The forest's node arrays, the bins and the base score against the (checked) document."""
    refuse = _Refusal(path)
    for name, dtype in ARRAYS.items():
        refuse.require(name in arrays, name, "missing from the file")
        array = arrays[name]
        refuse.require(array.dtype == dtype and array.ndim == 1, name,
                       f"expected a 1-D {np.dtype(dtype).name} array, got {array.dtype} of shape {array.shape}")
    n_nodes = len(arrays["forest.feature"])
    for name in FIELDS:
        refuse.require(len(arrays[f"forest.{name}"]) == n_nodes, f"forest.{name}",
                       f"{len(arrays[f'forest.{name}'])} nodes, forest.feature has {n_nodes}")
    _check_trees(arrays, document, refuse)
    _check_bins(arrays, document, refuse)
    base = arrays["base_score"]
    refuse.require(len(base) == document["n_outputs"] and np.isfinite(base).all(), "base_score",
                   f"expected {document['n_outputs']} finite number(s), got {base.tolist()[:5]}")


def _check_trees(arrays: dict, document: dict, refuse: _Refusal) -> None:
    feature, left, right = arrays["forest.feature"], arrays["forest.left"], arrays["forest.right"]
    roots, depths, n_nodes = arrays["forest.roots"], arrays["forest.depths"], len(feature)
    n_trees, n_outputs = len(roots), document["n_outputs"]
    refuse.require(n_trees >= 1 and n_trees % n_outputs == 0, "forest.roots",
                   f"{n_trees} trees; a model with {n_outputs} output(s) has a positive multiple of {n_outputs}")
    refuse.require(roots[0] == 0 and np.all(np.diff(roots) > 0) and roots[-1] < n_nodes, "forest.roots",
                   f"trees must start at node 0 and follow each other inside the {n_nodes} nodes, got "
                   f"{roots.tolist()[:8]}")
    refuse.require(len(depths) == n_trees, "forest.depths", f"{len(depths)} depths for {n_trees} trees")
    best = document["best_iteration"]
    refuse.require(best is None or (best + 1) * n_outputs <= n_trees, "best_iteration",
                   f"round {best} is past the model's {n_trees // n_outputs} rounds")
    node = np.arange(n_nodes)
    end = np.append(roots[1:], n_nodes)[np.searchsorted(roots, node, side="right") - 1]  # each node's tree end
    leaf = feature < 0
    _first_bad(refuse, "forest.feature", (feature < -1) | (feature >= document["n_features_in"]),
               feature, f"is not a feature id below n_features_in = {document['n_features_in']} (or -1 for a leaf)")
    for name, child in (("forest.left", left), ("forest.right", right)):
        _first_bad(refuse, name, np.where(leaf, child != node, (child <= node) | (child >= end)), child,
                   "must point to a later node of the same tree (to itself for a leaf)")
    _first_bad(refuse, "forest.value", leaf & ~np.isfinite(arrays["forest.value"]), arrays["forest.value"],
               "is not a finite leaf value")
    _first_bad(refuse, "forest.threshold", ~leaf & np.isnan(arrays["forest.threshold"]),
               arrays["forest.threshold"], "is not a split threshold")
    actual = _tree_depths(feature, left, right, roots)
    _first_bad(refuse, "forest.depths", depths != actual, depths, "is not the tree's depth",
               hint=lambda t: f" (its depth is {actual[t]})")


def _tree_depths(feature, left, right, roots) -> np.ndarray:
    """The depth of each tree's deepest node reached from its root (children come after parents,
    as checked, so one pass in node order sees every parent before its children)."""
    depth = np.full(len(feature), -1, dtype=np.int64)
    depth[roots] = 0
    for node in np.flatnonzero(feature >= 0):
        if depth[node] >= 0:
            depth[left[node]] = depth[right[node]] = depth[node] + 1
    tree = np.searchsorted(roots, np.arange(len(feature)), side="right") - 1
    deepest = np.zeros(len(roots), dtype=np.int64)
    np.maximum.at(deepest, tree, depth)
    return deepest


def _first_bad(refuse: _Refusal, field: str, bad: np.ndarray, values: np.ndarray, problem: str, hint=None):
    where = np.flatnonzero(bad)
    if len(where):
        index = int(where[0])
        refuse(field, f"[{index}] = {values[index]} {problem}" + (hint(index) if hint else "")
               + (f" ({len(where)} such entries)" if len(where) > 1 else ""))


def _check_bins(arrays: dict, document: dict, refuse: _Refusal) -> None:
    cuts, offsets = arrays["bins.cuts"], arrays["bins.offsets"]
    n_features = document["n_features_in"]
    refuse.require(len(offsets) == n_features + 1 and offsets[0] == 0 and offsets[-1] == len(cuts)
                   and np.all(np.diff(offsets) >= 0) and np.all(np.diff(offsets) < document["max_bin"]),
                   "bins.offsets", f"expected {n_features + 1} non-decreasing offsets from 0 to {len(cuts)}, "
                                   f"each feature with fewer than max_bin cuts, got {offsets.tolist()[:8]}")
    for f in range(n_features):
        feature_cuts = cuts[offsets[f]:offsets[f + 1]]
        refuse.require(np.isfinite(feature_cuts).all() and np.all(np.diff(feature_cuts) > 0), "bins.cuts",
                       f"the cut points of feature {f} must be finite and increasing")
