"""Saving and loading boosted-tree models: one safetensors file, arrays plus JSON metadata, no pickle.

The arrays are the forest's node arrays, the bin cut points (all features concatenated, with offsets)
and the base score; the metadata (safetensors' string header) holds one JSON document with the
estimator's class, parameters, classes and training results.  Files are written to a temporary name
and moved into place, so a crash never leaves half a model; a file that is not one of ours, or is
damaged, is refused with an error naming the file.
"""
import json
import os
import tempfile

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from .binning import BinMapper
from .forest import FIELDS, Forest

__all__ = ["save_model", "load_model", "load_model_into"]

FORMAT, VERSION = "glassnet.trees", 1


def save_model(model, path):
    """Write a fitted GradientBoostingClassifier/Regressor to ``path`` (conventionally *.safetensors)."""
    if not hasattr(model, "forest_"):
        raise ValueError(f"cannot save an unfitted {type(model).__name__}; call fit first")
    forest = model.forest_
    cuts = model.bin_mapper_.cuts_
    arrays = {f"forest.{name}": np.ascontiguousarray(forest.arrays[name]) for name in FIELDS}
    arrays.update({
        "forest.roots": forest.roots, "forest.depths": forest.depths,
        "bins.cuts": np.concatenate(cuts) if cuts else np.zeros(0),
        "bins.offsets": np.cumsum([0] + [len(c) for c in cuts]).astype(np.int64),
        "base_score": np.asarray(model.base_score_, dtype=np.float64),
    })
    params = model.get_params()
    if callable(params["objective"]):      # a function cannot be stored; the model predicts without it
        params["objective"] = None
    document = {
        "class": type(model).__name__, "params": params, "n_features_in": int(model.n_features_in_),
        "n_outputs": forest.n_outputs, "max_bin": model.bin_mapper_.max_bin,
        "best_iteration": model.best_iteration_, "best_score": model.best_score_,
        "classes": model.classes_.tolist() if hasattr(model, "classes_") else None,
        "feature_names_in": model.feature_names_in_.tolist() if hasattr(model, "feature_names_in_") else None,
    }
    _write_atomically(path, arrays, {"format": FORMAT, "version": str(VERSION), "model": json.dumps(document)})


def _write_atomically(path, arrays, metadata):
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".safetensors")
    os.close(handle)
    try:
        save_file(arrays, temporary, metadata=metadata)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _read(path):
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no model file at {path}")
    try:
        with safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
            arrays = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable safetensors file (damaged or of another kind): {error}") from None
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is a safetensors file but not a glassnet tree model (format {metadata.get('format')!r})")
    if metadata.get("version") != str(VERSION):
        raise ValueError(f"{path} has glassnet tree model version {metadata.get('version')!r}; this glassnet reads {VERSION}")
    try:
        document = json.loads(metadata["model"])
    except (KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: the model description in the header is damaged ({error})") from None
    expected = {f"forest.{name}" for name in FIELDS} | {"forest.roots", "forest.depths", "bins.cuts",
                                                        "bins.offsets", "base_score"}
    if missing := expected - arrays.keys():
        raise ValueError(f"{path} lacks the arrays {sorted(missing)}")
    n_nodes = {len(arrays[f"forest.{name}"]) for name in FIELDS}
    if len(n_nodes) != 1 or np.any(arrays["forest.roots"] >= max(n_nodes)) or \
            np.any(arrays["forest.left"] >= max(n_nodes)) or np.any(arrays["forest.right"] >= max(n_nodes)):
        raise ValueError(f"{path}: the forest's node arrays disagree in length or point outside the forest")
    return document, arrays


def load_model_into(model, path):
    """Fill ``model`` (an estimator of the class that was saved) from ``path``; returns it."""
    document, arrays = _read(path)
    if document["class"] != type(model).__name__:
        raise ValueError(f"{path} holds a {document['class']}, not a {type(model).__name__}")
    params = {k: v for k, v in document["params"].items() if k in model.get_params()}
    model.set_params(**params)
    model.n_features_in_ = document["n_features_in"]
    if document["feature_names_in"] is not None:
        model.feature_names_in_ = np.asarray(document["feature_names_in"], dtype=object)
    if document["classes"] is not None:
        model.classes_ = np.asarray(document["classes"])
    model.bin_mapper_ = BinMapper(document["max_bin"])
    offsets = arrays["bins.offsets"]
    model.bin_mapper_.cuts_ = [arrays["bins.cuts"][a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    model.forest_ = Forest(document["n_outputs"], {name: arrays[f"forest.{name}"] for name in FIELDS},
                           arrays["forest.roots"], arrays["forest.depths"])
    model.base_score_ = arrays["base_score"]
    model.best_iteration_, model.best_score_ = document["best_iteration"], document["best_score"]
    model._loss = model._make_loss()
    return model


def load_model(path):
    """Load a model saved by ``save_model``, as a new estimator of the saved class."""
    from .boosting import GradientBoostingClassifier, GradientBoostingRegressor
    document, _ = _read(path)
    classes = {cls.__name__: cls for cls in (GradientBoostingClassifier, GradientBoostingRegressor)}
    if document.get("class") not in classes:
        raise ValueError(f"{path} holds an unknown estimator class {document.get('class')!r}")
    return load_model_into(classes[document["class"]](), path)
