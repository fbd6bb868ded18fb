"""Damaged and hand-made boosted-tree model files (``glassnet.trees.load_model``).

Each case tampers with a good file and loads it in a child process, then predicts with it: the child
must answer with one ``FileFormatError`` naming the field, never hang, crash, or predict from nonsense.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

from glassnet.trees import GradientBoostingClassifier

LOAD_AND_PREDICT = """
import numpy as np
from glassnet.io import FileFormatError
from glassnet.trees import load_model
try:
    model = load_model({path!r})
except FileFormatError as error:
    print("REFUSED:", error)
else:
    X = np.random.default_rng(0).normal(size=(50, 4))
    print("LOADED", model.predict_proba(X).sum(), sum(p.sum() for p in model.staged_predict_proba(X)))
"""


@pytest.fixture(scope="module")
def good_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = tmp_path_factory.mktemp("trees") / "good.safetensors"
    GradientBoostingClassifier(n_estimators=4, max_depth=3).fit(X, y, verbose=False).save_model(path)
    return path


def read(path):
    with safe_open(str(path), framework="np") as f:
        return {key: f.get_tensor(key) for key in f.keys()}, dict(f.metadata())


def tampered(good_file, tmp_path, change):
    """A copy of the good file after ``change(arrays, document, metadata)``."""
    arrays, metadata = read(good_file)
    document = json.loads(metadata["model"])
    replaced = change(arrays, document, metadata)
    if replaced is not None:
        document = replaced
    metadata["model"] = json.dumps(document)
    path = tmp_path / "bad.safetensors"
    save_file(arrays, str(path), metadata=metadata)
    return path


def internal_node(arrays):
    return int(np.flatnonzero(arrays["forest.feature"] >= 0)[0])


def self_loop(arrays, document, metadata):
    node = internal_node(arrays)
    arrays["forest.left"][node] = node


def far_negative_child(arrays, document, metadata):
    arrays["forest.right"][internal_node(arrays)] = -10**6


def huge_feature(arrays, document, metadata):
    arrays["forest.feature"][internal_node(arrays)] = 10**6


def huge_depth(arrays, document, metadata):
    arrays["forest.depths"][0] = 10**12


def child_before_parent(arrays, document, metadata):  # a longer cycle: a child points back up
    node = int(arrays["forest.left"][internal_node(arrays)])
    arrays["forest.feature"][node] = 0
    arrays["forest.left"][node] = internal_node(arrays)


def missing_params(arrays, document, metadata):
    del document["params"]


def list_document(arrays, document, metadata):
    return [document]


def zero_outputs(arrays, document, metadata):
    document["n_outputs"] = 0


def outputs_disagree_with_classes(arrays, document, metadata):
    document["classes"] = [0, 1, 2]


def float_feature_ids(arrays, document, metadata):
    arrays["forest.feature"] = arrays["forest.feature"].astype(np.float64)


def nan_leaf_value(arrays, document, metadata):
    arrays["forest.value"][np.flatnonzero(arrays["forest.feature"] < 0)[0]] = np.nan


def root_inside_another_tree(arrays, document, metadata):
    arrays["forest.roots"][1] = arrays["forest.roots"][0] + 1


def wrong_param_type(arrays, document, metadata):
    document["params"]["n_jobs"] = "all of them"


def feature_names_too_short(arrays, document, metadata):
    document["feature_names_in"] = ["a"]


def bin_offsets_decreasing(arrays, document, metadata):
    arrays["bins.offsets"][1] = -5


CASES = {  # case: the field the refusal must name (or one of several that show the damage)
    "child-is-itself": (self_loop, "forest.left"),
    "child-index--10**6": (far_negative_child, "forest.right"),
    "feature-index-10**6": (huge_feature, "forest.feature"),
    "depth-10**12": (huge_depth, "forest.depths"),
    "child-points-back-up": (child_before_parent, "forest.left"),
    "missing-params": (missing_params, "params"),
    "list-document": (list_document, "document"),
    "n_outputs-0": (zero_outputs, "n_outputs"),
    "classes-vs-outputs": (outputs_disagree_with_classes, "n_outputs"),
    "float-feature-ids": (float_feature_ids, "forest.feature"),
    "nan-leaf-value": (nan_leaf_value, "forest.value"),
    "root-inside-another-tree": (root_inside_another_tree, ("forest.roots", "forest.left")),
    "param-of-wrong-type": (wrong_param_type, "n_jobs"),
    "feature-names-too-short": (feature_names_too_short, "feature_names_in"),
    "bin-offsets-decreasing": (bin_offsets_decreasing, "bins.offsets"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_tree_file_is_one_clear_refusal(hostile, good_file, tmp_path, case):
    change, field = CASES[case]
    path = tampered(good_file, tmp_path, change)
    result = hostile.python(LOAD_AND_PREDICT.format(path=str(path)), timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("REFUSED:"), result.output[-2000:]
    fields = field if isinstance(field, tuple) else (field,)
    assert any(f in result.stdout for f in fields) and str(path) in result.stdout, result.stdout


def test_a_deeply_nested_document_is_refused(hostile, good_file, tmp_path):
    arrays, metadata = read(good_file)
    metadata["model"] = '{"class": "GradientBoostingClassifier", "params": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "nested.safetensors"
    save_file(arrays, str(path), metadata=metadata)
    result = hostile.python(LOAD_AND_PREDICT.format(path=str(path)), timeout=60)
    assert result.stdout.startswith("REFUSED:") and "nested" in result.stdout, result.output[-2000:]


def test_the_good_file_still_loads(hostile, good_file):
    result = hostile.python(LOAD_AND_PREDICT.format(path=str(good_file)), timeout=60)
    assert result.stdout.startswith("LOADED"), result.output[-2000:]
