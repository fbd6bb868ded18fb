"""Bringing pretrained PyTorch weights into a glassnet model of the same architecture."""
from __future__ import annotations

import os

import numpy as np


def load_torch_state_dict(model, source, strict: bool = True):
    """Load PyTorch weights into ``model`` (same architecture, so the same keys and shapes).

    ``source`` is a state dict (of torch tensors or arrays), a ``.safetensors`` file, or a
    ``.pt``/``.pth`` file, which is read with ``torch.load(weights_only=True)``: tensors and plain
    containers only, never arbitrary pickled objects (a file that needs them is refused).
    Returns ``(missing_keys, unexpected_keys)`` as ``Module.load_state_dict``.
    """
    if isinstance(source, (str, os.PathLike)):
        source = _read(os.fspath(source))
    if not hasattr(source, "items"):
        raise TypeError(f"load_torch_state_dict: expected a state dict or a file path, got {type(source).__name__}")
    state = {key: np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value)
             for key, value in source.items()}
    return model.load_state_dict(state, strict=strict)


def _read(path: str) -> dict:
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_torch_state_dict: no such file: {path}")
    if path.endswith(".safetensors"):
        from safetensors.numpy import load_file
        try:
            return load_file(path)
        except Exception as error:
            raise ValueError(f"load_torch_state_dict: {path} is not a valid safetensors file ({error})") from None
    import torch
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(f"load_torch_state_dict: refused {path}: it is not a weights-only PyTorch file "
                         f"({type(error).__name__}); glassnet never unpickles arbitrary objects") from None
    if hasattr(loaded, "state_dict") and not hasattr(loaded, "items"):
        loaded = loaded.state_dict()
    if isinstance(loaded, dict) and "state_dict" in loaded and hasattr(loaded["state_dict"], "items"):
        loaded = loaded["state_dict"]
    return loaded
