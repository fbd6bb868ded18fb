"""``Module``: the base of every layer and network, and ``Parameter``, a tensor that a module learns.

Assigning a Parameter, a Module or a buffer to an attribute registers it, so that
``named_parameters()``, ``state_dict()`` and ``load_state_dict()`` find it under PyTorch's dotted
names (``"0.weight"``, ``"encoder.rnn.weight_ih_l0"``, ...).
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Iterator

import numpy as np

from ..autograd import Tensor, as_array, as_tensor
from ..autograd.device import check_device, device

IncompatibleKeys = namedtuple("IncompatibleKeys", "missing_keys unexpected_keys")


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a Module registers as learnable.

    ``Parameter(t)`` shares ``t``'s memory and keeps its dtype (an ndarray is taken as it is).
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        array = np.empty(0, dtype=np.float32) if data is None else as_tensor(data)._array
        super().__init__(array, dtype=array.dtype, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class LayerInputError(ValueError):
    """Bad input to a layer. The message names the layer by its path in the model (e.g. 'net.2'),
    which each enclosing module adds as the error passes up through its ``__call__``."""

    def __init__(self, module: "Module", message: str):
        super().__init__(message)
        self.module, self.detail, self.path = module, message, []
        self.owner = module  # the outermost module that has named its part of the path so far

    def __str__(self) -> str:
        where = f" '{'.'.join(self.path)}'" if self.path else ""
        return f"{type(self.module).__name__}{where} {self.detail}"


class Module:
    """Base class of layers and networks: subclasses set attributes in ``__init__`` and define ``forward``."""

    training: bool

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"abstract: {type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        try:
            out = self.forward(*args, **kwargs)
        except LayerInputError as error:
            self._name_child_in(error)
            raise
        if self._forward_hooks:
            for hook in tuple(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def _name_child_in(self, error: LayerInputError) -> None:
        """Prefix the error's layer path with the name this module gives the child it came from."""
        if error.owner is self:
            return
        for name, child in self._modules.items():
            if child is error.owner:
                error.path.insert(0, name)
                break
        error.owner = self

    # ----- registration -----
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                                 f"before assigning '{name}'")
        if name in self._buffers and not isinstance(value, (Parameter, Module)):
            self.register_buffer(name, value, persistent=name not in self._non_persistent)
            return
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """A non-learned tensor the module keeps (e.g. BatchNorm's running_mean): moved and saved with
        it (in ``state_dict`` unless ``persistent=False``), never given a gradient."""
        value = None if tensor is None else as_tensor(tensor)
        object.__setattr__(self, name, value)
        self._buffers[name] = value
        (self._non_persistent.discard if persistent else self._non_persistent.add)(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            object.__setattr__(self, name, None)
            self._parameters[name] = None
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: "Module | None") -> None:
        setattr(self, name, module)
        if module is None:
            self._modules[name] = None

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The submodule at a dotted path such as ``"encoder.0"``."""
        module = self
        for part in target.split(".") if target else ():
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no submodule '{part}' (in '{target}')")
            module = module._modules[part]
        return module

    def get_parameter(self, target: str) -> "Parameter":
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"{type(module).__name__} has no parameter '{name}'")
        return module._parameters[name]

    def register_forward_hook(self, hook):
        """``hook(module, inputs, output)`` runs after every forward; returns a handle with ``remove()``."""
        key = object()
        self._forward_hooks[key] = hook

        class Handle:
            def remove(_self):
                self._forward_hooks.pop(key, None)
        return Handle()

    # ----- traversal -----
    def named_modules(self, prefix: str = "", memo: set | None = None) -> Iterator[tuple[str, "Module"]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator["Module"]:
        for _, child in self.named_children():
            yield child

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, buf in module._buffers.items():
                if buf is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buf

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every submodule (children first) and on self, as in PyTorch."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----- state -----
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Name -> tensor for every parameter and persistent buffer, with PyTorch's keys. The tensors
        share memory with the module (detached from the graph unless ``keep_vars``)."""
        state = OrderedDict() if destination is None else destination
        for key, tensor in self._state_slots(prefix).items():
            state[key] = tensor if keep_vars else tensor.detach()
        return state

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False) -> IncompatibleKeys:
        """Copy tensors (or arrays) into this module's parameters and buffers, checking shapes.

        With ``strict=True`` a missing or unexpected key is an error; the module is left unchanged
        unless every key and shape fits. Returns ``(missing_keys, unexpected_keys)``.
        """
        own = self._state_slots()
        given = {k: as_array(v) for k, v in state_dict.items()}
        missing = [k for k in own if k not in given]
        unexpected = [k for k in given if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: missing keys "
                               f"{missing}, unexpected keys {unexpected}")
        for key, value in given.items():
            if key in own and tuple(own[key].shape) != value.shape:
                raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: size mismatch "
                                   f"for '{key}': {value.shape} in the given state, {tuple(own[key].shape)} "
                                   f"in the model")
        for key, value in given.items():
            if key in own:
                np.copyto(own[key]._array, value, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    def _state_slots(self, prefix: str = "") -> dict:
        """Dotted name -> the parameter or persistent buffer itself, as ``state_dict`` lists them."""
        slots = {}
        for module_name, module in self.named_modules(prefix):
            for registry in (module._parameters, module._buffers):
                for name, value in registry.items():
                    if value is not None and not (registry is module._buffers and name in module._non_persistent):
                        slots[f"{module_name}.{name}" if module_name else name] = value
        return slots

    # ----- modes -----
    def train(self, mode: bool = True) -> "Module":
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)`` or ``to(device, dtype)``: the CPU is the only device; a float
        dtype converts every floating-point parameter and buffer (in place: the module is returned)."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        for arg in args:
            if isinstance(arg, (str, device)):
                check_device(arg)
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            else:
                dtype = arg
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None and param._array.dtype.kind == "f":
                    param._array = param._array.astype(dtype)
                    param.grad = None
            for name, buf in list(module._buffers.items()):
                if buf is not None and buf._array.dtype.kind == "f":
                    buf._array = buf._array.astype(dtype)
        return self

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        check_device("cuda" if device is None else device)
        return self  # pragma: no cover - check_device always raises for CUDA

    def type(self, dst_type) -> "Module":
        return self.to(getattr(dst_type, "dtype", dst_type))

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    def half(self) -> "Module":
        return self.to(np.float16)

    # ----- description -----
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    def summary(self, input_size: tuple | None = None, dtype=np.float32, file=None) -> str:
        """A table of layers, output shapes and parameter counts (printed, and returned as text).

        With ``input_size`` (batch included, e.g. ``(1, 784)``) a forward pass on zeros fills in the
        output shape of every layer.
        """
        from .summary import summarize
        return summarize(self, input_size, dtype, file)
