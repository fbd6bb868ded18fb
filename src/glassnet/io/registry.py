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

A module whose constructor arguments cannot be read back (they are not stored, or an attribute of
that name holds something else) is described by its structure instead: its plain attributes (JSON
values), its children, and the names of its parameters and buffers, which are rebuilt from the stored
tensors themselves (``{"class": ..., "structure": {...}}``). Such a module is rebuilt without calling
its constructor, so every glassnet module can be saved whole (``gn.save(model, path)``).
"""
from __future__ import annotations

import importlib
import inspect
import sys
from collections import OrderedDict

import numpy as np

from ..autograd import Tensor, dtype
from ..nn import Maxout, Module, ModuleDict, ModuleList, Parameter, Sequential
from ..nn import functional as F

CONTAINERS = (Sequential, ModuleList, ModuleDict)
LOADABLE_PACKAGES = ("glassnet.nn", "glassnet.models", "glassnet.lab", "glassnet.physics")
MAX_NESTING = 64        # containers and sub-modules inside one another
SMALL_SIZE = 64         # sizes up to this need no stored tensor to back them (kernel sizes, strides, ...)
FLOAT_DTYPES = ("float32", "float64")
NUMERIC_DTYPES = (*FLOAT_DTYPES, "float16", "int8", "int16", "int32", "int64", "uint8", "bool")
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")  # a layer's rng comes back fresh
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
    if isinstance(value, np.random.Generator) and type(value.bit_generator).__name__ in BIT_GENERATORS:
        return {"generator": type(value.bit_generator).__name__}
    if isinstance(value, (np.dtype, dtype)) or (isinstance(value, type) and issubclass(value, np.generic)):
        return {"dtype": np.dtype(value).name}
    if callable(value) and getattr(F, getattr(value, "__name__", ""), None) is value:
        return {"function": value.__name__}  # e.g. a Transformer layer's activation=F.gelu
    raise ConfigError(f"{where} is a {type(value).__name__}, which a config cannot hold; "
                      f"define get_config() on the layer")


def _functional(name) -> object:
    """The function ``name`` of ``glassnet.nn.functional`` (None if there is none of that name)."""
    function = getattr(F, name, None) if isinstance(name, str) and not name.startswith("_") else None
    return function if callable(function) and not isinstance(function, type) else None


def _from_json(value, weights: dict | None = None, prefix: str = ""):
    """A config value back (a sub-module's weights, for a structural one, under ``prefix``)."""
    if isinstance(value, dict):
        if set(value) == {"module"}:
            return build_module(value["module"], weights, prefix)
        if set(value) == {"generator"} and value["generator"] in BIT_GENERATORS:
            return np.random.Generator(getattr(np.random, value["generator"])())
        if set(value) == {"dtype"} and value["dtype"] in NUMERIC_DTYPES:
            return np.dtype(value["dtype"]).type
        if set(value) == {"function"} and _functional(value["function"]) is not None:
            return _functional(value["function"])
        if set(value) != {"tuple"} or not isinstance(value["tuple"], list):
            raise ConfigError(f"malformed config value {_short(value)}")
        return tuple(_from_json(v, weights, prefix) for v in value["tuple"])
    if isinstance(value, list):
        return [_from_json(v, weights, prefix) for v in value]
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
                args[name] = params[0]._array.dtype.name
            continue
        if not hasattr(module, name):
            raise ConfigError(f"{cls.__qualname__}: the __init__ argument {name!r} is not stored as "
                              f"self.{name}; store it, or define get_config()")
        value = getattr(module, name)
        if isinstance(value, Tensor) or (value is None and name in module._parameters):
            value = value is not None  # e.g. bias=True/False
        elif isinstance(value, Module) and param.default not in (inspect.Parameter.empty, None):
            # e.g. dropout=0.1 stored as self.dropout = Dropout(0.1): not the argument itself
            raise ConfigError(f"{cls.__qualname__}: self.{name} is a {type(value).__name__}, not the "
                              f"__init__ argument {name!r}")
        args[name] = value
    return args


def module_config(module: Module) -> dict:
    """The JSON-able description of ``module``: ``{"class": ..., "config": {...}}``, for a container
    ``{"class": ..., "children": {name: description}}``, and ``{"class": ..., "structure": {...}}``
    for a module whose constructor arguments cannot be read back (see the module docstring)."""
    entry = {"class": _class_name(type(module))}
    if isinstance(module, CONTAINERS):
        entry["children"] = {name: module_config(child) for name, child in module.named_children()}
        return entry
    where = type(module).__qualname__
    try:
        entry["config"] = {k: _to_json(v, f"{where}'s argument {k!r}")
                           for k, v in _constructor_args(module).items()}
    except ConfigError:
        if type(module) in _CONFIG_OF or hasattr(module, "get_config"):
            raise  # the layer said how it is described
        entry["structure"] = _structure(module)
    return entry


def _structure(module: Module) -> dict:
    """A module's plain attributes, children and the names of its parameters and buffers."""
    internal = set(vars(Module()))
    registered = set(module._parameters) | set(module._buffers) | set(module._modules)
    where = type(module).__qualname__
    return {
        "attributes": {name: _to_json(value, f"{where}.{name}") for name, value in vars(module).items()
                       if name not in internal and name not in registered},
        "children": {name: None if child is None else module_config(child) for name, child in module._modules.items()},
        "parameters": [name for name, value in module._parameters.items() if value is not None],
        "buffers": [name for name, value in module._buffers.items() if value is not None],
        "empty": [name for name, value in module._parameters.items() if value is None],
        "empty_buffers": [name for name, value in module._buffers.items() if value is None],
    }


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
    if "structure" in entry:
        _check_structure(entry["structure"], shapes, f"{where}.structure", prefix, depth)
        return
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


def _check_structure(structure, shapes: dict, where: str, prefix: str, depth: int) -> None:
    """A structural description: its fields' types, its children; its attributes allocate nothing
    (parameters and buffers are the stored arrays), so their integers are not bounded."""
    fields = {"attributes": dict, "children": dict, "parameters": list, "buffers": list, "empty": list,
              "empty_buffers": list}
    if not isinstance(structure, dict):
        raise ConfigError(f"{where}: expected a mapping, got {_short(structure)}")
    for field, kind in fields.items():
        if not isinstance(structure.get(field), kind):
            raise ConfigError(f"{where}.{field}: expected a {kind.__name__}, got {_short(structure.get(field))}")
    for field in ("parameters", "buffers", "empty", "empty_buffers"):
        if not all(isinstance(name, str) for name in structure[field]):
            raise ConfigError(f"{where}.{field}: expected names, got {_short(structure[field])}")
    for name, child in structure["children"].items():
        if child is not None:
            check_architecture(child, shapes, f"{where}.children[{name!r}]", f"{prefix}{name}.", None, depth + 1)
    for name, value in structure["attributes"].items():
        _check_value(value, shapes, f"{where}.attributes.{name}", prefix, None, depth + 1)


def _check_value(value, shapes: dict, where: str, prefix: str, bound: int | None, depth: int) -> None:
    """One config value: a JSON scalar, a list / tuple of values, a sub-module's description, a
    generator or a dtype; integers at most ``bound`` (if not None)."""
    if depth > MAX_NESTING:
        raise ConfigError(f"{where}: values nested more than {MAX_NESTING} deep")
    if isinstance(value, bool) or value is None or isinstance(value, (float, str)):
        return
    if isinstance(value, dict) and (set(value) == {"generator"} and value["generator"] in BIT_GENERATORS
                                    or set(value) == {"dtype"} and value["dtype"] in NUMERIC_DTYPES
                                    or set(value) == {"function"} and _functional(value["function"]) is not None):
        return
    if isinstance(value, int):
        if bound is not None and value > bound:
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
        check_architecture(value["module"], shapes, where, f"{prefix}{where.rsplit('.', 1)[-1]}.", bound, depth + 1)
        return
    raise ConfigError(f"{where}: malformed config value {_short(value)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def build_module(entry, weights: dict | None = None, prefix: str = "") -> Module:
    """Rebuild a module from ``module_config``'s description (fresh weights; load them after). A
    structural description takes its parameters and buffers from ``weights`` (name -> array, the
    module's own under ``prefix``)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
        raise ConfigError(f"malformed architecture entry {_short(entry)}")
    cls = _find_class(entry["class"])
    if "structure" in entry:
        return _build_structure(cls, entry["structure"], weights or {}, prefix)
    if issubclass(cls, CONTAINERS):
        children = entry.get("children")
        if not isinstance(children, dict):
            raise ConfigError(f"{entry['class']}: a container needs a 'children' mapping")
        built = OrderedDict((str(k), build_module(v, weights, f"{prefix}{k}.")) for k, v in children.items())
        if issubclass(cls, Sequential):
            return cls(built)
        return cls(list(built.values())) if issubclass(cls, ModuleList) else cls(dict(built))
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ConfigError(f"{entry['class']}: missing its 'config' mapping")
    kwargs = {str(k): _from_json(v, weights, f"{prefix}{k}.") for k, v in config.items()}
    if "dtype" in kwargs:
        if kwargs["dtype"] not in FLOAT_DTYPES:
            raise ConfigError(f"{entry['class']}: dtype {_short(kwargs['dtype'])} is not one of {FLOAT_DTYPES}")
        kwargs["dtype"] = np.dtype(kwargs["dtype"]).type
    try:
        return cls(**kwargs)
    except Exception as error:  # a constructor's own complaint, reported with the config it got
        raise ConfigError(f"cannot rebuild {cls.__qualname__}({kwargs}): {error}") from None


def _build_structure(cls: type, structure: dict, weights: dict, prefix: str) -> Module:
    """A ``cls`` made without its constructor: base Module state, then the described children,
    parameters and buffers (the stored arrays themselves: floating ones for parameters) and plain
    attributes. Nothing of the file is run, and nothing is allocated that the file does not hold."""
    module = cls.__new__(cls)
    Module.__init__(module)
    for name, child in structure["children"].items():
        module.add_module(name, None if child is None else build_module(child, weights, f"{prefix}{name}."))
    for kind, names in (("parameter", structure["parameters"]), ("buffer", structure["buffers"])):
        for name in names:
            if f"{prefix}{name}" not in weights:
                raise ConfigError(f"{prefix}{name}: the {kind} the structure names is not stored")
            array = weights[f"{prefix}{name}"]
            if kind == "parameter" and array.dtype.name not in FLOAT_DTYPES:
                raise ConfigError(f"{prefix}{name}: a parameter stored as {array.dtype}; parameters are "
                                  f"{' or '.join(FLOAT_DTYPES)}")
            if kind == "parameter":
                module.register_parameter(name, Parameter(np.array(array)))
            else:
                module.register_buffer(name, np.array(array))
    for name in structure["empty"]:
        module.register_parameter(name, None)
    for name in structure["empty_buffers"]:
        module.register_buffer(name, None)
    for name, value in structure["attributes"].items():
        if name.startswith("__") or callable(getattr(cls, name, None)) or isinstance(getattr(cls, name, None), property):
            raise ConfigError(f"{prefix or 'the model'}: the attribute {name!r} would replace part of "
                              f"{cls.__qualname__} itself")
        object.__setattr__(module, name, _from_json(value, weights, f"{prefix}{name}."))
    return module


# Built-in layers whose attributes do not mirror their constructor
register_module(Maxout, name="glassnet.nn.Maxout", get_config=lambda m: {
    "in_features": m.linear.in_features, "out_features": m.linear.out_features // m.pool_size,
    "pool_size": m.pool_size})
