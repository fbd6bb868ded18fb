"""The playground's settings: one table of names, defaults and limits, shared by the server (which
checks every setting a page or a hand-made request sends) and the page (which builds its controls and
its URL from the same table, fetched from ``/api/schema``).

The names follow TensorFlow Playground's URL (``#activation=tanh&networkShape=4,2&...``), so a link
reads the same; the extras (optimizer, dropout, classes, ...) add their own.
"""
from __future__ import annotations

import math

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8


class SettingsError(ValueError):
    """A setting the server refuses; the message names the setting, what it got and what it accepts."""


DATASETS = {
    # name: (problem, label shown on the page)
    "circle": ("classification", "Circle"),
    "xor": ("classification", "Exclusive or"),
    "gauss": ("classification", "Gaussian"),
    "spiral": ("classification", "Spiral"),
    "reg-plane": ("regression", "Plane"),
    "reg-gauss": ("regression", "Multi Gaussian"),
    "blobs": ("multiclass", "Blobs (3-5 classes)"),
    "upload": (None, "Your CSV"),  # the problem follows the uploaded labels
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leakyrelu", "elu", "softplus")
REGULARIZATIONS = ("none", "L1", "L2")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
FEATURES = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")

# name: (kind, default, limits) — kind is number / int / bool / choice / shape
SCHEMA = {
    "dataset": ("choice", "circle", tuple(DATASETS)),
    "noise": ("int", 0, (0, 50)),                      # percent, as the playground's slider
    "percTrainData": ("int", 50, (10, 90)),
    "numSamples": ("int", 500, (20, 2000)),
    "numClasses": ("int", 3, (3, 5)),
    "batchSize": ("int", 10, (1, 1000)),
    "seed": ("int", 1, (0, 2**31 - 1)),
    "networkShape": ("shape", [4, 2], (0, MAX_HIDDEN_LAYERS, 1, MAX_NEURONS)),
    "activation": ("choice", "tanh", ACTIVATIONS),
    "learningRate": ("number", 0.03, (1e-6, 10.0)),
    "regularization": ("choice", "none", REGULARIZATIONS),
    "regularizationRate": ("number", 0.0, (0.0, 10.0)),
    "optimizer": ("choice", "sgd", OPTIMIZERS),
    "momentum": ("number", 0.9, (0.0, 0.999)),
    "beta1": ("number", 0.9, (0.0, 0.999)),
    "beta2": ("number", 0.999, (0.0, 0.99999)),
    "alpha": ("number", 0.99, (0.0, 0.99999)),          # RMSprop's smoothing constant
    "dropout": ("number", 0.0, (0.0, 0.9)),
    "x": ("bool", True, None),
    "y": ("bool", True, None),
    "xSquared": ("bool", False, None),
    "ySquared": ("bool", False, None),
    "xTimesY": ("bool", False, None),
    "sinX": ("bool", False, None),
    "sinY": ("bool", False, None),
    "showTestData": ("bool", False, None),
    "discretize": ("bool", False, None),
}
# Settings the running session takes without starting over (as the playground's learning-rate box).
LIVE = {"learningRate", "regularization", "regularizationRate", "batchSize", "showTestData", "discretize"}
# Settings that only change the drawing.
DISPLAY_ONLY = {"showTestData", "discretize"}


def defaults() -> dict:
    return {name: (list(default) if isinstance(default, list) else default)
            for name, (_, default, _) in SCHEMA.items()}


def _number(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SettingsError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def _integer(name: str, value, low: int, high: int) -> int:
    number = _number(name, value, low, high)
    if number != int(number):
        raise SettingsError(f"{name} must be a whole number, got {value!r}")
    return int(number)


def _shape(name: str, value, limits) -> list[int]:
    max_layers, low, high = limits[1], limits[2], limits[3]
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise SettingsError(f"{name} must be a list of layer widths like [4, 2], got {value!r}")
    if len(value) > max_layers:
        raise SettingsError(f"{name}: at most {max_layers} hidden layers, got {len(value)}")
    return [_integer(f"{name}[{i}] (neurons)", width, low, high) for i, width in enumerate(value)]


def _boolean(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", 0):
        return False
    raise SettingsError(f"{name} must be true or false, got {value!r}")


def validate(changes, base: dict | None = None) -> dict:
    """``base`` (the defaults if None) updated with ``changes``, every value checked and converted;
    raises ``SettingsError`` naming the first bad setting, and changes nothing then."""
    if not isinstance(changes, dict):
        raise SettingsError(f"settings must be an object of name: value, got {type(changes).__name__}")
    settings = dict(defaults() if base is None else base)
    for name, value in changes.items():
        if name not in SCHEMA:
            raise SettingsError(f"unknown setting {name!r}; known: {', '.join(SCHEMA)}")
        kind, _, limits = SCHEMA[name]
        if kind == "choice":
            if value not in limits:
                raise SettingsError(f"unknown {name} {value!r}; choose one of {', '.join(limits)}")
            settings[name] = value
        elif kind == "number":
            settings[name] = _number(name, value, *limits)
        elif kind == "int":
            settings[name] = _integer(name, value, *limits)
        elif kind == "bool":
            settings[name] = _boolean(name, value)
        else:
            settings[name] = _shape(name, value, limits)
    if not any(settings[feature] for feature in FEATURES):
        raise SettingsError("choose at least one input feature")
    return settings


def schema() -> dict:
    """The table as JSON for the page."""
    return {
        "settings": {name: {"kind": kind, "default": default, "limits": limits}
                     for name, (kind, default, limits) in SCHEMA.items()},
        "datasets": {name: {"problem": problem, "label": label} for name, (problem, label) in DATASETS.items()},
        "features": list(FEATURES),
        "live": sorted(LIVE),
        "maxHiddenLayers": MAX_HIDDEN_LAYERS,
        "maxNeurons": MAX_NEURONS,
    }
