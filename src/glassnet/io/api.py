"""``save`` / ``load`` as PyTorch's (without pickle) and ``save_checkpoint`` / ``load_checkpoint``.

Every file is a safetensors file: tensors in its data part, everything else as JSON in its header's
metadata, so ``safetensors.safe_open`` reads any of them and loading never runs code. Three kinds:

- a model (``gn.save(model, f)``): the ``state_dict`` under PyTorch's keys and the architecture
  (``registry.module_config``); ``gn.load`` rebuilds the model;
- an object (``gn.save(obj, f)`` for anything else: a state_dict, an optimizer's state_dict, a dict of
  them with the epoch and the loss, ...): ``objects.flatten``'s JSON tree and its tensors;
  ``gn.load`` returns the same structure, Tensors as Tensors;
- a checkpoint (``save_checkpoint``): model, optimizer, scheduler, epoch, random generator states,
  history and extras, everything a trainer needs to continue exactly.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, get_rng_state, set_rng_state
from ..nn import Module
from .objects import flatten, model_from, unflatten
from .registry import ConfigError, module_config
from .safefile import FORMAT_KEY, FileFormatError, read_safetensors, write_safetensors

MODEL_FORMAT = "glassnet.model/1"
OBJECT_FORMAT = "glassnet.object/1"
CHECKPOINT_FORMAT = "glassnet.checkpoint/1"
MODEL_PREFIX = "model."


def save(obj, f, pickle_module=None, pickle_protocol=None, *, metadata: dict | None = None) -> None:
    """Save ``obj`` to ``f`` (a path, written atomically, or a binary file object), as ``torch.save``
    does, without pickle: a Module with its architecture (``metadata``, JSON-able, is stored beside
    it), anything else (state dicts, optimizer state dicts, dicts / lists / tuples of tensors,
    arrays, numbers, strings, None, modules) as an object that ``load`` returns as it was.
    ``pickle_protocol`` is accepted and means nothing here; ``pickle_module`` is refused."""
    if pickle_module is not None:
        raise ValueError("glassnet never pickles: save(..., pickle_module=...) is not supported")
    tensors = {}
    if isinstance(obj, Module):
        tensors.update(obj.state_dict())
        meta = {FORMAT_KEY: MODEL_FORMAT, "architecture": module_config(obj), "user": metadata or {}}
    else:
        if metadata is not None:
            raise TypeError("metadata= goes with a Module; put it inside the object instead")
        meta = {FORMAT_KEY: OBJECT_FORMAT, "object": flatten(obj, "object", tensors)}
    write_safetensors(f, tensors, meta)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, model: Module | None = None,
         with_metadata: bool = False, **pickle_load_args):
    """Read a file written by ``save`` (or ``save_checkpoint``) from ``f`` (a path or a binary file
    object), as ``torch.load`` does: a model file gives the model (rebuilt, or its weights loaded
    into ``model``; ``with_metadata`` returns ``(model, metadata)``), a checkpoint its model, an
    object file the object. Anything else is refused with a ``FileFormatError``, never executed.

    ``map_location``: None, 'cpu', a CPU device, a dict of locations or ``fn(tensor, 'cpu')`` applied
    to every tensor; a GPU is a clear error (glassnet runs on the CPU). ``weights_only``, ``mmap`` and
    pickle's loading options are accepted: with no pickle, every load is weights-only and safe.
    """
    if pickle_module is not None:
        raise ValueError("glassnet never unpickles: load(..., pickle_module=...) is not supported")
    place = _placement(map_location)
    tensors, meta, where = read_safetensors(f, (MODEL_FORMAT, OBJECT_FORMAT, CHECKPOINT_FORMAT))
    if meta[FORMAT_KEY] == OBJECT_FORMAT:
        if model is not None or with_metadata:
            raise FileFormatError(f"{where}: holds a saved object, not a model: load it without model= / "
                                  f"with_metadata=")
        return _placed(unflatten(meta.get("object"), tensors, where), place)
    if meta[FORMAT_KEY] == CHECKPOINT_FORMAT:
        tensors = _model_weights(tensors)
    model = _model_for(meta.get("architecture"), tensors, model, where, "pass the model: gn.load(path, model=net)")
    if with_metadata:
        user = meta.get("user", {})
        if not isinstance(user, dict):
            raise FileFormatError(f"{where}: user: the metadata must be a mapping, got {type(user).__name__}")
        return model, user
    return model


def _placement(map_location):
    """The function applied to every loaded tensor, from ``map_location`` (None: none)."""
    if map_location is None:
        return None
    if isinstance(map_location, dict):
        for target in map_location.values():
            _check_cpu(target)
        return None
    if callable(map_location) and not isinstance(map_location, str) and not hasattr(map_location, "type"):
        return lambda tensor: map_location(tensor, "cpu")
    _check_cpu(map_location)
    return None


def _check_cpu(device) -> None:
    name = str(device).lower()
    if name != "cpu" and not name.startswith("cpu:"):
        raise RuntimeError(f"map_location={device!r} asks for a device glassnet does not have: glassnet runs on "
                           f"the CPU only; use map_location='cpu' (or leave it out)")


def _placed(obj, place):
    """``obj`` with ``place`` applied to each of its Tensors (containers rebuilt as they were)."""
    if place is None:
        return obj
    if isinstance(obj, Tensor):
        moved = place(obj)
        if not isinstance(moved, Tensor):
            raise TypeError(f"map_location returned a {type(moved).__name__}, not a Tensor")
        return moved
    if isinstance(obj, dict):
        return type(obj)((key, _placed(value, place)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_placed(value, place) for value in obj)
    return obj


def _check_architecture(model: Module, architecture, where) -> None:
    if architecture is None:
        return
    try:
        own = module_config(model)
    except ConfigError:
        return  # a model that cannot describe itself is checked by its weights alone
    if own != architecture:
        raise FileFormatError(f"{where}: saved from a different architecture "
                              f"({_first_difference(architecture, own)})")


def _first_difference(saved, own, where: str = "model") -> str:
    if isinstance(saved, dict) and isinstance(own, dict):
        for key in list(saved) + [k for k in own if k not in saved]:
            if saved.get(key) != own.get(key):
                inner = "" if key in ("children", "config") else f".{key}"
                return _first_difference(saved.get(key), own.get(key), where + inner)
    return f"at {where}: the file has {saved!r:.200}, this model {own!r:.200}"


def _model_weights(tensors: dict) -> dict:
    """The model's own tensors of a checkpoint, without their prefix."""
    return {k[len(MODEL_PREFIX):]: v for k, v in tensors.items() if k.startswith(MODEL_PREFIX)}


def _model_for(architecture, weights: dict, model: Module | None, where, hint: str) -> Module:
    """``model`` checked against the file's architecture, or a model rebuilt from it; with its weights."""
    if model is not None:
        _check_architecture(model, architecture, where)
    elif architecture is None:
        raise FileFormatError(f"{where}: holds no architecture; {hint}")
    return model_from(architecture, weights, where, model)


def _architecture_or_none(model: Module):
    try:
        return module_config(model)
    except ConfigError:
        return None


def save_checkpoint(path, model: Module, optimizer=None, scheduler=None, epoch: int | None = None,
                    history=None, extra: dict | None = None, rng_state: bool = True) -> None:
    """Save everything needed to continue training exactly: model weights, optimizer and scheduler
    state, the epoch count, glassnet's global random generator, the history (a dict or an object with
    ``to_dict()``) and ``extra`` (nested dicts / lists / numbers / arrays). Written atomically."""
    tensors = {f"{MODEL_PREFIX}{k}": v for k, v in model.state_dict().items()}
    state = {
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "optimizer_class": None if optimizer is None else type(optimizer).__name__,
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "epoch": epoch,
        "rng": get_rng_state() if rng_state else None,
        "history": history.to_dict() if hasattr(history, "to_dict") else history,
        "extra": extra,
    }
    meta = {FORMAT_KEY: CHECKPOINT_FORMAT, "architecture": _architecture_or_none(model),
            "state": flatten(state, "state", tensors)}
    write_safetensors(path, tensors, meta)


def load_checkpoint(path, model: Module | None = None, optimizer=None, scheduler=None,
                    restore_rng: bool = True) -> dict:
    """Read a checkpoint and restore it into ``model`` (rebuilt if None), ``optimizer`` and
    ``scheduler``, and (with ``restore_rng``) glassnet's global generator.

    Returns ``{"model", "epoch", "history", "extra", "optimizer", "scheduler", "rng"}``; nothing is
    changed unless the whole file is valid and fits (an optimizer of another type does not).
    """
    tensors, meta, where = read_safetensors(path, CHECKPOINT_FORMAT)
    state = unflatten(meta.get("state"), tensors, where, "state")
    if not isinstance(state, dict):
        raise FileFormatError(f"{where}: state: corrupted checkpoint state (not a mapping)")
    saved_class = state.get("optimizer_class")
    if optimizer is not None and saved_class not in (None, type(optimizer).__name__):
        raise FileFormatError(f"{where}: optimizer: saved from {saved_class}, it cannot continue in "
                              f"{type(optimizer).__name__} (its state means something else there)")
    backup = None if model is None else {k: np.array(v) for k, v in model.state_dict().items()}
    model = _model_for(meta.get("architecture"), _model_weights(tensors), model, where, "pass the model")
    try:
        if optimizer is not None and state.get("optimizer") is not None:
            optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
    except (KeyError, ValueError, TypeError, IndexError, RuntimeError) as error:
        if backup is not None:
            model.load_state_dict(backup)
        raise FileFormatError(f"{where}: the optimizer / scheduler state does not fit ({error})") from None
    if restore_rng and state.get("rng") is not None:
        set_rng_state(state["rng"])
    return {"model": model, **{k: state.get(k) for k in
                               ("epoch", "history", "extra", "optimizer", "scheduler", "rng")}}


def generator_states(model: Module) -> dict:
    """The states of the random generators that the model's layers own (e.g. ``Dropout(rng=...)``)."""
    return {name: m.rng.bit_generator.state for name, m in model.named_modules()
            if isinstance(getattr(m, "rng", None), np.random.Generator)}


def set_generator_states(model: Module, states: dict) -> None:
    modules = dict(model.named_modules())
    for name, state in (states or {}).items():
        if name in modules and isinstance(getattr(modules[name], "rng", None), np.random.Generator):
            modules[name].rng.bit_generator.state = state
