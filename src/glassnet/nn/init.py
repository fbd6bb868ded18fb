"""Initializers (``nn.init``), in place on a Parameter or array, with PyTorch's names and formulas.

fan_in / fan_out of a weight of shape (out, in, *kernel) are in·k and out·k, k = Π kernel.
Xavier/Glorot keeps the variance of activations and gradients equal across layers:
Var(W) = gain² · 2 / (fan_in + fan_out). Kaiming/He does it for ReLU-like units:
Var(W) = gain² / fan (fan = fan_in by default), gain = √(2 / (1 + a²)) for leaky ReLU slope a.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor, get_rng


def _array(tensor) -> np.ndarray:
    return tensor._array if isinstance(tensor, Tensor) else tensor


def _fill(tensor, values) -> object:
    arr = _array(tensor)
    arr[...] = values
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (as ``torch.nn.init.calculate_gain``)."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid", "identity")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity '{nonlinearity}'")


def calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    shape = _array(tensor).shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def uniform_(tensor, a: float = 0.0, b: float = 1.0, rng=None):
    arr = _array(tensor)
    return _fill(tensor, get_rng(rng).uniform(a, b, arr.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, rng=None):
    arr = _array(tensor)
    return _fill(tensor, get_rng(rng).normal(mean, std, arr.shape))


def constant_(tensor, val: float):
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0.0)


def ones_(tensor):
    return _fill(tensor, 1.0)


def eye_(tensor):
    arr = _array(tensor)
    return _fill(tensor, np.eye(*arr.shape))


def xavier_uniform_(tensor, gain: float = 1.0, rng=None):
    """U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor, gain: float = 1.0, rng=None):
    """N(0, σ²) with σ = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor, a, mode, nonlinearity) -> float:
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got '{mode}'")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """U(-b, b) with b = gain · √(3 / fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", rng=None):
    """N(0, σ²) with σ = gain / √fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)


def default_layer_init_(weight, bias=None, rng=None) -> None:
    """PyTorch's default for Linear and Conv layers: W ~ U(±1/√fan_in) (Kaiming uniform with
    a = √5), b ~ U(±1/√fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5), rng=rng)
    if bias is not None:
        fan_in, _ = calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound, rng)
