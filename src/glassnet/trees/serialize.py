"""Saving and loading boosted-tree models: one safetensors file, arrays plus JSON metadata, no pickle.

The arrays are the forest's node arrays, the bin cut points (all features concatenated, with offsets)
and the base score; the metadata (safetensors' string header) holds one JSON document with the
estimator's class, parameters, classes and training results.  Files are written to a temporary name
and moved into place, so a crash never leaves half a model; a file that is not one of ours, or is
damaged in any field, is refused with one ``FileFormatError`` naming the file and the field.
"""
import json
import os

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError, safe_open

from ..io.safefile import FileFormatError, atomic_write
from .binning import BinMapper
from .forest import FIELDS, Forest
from .validate import check_arrays, check_document

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
    metadata = {"format": FORMAT, "version": str(VERSION), "model": json.dumps(document)}
    atomic_write(path, safetensors.numpy.save(arrays, metadata=metadata))


def _read(path):
    """The checked (document, arrays) of a tree model file; ``FileFormatError`` naming the field if
    anything in it is wrong (see ``validate``)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no model file at {path}")
    try:
        with safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
            arrays = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise FileFormatError(f"{path} is not a readable safetensors file (damaged or of another kind): "
                              f"{error}") from None
    if metadata.get("format") != FORMAT:
        raise FileFormatError(f"{path} is a safetensors file but not a glassnet tree model "
                              f"(format {metadata.get('format')!r:.80})")
    if metadata.get("version") != str(VERSION):
        raise FileFormatError(f"{path} has glassnet tree model version {metadata.get('version')!r:.80}; "
                              f"this glassnet reads {VERSION}")
    try:
        document = json.loads(metadata["model"])
    except KeyError:
        raise FileFormatError(f"{path}: document: the model description is missing from the header") from None
    except RecursionError:
        raise FileFormatError(f"{path}: document: the model description is nested too deeply") from None
    except ValueError as error:
        raise FileFormatError(f"{path}: document: the model description is damaged ({error})") from None
    check_document(document, path)
    check_arrays(arrays, document, path)
    return document, arrays


def _estimator(cls, document, arrays, path):
    """A new ``cls`` estimator holding the (checked) model."""
    model = cls()
    model.set_params(**document["params"])
    model.n_features_in_ = document["n_features_in"]
    if document["feature_names_in"] is not None:
        model.feature_names_in_ = np.asarray(document["feature_names_in"], dtype=object)
    if document["classes"] is not None:
        model.classes_ = np.asarray(document["classes"])
    try:  # the estimator's own checks of its parameters and objective
        model._check_params()
        model._loss = model._make_loss()
    except (ValueError, TypeError) as error:
        raise FileFormatError(f"{path}: params: {error}") from None
    model.bin_mapper_ = BinMapper(document["max_bin"])
    offsets = arrays["bins.offsets"]
    model.bin_mapper_.cuts_ = [arrays["bins.cuts"][a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    model.forest_ = Forest(document["n_outputs"], {name: arrays[f"forest.{name}"] for name in FIELDS},
                           arrays["forest.roots"], arrays["forest.depths"])
    model.base_score_ = arrays["base_score"]
    model.best_iteration_, model.best_score_ = document["best_iteration"], document["best_score"]
    return model


def load_model_into(model, path):
    """Fill ``model`` (an estimator of the class that was saved) from ``path``; returns it. Nothing in
    ``model`` changes unless the whole file is valid."""
    document, arrays = _read(path)
    if document["class"] != type(model).__name__:
        raise FileFormatError(f"{path} holds a {document['class']}, not a {type(model).__name__}")
    vars(model).update(vars(_estimator(type(model), document, arrays, path)))
    return model


def load_model(path):
    """Load a model saved by ``save_model``, as a new estimator of the saved class."""
    from .boosting import GradientBoostingClassifier, GradientBoostingRegressor
    document, arrays = _read(path)
    cls = {cls.__name__: cls for cls in (GradientBoostingClassifier, GradientBoostingRegressor)}[document["class"]]
    return _estimator(cls, document, arrays, path)
