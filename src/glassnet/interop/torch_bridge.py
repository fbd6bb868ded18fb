"""glassnet <-> PyTorch: ``to_torch(model)`` and ``from_torch(module)``.

Every glassnet layer with a PyTorch twin has the same constructor arguments and the same
``state_dict`` keys and shapes, so converting a layer is: build the twin from the layer's
arguments, then load the state dict. ``TWINS`` lists, per glassnet class name, the twin's class and
the constructor arguments read from the layer. Containers are converted child by child. A custom
module (a subclass with its own ``forward``) becomes a torch module with the same children,
parameters and attributes, running the same ``forward`` code (and the helpers it calls) — with the
glassnet functions it names (``F.relu``, ``gn.cat``, ``as_float_input``, ...) swapped for their torch
twins. That works when the code otherwise uses its child modules and the tensor methods both
libraries share (``x.reshape``, ``@``, ``+``, ``x.sum(1)``, ...). Converting such a module back gives
an instance of its original glassnet class.
"""
from __future__ import annotations

import functools
import types
from collections import OrderedDict

import numpy as np

from .. import nn


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised only without torch
        raise ImportError("glassnet.interop needs PyTorch: pip install 'glassnet[interop]'") from None
    return torch


def _same(*names):
    """Constructor arguments copied by name from the layer."""
    return lambda m: {name: getattr(m, name) for name in names}


def _bias(m) -> dict:
    return {"bias": getattr(m, "bias", None) is not None}


# glassnet class name -> (torch.nn class name, layer -> constructor keyword arguments)
TWINS = {
    "Linear": ("Linear", lambda m: {**_same("in_features", "out_features")(m), **_bias(m)}),
    "Identity": ("Identity", lambda m: {}),
    "Flatten": ("Flatten", _same("start_dim", "end_dim")),
    "Unflatten": ("Unflatten", _same("dim", "unflattened_size")),
    "Dropout": ("Dropout", _same("p")),
    "ReLU": ("ReLU", lambda m: {}),
    "Tanh": ("Tanh", lambda m: {}),
    "Sigmoid": ("Sigmoid", lambda m: {}),
    "LeakyReLU": ("LeakyReLU", _same("negative_slope")),
    "ELU": ("ELU", _same("alpha")),
    "Softplus": ("Softplus", _same("beta", "threshold")),
    "Softmax": ("Softmax", _same("dim")),
    "LogSoftmax": ("LogSoftmax", _same("dim")),
    "Conv1d": ("Conv1d", lambda m: {**_same("in_channels", "out_channels", "kernel_size", "stride", "padding",
                                            "dilation", "groups")(m), **_bias(m)}),
    "Conv2d": ("Conv2d", lambda m: {**_same("in_channels", "out_channels", "kernel_size", "stride", "padding",
                                            "dilation", "groups")(m), **_bias(m)}),
    "ConvTranspose2d": ("ConvTranspose2d", lambda m: {**_same(
        "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
        "dilation")(m), **_bias(m)}),
    "MaxPool1d": ("MaxPool1d", _same("kernel_size", "stride", "padding", "dilation")),
    "MaxPool2d": ("MaxPool2d", _same("kernel_size", "stride", "padding", "dilation")),
    "AvgPool1d": ("AvgPool1d", _same("kernel_size", "stride", "padding", "count_include_pad")),
    "AvgPool2d": ("AvgPool2d", _same("kernel_size", "stride", "padding", "count_include_pad")),
    "AdaptiveAvgPool2d": ("AdaptiveAvgPool2d", _same("output_size")),
    "BatchNorm1d": ("BatchNorm1d", _same("num_features", "eps", "momentum", "affine", "track_running_stats")),
    "BatchNorm2d": ("BatchNorm2d", _same("num_features", "eps", "momentum", "affine", "track_running_stats")),
    "LayerNorm": ("LayerNorm", lambda m: {**_same("normalized_shape", "eps", "elementwise_affine")(m),
                                          **_bias(m)}),
    "Upsample": ("Upsample", _same("size", "scale_factor", "mode")),
    "RNN": ("RNN", _same("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
                         "dropout", "bidirectional")),
    "LSTM": ("LSTM", _same("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                           "bidirectional")),
    "GRU": ("GRU", _same("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                         "bidirectional")),
    "RNNCell": ("RNNCell", _same("input_size", "hidden_size", "bias", "nonlinearity")),
    "LSTMCell": ("LSTMCell", _same("input_size", "hidden_size", "bias")),
    "GRUCell": ("GRUCell", _same("input_size", "hidden_size", "bias")),
    "Embedding": ("Embedding", _same("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type")),
    "GELU": ("GELU", _same("approximate")),
    "MultiheadAttention": ("MultiheadAttention", lambda m: {**_same("embed_dim", "num_heads", "dropout",
                                                                    "batch_first")(m),
                                                            "bias": m.in_proj_bias is not None}),
    "TransformerEncoderLayer": ("TransformerEncoderLayer", lambda m: _transformer_layer(m)),
    "TransformerDecoderLayer": ("TransformerDecoderLayer", lambda m: _transformer_layer(m)),
    "TransformerEncoder": ("TransformerEncoder", lambda m: {
        "encoder_layer": _converted(m, m.layers[0], "layers.0"), "num_layers": len(m.layers),
        "norm": _converted(m, m.norm, "norm"), "enable_nested_tensor": False}),  # torch: padded outputs stay computed
    "TransformerDecoder": ("TransformerDecoder", lambda m: {
        "decoder_layer": _converted(m, m.layers[0], "layers.0"), "num_layers": len(m.layers),
        "norm": _converted(m, m.norm, "norm")}),
    "Transformer": ("Transformer", lambda m: {**_same("d_model", "nhead", "batch_first")(m),
                                              "custom_encoder": _converted(m, m.encoder, "encoder"),
                                              "custom_decoder": _converted(m, m.decoder, "decoder")}),
    # twins written in glassnet.interop.torch_twins
    "MessagePassing": ("MessagePassing", lambda m: {**_same("node_features", "edge_features")(m),
                                                    "message_features": m.message.out_features,
                                                    "out_features": m.update.out_features}),
    "EdgeConv": ("EdgeConv", lambda m: {"nn": _converted(m, m.nn, "nn"), "aggr": m.aggr}),
    "AdditiveAttention": ("AdditiveAttention", lambda m: {"query_dim": m.query_proj.in_features,
                                                          "key_dim": m.key_proj.in_features,
                                                          "hidden_dim": m.score.in_features}),
    "PositionalEncoding": ("PositionalEncoding", lambda m: {**_same("d_model", "max_len", "batch_first")(m),
                                                            "dropout": m.dropout.p}),
}
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


def _transformer_layer(m) -> dict:
    """The constructor arguments of a Transformer encoder or decoder layer (either library's)."""
    from ..nn.layers.transformer import activation_name
    activation = activation_name(m)
    if not activation:
        raise TypeError(f"{type(m).__name__} with the activation {m.activation!r} has no twin (relu or gelu only)")
    return {"d_model": m.linear1.in_features, "nhead": m.self_attn.num_heads,
            "dim_feedforward": m.linear1.out_features, "dropout": m.dropout.p, "activation": activation,
            "layer_norm_eps": m.norm1.eps, "batch_first": m.self_attn.batch_first, "norm_first": m.norm_first,
            "bias": m.linear1.bias is not None}


def _converted(parent, child, name: str):
    """``child`` of ``parent`` in the other library (None stays None): the sub-layers that a Transformer
    container's constructor takes as arguments."""
    if child is None:
        return None
    if isinstance(parent, nn.Module):
        return to_torch(child, f"{type(parent).__name__}.{name}")
    return from_torch(child, f"{type(parent).__name__}.{name}")


def register_twin(glassnet_name: str, torch_name: str, arguments) -> None:
    """Declare that glassnet layer ``glassnet_name`` has the twin ``torch.nn.<torch_name>`` (or the
    class of that name in ``glassnet.interop.torch_twins``), built with ``arguments(layer) -> dict``;
    the state dicts must then match key for key."""
    TWINS[glassnet_name] = (torch_name, arguments)


def _torch_class(name: str):
    from . import torch_twins
    return getattr(_torch().nn, name, None) or getattr(torch_twins, name)


class _TorchView:
    """A glassnet module (``F``, ``gn``) as converted code sees it: functions with torch twins swapped."""

    def __init__(self, module, twins: dict):
        self._module, self._twins = module, twins

    def __getattr__(self, name):
        return _swap(getattr(self._module, name), self._twins)


def _swap(value, twins: dict):
    if isinstance(value, types.ModuleType) and value.__name__.startswith("glassnet"):
        return _TorchView(value, twins)
    try:
        return twins.get(value, value)
    except TypeError:  # unhashable globals are data, never functions
        return value


def _with_torch_functions(method, twins: dict):
    """``method``'s code run with a copy of its globals in which glassnet functions (and modules, through
    ``_TorchView``) are replaced by their torch twins."""
    if not isinstance(method, types.FunctionType):
        return method
    namespace = {name: _swap(value, twins) for name, value in method.__globals__.items()}
    swapped = types.FunctionType(method.__code__, namespace, method.__name__, method.__defaults__,
                                 method.__closure__)
    swapped.__kwdefaults__ = method.__kwdefaults__
    return functools.update_wrapper(swapped, method)


def _is_custom(module, base, library: str) -> bool:
    """A composite module (a user's, or a ready-made model) with its own forward, as opposed to a
    layer of the library itself (whose forward would not run in the other one)."""
    return type(module).forward is not base.forward and not type(module).__module__.startswith(library)


def _state_to_torch(state: dict) -> dict:
    torch = _torch()
    return {k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()}


def _plain_attributes(module) -> dict:
    """Non-module, non-parameter attributes (sizes, flags) that a custom forward may read."""
    registered = set(module._parameters) | set(module._buffers) | set(module._modules)
    return {k: v for k, v in vars(module).items()
            if not k.startswith("_") and k != "training" and k not in registered}


def _own_methods(cls: type) -> dict:
    """The functions ``cls`` and its bases define, up to the layer library's own classes, except
    __init__: forward and the helpers it calls (``encode``, ``decode``, ...)."""
    methods = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass.__module__.startswith(("torch.", "glassnet.nn")):
            continue
        methods.update({k: v for k, v in vars(klass).items()
                        if callable(v) and k != "__init__" and not (k.startswith("__") and k.endswith("__"))})
    return methods


def _rebuild_custom(source, cls, base, convert_child, path, to_parameter, to_buffer):
    """A ``cls`` (a ``base`` subclass) instance with ``source``'s converted children, parameters,
    buffers and plain attributes (``cls.__init__`` is not called: its arguments are unknown)."""
    target = cls.__new__(cls)
    base.__init__(target)
    for key, value in _plain_attributes(source).items():
        object.__setattr__(target, key, value)
    for key, child in source.named_children():
        target.add_module(key, convert_child(child, f"{path}.{key}"))
    for key, param in source._parameters.items():
        target.register_parameter(key, None if param is None else to_parameter(param))
    for key, buf in source._buffers.items():
        target.register_buffer(key, None if buf is None else to_buffer(buf))
    return target


def to_torch(model, _path: str = "model"):
    """An equivalent ``torch.nn.Module`` with the same weights (float32 stays float32)."""
    torch = _torch()
    name = type(model).__name__
    if name in TWINS:
        torch_name, arguments = TWINS[name]
        twin = _torch_class(torch_name)(**arguments(model))
    elif name in CONTAINERS:
        children = OrderedDict((k, to_torch(c, f"{_path}.{k}")) for k, c in model.named_children())
        twin = (torch.nn.ModuleList(children.values()) if name == "ModuleList"
                else getattr(torch.nn, name)(children))
    elif _is_custom(model, nn.Module, "glassnet.nn"):
        from .torch_twins import function_twins
        twins = function_twins()
        methods = {key: _with_torch_functions(method, twins) for key, method in _own_methods(type(model)).items()}
        cls = type(name, (torch.nn.Module,), {**methods, "glassnet_class": type(model)})
        twin = _rebuild_custom(model, cls, torch.nn.Module, to_torch, _path,
                               lambda p: torch.nn.Parameter(torch.from_numpy(p._array.copy()), p.requires_grad),
                               lambda b: torch.from_numpy(np.array(b, copy=True)))
    else:
        raise TypeError(f"to_torch: layer '{_path}' ({name}) has no PyTorch twin")
    twin.load_state_dict(_state_to_torch(model.state_dict()), strict=True)
    twin.train(model.training)
    return twin


def from_torch(module, _path: str = "model"):
    """The glassnet model equivalent to a ``torch.nn.Module`` built from layers that have twins."""
    reverse = {torch_name: (gn_name, arguments) for gn_name, (torch_name, arguments) in TWINS.items()}
    name = type(module).__name__
    if name in reverse:
        layer_class = getattr(nn, reverse[name][0])
        model = layer_class(**reverse[name][1](module))
    elif name in CONTAINERS:
        children = OrderedDict((k, from_torch(c, f"{_path}.{k}")) for k, c in module.named_children())
        model = nn.ModuleList(children.values()) if name == "ModuleList" else getattr(nn, name)(children)
    elif _is_custom(module, _torch().nn.Module, "torch."):
        cls = getattr(type(module), "glassnet_class", None) or type(name, (nn.Module,), _own_methods(type(module)))
        model = _rebuild_custom(module, cls, nn.Module, from_torch, _path,
                                lambda p: nn.Parameter(p.detach().cpu().numpy().copy(), p.requires_grad),
                                lambda b: b.detach().cpu().numpy().copy())
    else:
        raise TypeError(f"from_torch: layer '{_path}' ({name}) has no glassnet twin")
    state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    model.load_state_dict(state, strict=True)
    model.train(module.training)
    return model
