"""Nested Python data with tensors in it (what ``torch.save`` stores) <-> JSON + named tensors.

A saved object is a JSON tree in the file's metadata; every array leaf moves to the safetensors part
under a dotted name, and the tree keeps a marker in its place:

    Tensor / Parameter   {"__tensor__": name, "as": "tensor" | "parameter", "requires_grad": bool}
    NumPy array          {"__tensor__": name}            NumPy scalar   {"__scalar__": name}
    dict / OrderedDict   {"__dict__": [[key, value], ...]} (+ "ordered": true): keys keep their type
    tuple                {"__tuple__": [...]}            list           [...]
    Module               {"__module__": architecture, "prefix": name}: its state_dict under name + "."
    None, bools, numbers and strings are themselves.

Nothing else is saved (a ``TypeError`` names what and where), and loading makes only these kinds:
loading never runs code. A module comes back through ``model_from``, which checks its description
against its tensors before building it, and the stored dtypes against the built model's.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..autograd import Tensor, as_array, tensor
from ..nn import Module, Parameter
from .registry import ConfigError, build_module, check_architecture, module_config
from .safefile import FileFormatError

MAX_DEPTH = 100          # containers inside one another (a deeper one is refused, a cycle included)
KEY_TYPES = (str, int, float, bool, type(None))
ARRAY_KINDS = "biuf"     # bool, integers, floats: what safetensors stores


def flatten(obj, name: str, tensors: dict, depth: int = 0):
    """The JSON-able tree of ``obj``, its arrays moved into ``tensors`` (see the module docstring)."""
    if depth > MAX_DEPTH:
        raise ValueError(f"cannot save {name!r}: containers nested more than {MAX_DEPTH} deep (a cycle?)")
    if isinstance(obj, Module):
        prefix = _free_name(name, tensors)
        for key, value in obj.state_dict().items():
            tensors[f"{prefix}.{key}"] = _array(value, f"{name}.{key}")
        return {"__module__": module_config(obj), "prefix": prefix}
    if isinstance(obj, Tensor):
        key = _free_name(name, tensors)
        tensors[key] = _array(obj, name)
        return {"__tensor__": key, "as": "parameter" if isinstance(obj, Parameter) else "tensor",
                "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, (np.ndarray, np.generic)):
        key = _free_name(name, tensors)
        tensors[key] = _array(obj, name)
        return {"__tensor__" if isinstance(obj, np.ndarray) else "__scalar__": key}
    if isinstance(obj, dict):
        pairs = []
        for key, value in obj.items():
            if not isinstance(key, KEY_TYPES):
                raise TypeError(f"cannot save {name!r}: a dict key of type {type(key).__name__} ({key!r:.40}); "
                                f"keys must be strings, numbers, booleans or None")
            pairs.append([key, flatten(value, f"{name}.{key}", tensors, depth + 1)])
        return {"__dict__": pairs, **({"ordered": True} if isinstance(obj, OrderedDict) else {})}
    if isinstance(obj, (list, tuple)):
        items = [flatten(value, f"{name}.{i}", tensors, depth + 1) for i, value in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot save {name!r}: a {type(obj).__name__} is not data glassnet stores (tensors, "
                    f"arrays, numbers, strings, None, modules and dicts / lists / tuples of them)")


def _array(value, name: str) -> np.ndarray:
    array = np.require(as_array(value), requirements="C")
    if array.dtype.kind not in ARRAY_KINDS:
        raise TypeError(f"cannot save {name!r}: arrays of dtype {array.dtype} are not stored (only bool, "
                        f"integer and floating arrays)")
    return array


def _free_name(name: str, tensors: dict) -> str:
    """``name``, or ``name#2``, ... if a tensor of that name exists (dict keys may contain dots)."""
    candidate, n = name, 1
    while candidate in tensors or any(key.startswith(candidate + ".") for key in tensors):
        n += 1
        candidate = f"{name}#{n}"
    return candidate


def unflatten(tree, tensors: dict, path, where: str = "object", depth: int = 0):
    """Inverse of ``flatten``; a ``FileFormatError`` naming ``path`` and the place for anything else."""
    if depth > MAX_DEPTH:
        raise FileFormatError(f"{path}: {where}: nested more than {MAX_DEPTH} deep")
    if isinstance(tree, list):
        return [unflatten(v, tensors, path, f"{where}[{i}]", depth + 1) for i, v in enumerate(tree)]
    if not isinstance(tree, dict):
        return tree
    kind = next((k for k in ("__tensor__", "__scalar__", "__dict__", "__tuple__", "__module__") if k in tree), None)
    if kind in ("__tensor__", "__scalar__"):
        array = _stored(tree[kind], tensors, path, where)
        if kind == "__scalar__":
            return array[()] if array.ndim == 0 else _refuse(path, where, f"a scalar of shape {array.shape}")
        if tree.get("as") == "parameter":
            return Parameter(array.copy(), requires_grad=bool(tree.get("requires_grad", True)))
        if tree.get("as") == "tensor":
            return tensor(array.copy(), requires_grad=bool(tree.get("requires_grad", False)))
        return array.copy()
    if kind == "__tuple__" and isinstance(tree["__tuple__"], list):
        return tuple(unflatten(tree["__tuple__"], tensors, path, where, depth + 1))
    if kind == "__dict__" and isinstance(tree["__dict__"], list):
        items = []
        for pair in tree["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], KEY_TYPES)):
                _refuse(path, where, f"a dict entry must be [key, value], got {pair!r:.60}")
            items.append((pair[0], unflatten(pair[1], tensors, path, f"{where}[{pair[0]!r}]", depth + 1)))
        return OrderedDict(items) if tree.get("ordered") is True else dict(items)
    if kind == "__module__" and isinstance(tree.get("prefix"), str):
        prefix = tree["prefix"] + "."
        weights = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        return model_from(tree["__module__"], weights, path, where=where)
    _refuse(path, where, f"unknown entry {sorted(tree)[:5]}")


def _stored(name, tensors: dict, path, where: str) -> np.ndarray:
    if not isinstance(name, str) or name not in tensors:
        _refuse(path, where, f"names the tensor {name!r:.60}, which the file does not hold")
    return tensors[name]


def _refuse(path, where: str, problem: str):
    raise FileFormatError(f"{path}: {where}: {problem}")


def model_from(architecture, weights: dict, path, model: Module | None = None, where: str = "architecture") -> Module:
    """``model`` (or a model built from ``architecture``) holding ``weights``: the description is
    checked against the weights' shapes before anything is built, the stored dtypes against the
    built model's; nothing is loaded unless everything fits."""
    if model is None:
        try:
            check_architecture(architecture, {k: v.shape for k, v in weights.items()}, where)
            model = build_module(architecture, weights)
        except (ConfigError, TypeError, ValueError, KeyError, AttributeError) as error:
            raise FileFormatError(f"{path}: {error}") from None
    own = {key: as_array(value) for key, value in model.state_dict().items()}
    for key, value in weights.items():
        if key in own and value.dtype != own[key].dtype:
            raise FileFormatError(f"{path}: '{key}' is stored as {value.dtype}; the architecture needs "
                                  f"{own[key].dtype}")
    try:
        model.load_state_dict(weights, strict=True)
    except (KeyError, ValueError, RuntimeError) as error:
        raise FileFormatError(f"{path}: its weights do not fit this architecture ({error})") from None
    return model
