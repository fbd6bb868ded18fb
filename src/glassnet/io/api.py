"""``save`` / ``load`` for models and ``save_checkpoint`` / ``load_checkpoint`` for training runs.

A model file is a safetensors file: the ``state_dict`` as tensors (PyTorch's keys), the architecture
(``registry.module_config``) as JSON in the header's metadata, so ``safetensors.safe_open`` reads it
and ``gn.load`` rebuilds the model. A checkpoint adds the optimizer, scheduler, epoch, random
generator states, history and anything else a trainer needs, its arrays as tensors, the rest as JSON.
"""
from __future__ import annotations

import numpy as np

from ..autograd import get_rng_state, set_rng_state
from ..nn import Module
from .registry import ConfigError, build_module, module_config
from .safefile import (
    FORMAT_KEY, FileFormatError, flatten_state, read_safetensors, unflatten_state, write_safetensors,
)

MODEL_FORMAT = "glassnet.model/1"
CHECKPOINT_FORMAT = "glassnet.checkpoint/1"
MODEL_PREFIX = "model."


def save(model: Module, path, metadata: dict | None = None) -> None:
    """Save ``model``'s weights and architecture to ``path`` (safetensors), atomically.

    ``metadata`` (JSON-able) is stored beside them, e.g. the classes of a classifier.
    """
    if not isinstance(model, Module):
        raise TypeError(f"gn.save expects a Module, got {type(model).__name__}")
    meta = {FORMAT_KEY: MODEL_FORMAT, "architecture": module_config(model), "user": metadata or {}}
    write_safetensors(path, dict(model.state_dict()), meta)


def _load_weights(model: Module, state: dict, path) -> None:
    try:
        model.load_state_dict(state, strict=True)
    except (KeyError, ValueError) as error:
        raise FileFormatError(f"{path}: its weights do not fit this architecture ({error})") from None


def _rebuild(architecture, path) -> Module:
    try:
        return build_module(architecture)
    except ConfigError as error:
        raise FileFormatError(f"{path}: cannot rebuild the model: {error}") from None


def _check_architecture(model: Module, architecture, path) -> None:
    if architecture is None:
        return
    try:
        own = module_config(model)
    except ConfigError:
        return  # a model that cannot describe itself is checked by its weights alone
    if own != architecture:
        raise FileFormatError(f"{path}: saved from a different architecture "
                              f"({_first_difference(architecture, own)})")


def _first_difference(saved, own, where: str = "model") -> str:
    if isinstance(saved, dict) and isinstance(own, dict):
        for key in list(saved) + [k for k in own if k not in saved]:
            if saved.get(key) != own.get(key):
                inner = "" if key in ("children", "config") else f".{key}"
                return _first_difference(saved.get(key), own.get(key), where + inner)
    return f"at {where}: the file has {saved!r}, this model {own!r}"


def load(path, model: Module | None = None, with_metadata: bool = False):
    """Rebuild the model saved at ``path`` (or load its weights into ``model``). Also reads checkpoints.

    With ``with_metadata`` returns ``(model, metadata)``.
    """
    tensors, meta = read_safetensors(path, (MODEL_FORMAT, CHECKPOINT_FORMAT))
    if meta[FORMAT_KEY] == CHECKPOINT_FORMAT:
        tensors = _model_weights(tensors)
    model = _model_for(meta.get("architecture"), model, path, "pass the model: gn.load(path, model=net)")
    _load_weights(model, tensors, path)
    return (model, meta.get("user", {})) if with_metadata else model


def _model_weights(tensors: dict) -> dict:
    """The model's own tensors of a checkpoint, without their prefix."""
    return {k[len(MODEL_PREFIX):]: v for k, v in tensors.items() if k.startswith(MODEL_PREFIX)}


def _model_for(architecture, model: Module | None, path, hint: str) -> Module:
    """``model`` checked against the file's architecture, or a model rebuilt from it."""
    if model is not None:
        _check_architecture(model, architecture, path)
        return model
    if architecture is None:
        raise FileFormatError(f"{path}: holds no architecture; {hint}")
    return _rebuild(architecture, path)


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
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "epoch": epoch,
        "rng": get_rng_state() if rng_state else None,
        "history": history.to_dict() if hasattr(history, "to_dict") else history,
        "extra": extra,
    }
    meta = {FORMAT_KEY: CHECKPOINT_FORMAT, "architecture": _architecture_or_none(model),
            "state": flatten_state(state, "state", tensors)}
    write_safetensors(path, tensors, meta)


def load_checkpoint(path, model: Module | None = None, optimizer=None, scheduler=None,
                    restore_rng: bool = True) -> dict:
    """Read a checkpoint and restore it into ``model`` (rebuilt if None), ``optimizer`` and
    ``scheduler``, and (with ``restore_rng``) glassnet's global generator.

    Returns ``{"model", "epoch", "history", "extra", "optimizer", "scheduler", "rng"}``; nothing is
    changed unless the whole file is valid and fits.
    """
    tensors, meta = read_safetensors(path, CHECKPOINT_FORMAT)
    try:
        state = unflatten_state(meta["state"], tensors)
        if not isinstance(state, dict):
            raise ValueError("the state is not a mapping")
    except (KeyError, ValueError, TypeError) as error:
        raise FileFormatError(f"{path}: corrupted checkpoint state ({error})") from None
    weights = _model_weights(tensors)
    model = _model_for(meta.get("architecture"), model, path, "pass the model")
    backup = {k: v.copy() for k, v in model.state_dict().items()}
    _load_weights(model, weights, path)
    try:
        if optimizer is not None and state.get("optimizer") is not None:
            optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
    except (KeyError, ValueError, TypeError, IndexError) as error:
        model.load_state_dict(backup)
        raise FileFormatError(f"{path}: the optimizer / scheduler state does not fit ({error})") from None
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
