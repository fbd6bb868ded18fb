"""Architecture configs: how ``gn.save`` describes a model so that ``gn.load`` rebuilds it without the
user's code.

A module is described by its class name and its constructor arguments; containers (Sequential,
ModuleList, ModuleDict) by their children. Loading only ever calls constructors of loadable Module
classes with JSON values: a file cannot make glassnet import or run anything else. Loadable are the
classes registered with ``register_module`` and glassnet's own layers and models: the Module
subclasses of the packages in ``LOADABLE_PACKAGES`` (a name in a file only chooses among those, it
never names a module to import). ``check_architecture`` reads a description against the tensors
stored beside it before anything is built: its nesting is bounded and no layer may declare a size
larger than its stored tensors have (a 512-byte file cannot ask for a 50-million-wide layer).

How a layer opts in (built-in layers of any glassnet sub-package need nothing more):

1. Store every ``__init__`` argument as an attribute of the same name, as PyTorch's layers do
   (``self.in_channels``, ``self.kernel_size``, ...). A parameter argument such as ``bias`` is read
   back as "present or not"; ``dtype`` is read from the module's parameters; ``rng`` and private
   arguments (``_weight``, as in PyTorch's Embedding) are left out: they are state, not architecture. Values must be JSON: numbers, strings, booleans,
   None, and lists / tuples of them (tuples come back as tuples).
2. Or define ``get_config(self) -> dict`` returning the keyword arguments of ``__init__``.
3. Classes outside the ``glassnet`` package (a user's own layers) call ``register_module(cls)`` once,
   in the program that saves and in the one that loads.
"""
from __future__ import annotations

import importlib
import inspect
import sys
from collections import OrderedDict

import numpy as np

from ..autograd import Tensor
from ..nn import Maxout, Module, ModuleDict, ModuleList, Sequential

CONTAINERS = (Sequential, ModuleList, ModuleDict)
LOADABLE_PACKAGES = ("glassnet.nn", "glassnet.models", "glassnet.lab", "glassnet.physics")
MAX_NESTING = 64        # containers and sub-modules inside one another
SMALL_SIZE = 64         # sizes up to this need no stored tensor to back them (kernel sizes, strides, ...)
FLOAT_DTYPES = ("float32", "float64")
_BY_NAME: dict[str, type] = {}
_NAME_OF: dict[type, str] = {}
_CONFIG_OF: dict[type, object] = {}
_LOADABLE: dict[str, type] = {}  # glassnet's own layers and models by saved name, listed when first needed


class ConfigError(ValueError):
    """A module that cannot be described, or a description that cannot be rebuilt."""


def register_module(cls=None, *, name: str | None = None, get_config=None):
    """Make ``cls`` (a Module subclass) saveable and loadable by name; usable as a decorator.

    ``get_config(module) -> dict`` describes instances whose attributes do not mirror ``__init__``.
    """
    def register(cls):
        if not (isinstance(cls, type) and issubclass(cls, Module)):
            raise TypeError(f"register_module expects a Module subclass, got {cls!r}")
        key = name or cls.__qualname__
        _BY_NAME[key], _NAME_OF[cls] = cls, key
        if get_config is not None:
            _CONFIG_OF[cls] = get_config
        return cls
    return register if cls is None else register(cls)


def _class_name(cls: type) -> str:
    if cls in _NAME_OF:
        return _NAME_OF[cls]
    if cls.__module__.startswith("glassnet."):
        # the shortest public path (glassnet.nn.Linear, not glassnet.nn.layers.linear.Linear),
        # so that files survive a layer moving between source files
        parts = cls.__module__.split(".")
        for depth in range(2, len(parts) + 1):
            package = sys.modules.get(".".join(parts[:depth]))
            if getattr(package, cls.__name__, None) is cls:
                return f"{package.__name__}.{cls.__name__}"
    raise ConfigError(f"{cls.__qualname__} is not a glassnet layer: call glassnet.io.register_module("
                      f"{cls.__qualname__}) before saving and before loading it")


def _find_class(name: str) -> type:
    """The loadable class saved under ``name`` (see the module's docstring)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    package = next((p for p in LOADABLE_PACKAGES if name.startswith(p + ".")), None)
    if package is not None:
        try:
            importlib.import_module(package)  # one of a fixed list: never a module the file names
        except ImportError:
            pass
        else:
            if name not in _LOADABLE:  # (re)list the package's layers: more may have been imported since
                _LOADABLE.update({_public_name(cls): cls for cls in _subclasses(Module)
                                  if cls.__module__.startswith(package + ".")})
            if name in _LOADABLE:
                return _LOADABLE[name]
    raise ConfigError(f"unknown layer class {name!r}: not a glassnet layer or model, nor registered with "
                      f"glassnet.io.register_module (only those are loaded)")


def _subclasses(cls: type) -> list[type]:
    found, stack = [], [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def _public_name(cls: type) -> str | None:
    try:
        return _class_name(cls)
    except ConfigError:
        return None


def _to_json(value, where: str):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        items = [_to_json(v, where) for v in value]
        return {"tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, Module):  # a sub-network passed to the constructor (e.g. a GAN's generator)
        return {"module": module_config(value)}
    raise ConfigError(f"{where} is a {type(value).__name__}, which a config cannot hold; "
                      f"define get_config() on the layer")


def _from_json(value):
    if isinstance(value, dict):
        if set(value) == {"module"}:
            return build_module(value["module"])
        if set(value) != {"tuple"} or not isinstance(value["tuple"], list):
            raise ConfigError(f"malformed config value {value!r}")
        return tuple(_from_json(v) for v in value["tuple"])
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _constructor_args(module: Module) -> dict:
    cls = type(module)
    if cls in _CONFIG_OF:
        return dict(_CONFIG_OF[cls](module))
    if hasattr(module, "get_config"):
        return dict(module.get_config())
    args = {}
    params = list(module.parameters())
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "rng") or name.startswith("_") or param.kind in (param.VAR_POSITIONAL,
                                                                             param.VAR_KEYWORD):
            continue
        if name == "dtype":
            if params:
                args[name] = str(params[0].dtype)
            continue
        if not hasattr(module, name):
            raise ConfigError(f"{cls.__qualname__}: the __init__ argument {name!r} is not stored as "
                              f"self.{name}; store it, or define get_config()")
        value = getattr(module, name)
        if isinstance(value, Tensor) or (value is None and name in module._parameters):
            value = value is not None  # e.g. bias=True/False
        args[name] = value
    return args


def module_config(module: Module) -> dict:
    """The JSON-able description of ``module``: ``{"class": ..., "config": {...}}`` or, for a
    container, ``{"class": ..., "children": {name: description}}``."""
    entry = {"class": _class_name(type(module))}
    if isinstance(module, CONTAINERS):
        entry["children"] = {name: module_config(child) for name, child in module.named_children()}
    else:
        where = type(module).__qualname__
        entry["config"] = {k: _to_json(v, f"{where}'s argument {k!r}")
                           for k, v in _constructor_args(module).items()}
    return entry


def check_architecture(entry, shapes: dict, where: str = "architecture", prefix: str = "",
                       bound: int | None = None, depth: int = 0) -> None:
    """Check a description before anything is built from it: its structure (each field with its
    type), its nesting (at most ``MAX_NESTING`` deep) and its sizes: every integer in a layer's
    config is at most the largest dimension among the tensors stored under its name (``shapes``:
    name -> shape; among all of them for a layer that stores none), or ``SMALL_SIZE``. The exact
    shapes are compared once the model is built; this bound only keeps a hostile file from making
    glassnet allocate far more than the file holds. Raises ``ConfigError`` naming the field."""
    if depth > MAX_NESTING:
        raise ConfigError(f"{where}: modules nested more than {MAX_NESTING} deep")
    if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
        raise ConfigError(f"{where}: expected {{\"class\": name, ...}}, got {_short(entry)}")
    cls = _find_class(entry["class"])
    if issubclass(cls, CONTAINERS):
        children = entry.get("children")
        if not isinstance(children, dict):
            raise ConfigError(f"{where}.children: a {entry['class']} needs a mapping of children, got {_short(children)}")
        for name, child in children.items():
            check_architecture(child, shapes, f"{where}.children[{name!r}]", f"{prefix}{name}.", bound, depth + 1)
        return
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ConfigError(f"{where}.config: expected a mapping of {entry['class']}'s arguments, got {_short(config)}")
    if bound is None:
        own = [shape for name, shape in shapes.items() if name.startswith(prefix)] or list(shapes.values())
        bound = max([SMALL_SIZE, *(size for shape in own for size in shape)])
    for key, value in config.items():
        _check_value(value, shapes, f"{where}.config.{key}", prefix, bound, depth)
    if "dtype" in config and config["dtype"] not in FLOAT_DTYPES:
        raise ConfigError(f"{where}.config.dtype: {_short(config['dtype'])} is not a dtype of glassnet's layers "
                          f"({', '.join(FLOAT_DTYPES)})")


def _check_value(value, shapes: dict, where: str, prefix: str, bound: int, depth: int) -> None:
    """One config value: a JSON scalar, a list / tuple of values, or a sub-module's description."""
    if depth > MAX_NESTING:
        raise ConfigError(f"{where}: values nested more than {MAX_NESTING} deep")
    if isinstance(value, bool) or value is None or isinstance(value, (float, str)):
        return
    if isinstance(value, int):
        if value > bound:
            raise ConfigError(f"{where} = {value}: larger than any size the stored tensors have (at most "
                              f"{bound}); the file is refused before building the layer")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_value(item, shapes, f"{where}[{i}]", prefix, bound, depth + 1)
        return
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        _check_value(value["tuple"], shapes, where, prefix, bound, depth + 1)
        return
    if isinstance(value, dict) and set(value) == {"module"}:
        check_architecture(value["module"], shapes, where, prefix, bound, depth + 1)
        return
    raise ConfigError(f"{where}: malformed config value {_short(value)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def build_module(entry) -> Module:
    """Rebuild a module from ``module_config``'s description (fresh weights; load them after)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
        raise ConfigError(f"malformed architecture entry {entry!r}")
    cls = _find_class(entry["class"])
    if issubclass(cls, CONTAINERS):
        children = entry.get("children")
        if not isinstance(children, dict):
            raise ConfigError(f"{entry['class']}: a container needs a 'children' mapping")
        built = OrderedDict((str(k), build_module(v)) for k, v in children.items())
        if issubclass(cls, Sequential):
            return cls(built)
        return cls(list(built.values())) if issubclass(cls, ModuleList) else cls(dict(built))
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ConfigError(f"{entry['class']}: missing its 'config' mapping")
    kwargs = {str(k): _from_json(v) for k, v in config.items()}
    if "dtype" in kwargs:
        if kwargs["dtype"] not in FLOAT_DTYPES:
            raise ConfigError(f"{entry['class']}: dtype {_short(kwargs['dtype'])} is not one of {FLOAT_DTYPES}")
        kwargs["dtype"] = np.dtype(kwargs["dtype"]).type
    try:
        return cls(**kwargs)
    except Exception as error:  # a constructor's own complaint, reported with the config it got
        raise ConfigError(f"cannot rebuild {cls.__qualname__}({kwargs}): {error}") from None


# Built-in layers whose attributes do not mirror their constructor
register_module(Maxout, name="glassnet.nn.Maxout", get_config=lambda m: {
    "in_features": m.linear.in_features, "out_features": m.linear.out_features // m.pool_size,
    "pool_size": m.pool_size})
