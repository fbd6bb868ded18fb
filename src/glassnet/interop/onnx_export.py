"""ONNX export by tracing: run the model once on an example input, then translate the recorded graph
of ``Function`` nodes — the same graph backward walks — into ONNX nodes with ``onnx.helper``.

Parameters become initializers under their ``state_dict`` names, buffers and other constants become
initializers too, and the batch dimension is symbolic (``dynamic_axes``). ``CONVERTERS`` maps a
Function's class name to ``convert(node, graph)``, which appends the equivalent ONNX nodes; layers
added elsewhere register theirs with ``register_onnx_converter``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, enable_grad
from ..autograd.graph import topological_order
from ..io.safefile import atomic_write

OPSET = 17


def _onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:  # pragma: no cover - exercised only without onnx
        raise ImportError("ONNX export needs the onnx package: pip install 'glassnet[interop]'") from None
    return onnx, helper, numpy_helper


class GraphBuilder:
    """Collects ONNX nodes and initializers with unique names."""

    def __init__(self):
        self.nodes, self.initializers, self._count = [], [], 0
        _, self.helper, self.numpy_helper = _onnx()

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, array, hint: str = "const", name: str | None = None) -> str:
        name = name or self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op: str, inputs: list, output: str | None = None, **attributes) -> str:
        output = output or self.fresh(op.lower())
        self.nodes.append(self.helper.make_node(op, list(inputs), [output], **attributes))
        return output


def _axes(axis, ndim: int) -> list:
    if axis is None:
        return list(range(ndim))
    return [a % ndim for a in (axis if isinstance(axis, tuple) else (axis,))]


# ----- converters: convert(node, graph) appends the ONNX nodes computing node.output -----
def _elementwise(op):
    def convert(node, graph):
        graph.node(op, node.inputs, node.output)
    return convert


def _linear(node, graph):
    x, weight, *bias = node.inputs
    if len(node.input_shapes[0]) == 2:
        graph.node("Gemm", node.inputs, node.output, transB=1)
        return
    product = graph.node("MatMul", [x, graph.node("Transpose", [weight], perm=[1, 0])])
    graph.node("Add" if bias else "Identity", [product] + bias, node.output)


def _reshape(node, graph):
    shape = list(node.shape)
    if shape and shape[0] == node.input_shapes[0][0]:
        shape[0] = 0  # ONNX: copy the (dynamic) batch size from the input
    graph.node("Reshape", [node.inputs[0], graph.const(np.array(shape, np.int64), "shape")], node.output)


def _transpose(node, graph):
    axes = node.ctx.axes
    perm = list(axes) if axes is not None else list(range(len(node.shape)))[::-1]
    graph.node("Transpose", node.inputs, node.output, perm=[int(a) for a in perm])


def _reduce(op):
    def convert(node, graph):
        ctx = node.ctx
        axes = _axes(ctx.axis, len(node.input_shapes[0]))
        if op == "ReduceSum":  # axes is an input from opset 13 on
            graph.node(op, [node.inputs[0], graph.const(np.array(axes, np.int64), "axes")], node.output,
                       keepdims=int(ctx.keepdims))
        else:
            graph.node(op, node.inputs, node.output, axes=axes, keepdims=int(ctx.keepdims))
    return convert


def _softmax(op):
    def convert(node, graph):
        graph.node(op, node.inputs, node.output, axis=node.ctx.dim)
    return convert


def _constant_operand(op, attribute):
    """An op whose second operand is a constant saved on ctx (e.g. Pow's exponent)."""
    def convert(node, graph):
        value = graph.const(np.asarray(getattr(node.ctx, attribute), dtype=node.dtype), attribute)
        graph.node(op, [node.inputs[0], value], node.output)
    return convert


def _softplus(node, graph):
    """(1/β)·softplus(βz); ONNX's Softplus is the β = 1 case (and needs no threshold)."""
    beta = graph.const(np.asarray(node.ctx.beta, dtype=node.dtype), "beta")
    graph.node("Div", [graph.node("Softplus", [graph.node("Mul", [node.inputs[0], beta])]), beta], node.output)


def _step(node, graph):
    threshold = graph.const(np.asarray(node.ctx.threshold, dtype=node.dtype), "threshold")
    above = graph.node("Greater", [node.inputs[0], threshold])
    graph.node("Cast", [above], node.output, to=graph.helper.np_dtype_to_tensor_dtype(node.dtype))


def _clip(node, graph):
    bounds = [graph.const(np.asarray(b, dtype=node.dtype), "bound") if b is not None else ""
              for b in (node.ctx.low, node.ctx.high)]
    graph.node("Clip", [node.inputs[0]] + bounds, node.output)


def _cast(node, graph):
    graph.node("Cast", node.inputs, node.output, to=graph.helper.np_dtype_to_tensor_dtype(node.dtype))


def _concat(node, graph):
    graph.node("Concat", node.inputs, node.output, axis=node.ctx.axis)


def _stack(node, graph):
    axes = graph.const(np.array([node.ctx.axis], np.int64), "axes")
    graph.node("Concat", [graph.node("Unsqueeze", [name, axes]) for name in node.inputs], node.output,
               axis=node.ctx.axis)


def _where(node, graph):
    condition = graph.const(np.asarray(node.ctx.condition, bool), "condition")
    graph.node("Where", [condition] + node.inputs, node.output)


def _getitem(node, graph):
    index = node.ctx.index if isinstance(node.ctx.index, tuple) else (node.ctx.index,)
    shape = node.input_shapes[0]
    current, dropped = node.inputs[0], []
    for axis, item in enumerate(index):
        if isinstance(item, slice):
            start, stop, step = item.indices(shape[axis])
            if (start, stop, step) != (0, shape[axis], 1):
                bounds = [graph.const(np.array([v], np.int64), n) for v, n in
                          ((start, "starts"), (stop, "ends"), (axis, "axes"), (step, "steps"))]
                current = graph.node("Slice", [current] + bounds)
        elif isinstance(item, (int, np.integer)):
            current = graph.node("Gather", [current, graph.const(np.array([item], np.int64), "index")], axis=axis)
            dropped.append(axis)
        elif isinstance(item, np.ndarray) and np.issubdtype(item.dtype, np.integer) and len(index) == 1:
            current = graph.node("Gather", [current, graph.const(item.astype(np.int64), "index")], axis=axis)
        else:
            raise TypeError(f"ONNX export: indexing with {item!r} on axis {axis} is not supported "
                            f"(use slices, integers or one integer array)")
    if dropped:
        current = graph.node("Squeeze", [current, graph.const(np.array(dropped, np.int64), "axes")])
    graph.node("Identity", [current], node.output)


CONVERTERS = {
    "Add": _elementwise("Add"), "Sub": _elementwise("Sub"), "Mul": _elementwise("Mul"),
    "Div": _elementwise("Div"), "Neg": _elementwise("Neg"), "Pow": _elementwise("Pow"),
    "Exp": _elementwise("Exp"), "Log": _elementwise("Log"), "Sqrt": _elementwise("Sqrt"),
    "Abs": _elementwise("Abs"), "Tanh": _elementwise("Tanh"), "Sigmoid": _elementwise("Sigmoid"),
    "ReLU": _elementwise("Relu"), "MatMul": _elementwise("MatMul"), "Copy": _elementwise("Identity"),
    "PowScalar": _constant_operand("Pow", "p"), "Softplus": _softplus,
    "LeakyReLU": lambda node, graph: graph.node("LeakyRelu", node.inputs, node.output, alpha=float(node.ctx.slope)),
    "ELU": lambda node, graph: graph.node("Elu", node.inputs, node.output, alpha=float(node.ctx.alpha)),
    "Step": _step, "Clip": _clip, "Cast": _cast, "LinearFunction": _linear, "Reshape": _reshape,
    "Transpose": _transpose, "Sum": _reduce("ReduceSum"), "Mean": _reduce("ReduceMean"),
    "Max": _reduce("ReduceMax"), "Min": _reduce("ReduceMin"), "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"), "Concatenate": _concat, "Stack": _stack, "Where": _where,
    "GetItem": _getitem,
}


def register_onnx_converter(function_name: str, convert) -> None:
    """Teach the exporter a Function: ``convert(node, graph)`` appends the ONNX nodes that compute
    ``node.output`` from ``node.inputs`` (names), with ``node.ctx`` the traced Function node."""
    CONVERTERS[function_name] = convert


class TracedNode:
    """One Function of the traced graph, as a converter sees it."""

    def __init__(self, ctx, inputs: list, output: str, out: Tensor):
        self.ctx, self.inputs, self.output = ctx, inputs, output
        self.shape, self.dtype = out.shape, out.dtype
        self.input_shapes = [t.shape for t in ctx.inputs]


def _trace(model, example: Tensor):
    was_training = model.training
    model.eval()
    try:
        with enable_grad():
            out = model(example)
    finally:
        model.train(was_training)
    outputs = list(out) if isinstance(out, tuple) else [out]
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"ONNX export: output {i} of {type(model).__name__} is a {type(o).__name__}, "
                            f"not a Tensor (nested outputs are not supported)")
    return outputs


def to_onnx(model, example_input, path, opset: int = OPSET, dynamic_axes: tuple = (0,),
            input_name: str = "input", output_names: tuple | None = None):
    """Export ``model`` to an ONNX file, traced on ``example_input``.

    ``dynamic_axes`` are the input axes whose size may change (the batch axis 0 by default; add the
    time axis for a recurrent model, e.g. ``(0, 1)`` for time-major input). The file passes
    ``onnx.checker``; returns the ``onnx.ModelProto``. Raises ``TypeError`` naming the first operation
    that has no ONNX translation.
    """
    onnx, helper, _ = _onnx()
    data = as_array(example_input)
    if not np.issubdtype(data.dtype, np.floating):
        raise TypeError(f"to_onnx: example_input must be floating point, got dtype {data.dtype}")
    example = Tensor(data.copy(), requires_grad=True)
    outputs = _trace(model, example)
    graph = GraphBuilder()
    names = {id(example): input_name}
    arrays = {}
    for key, value in model.state_dict().items():
        arrays.setdefault(id(value), key)
    output_names = list(output_names or (["output"] if len(outputs) == 1 else
                                         [f"output_{i}" for i in range(len(outputs))]))

    def name_of(tensor) -> str:
        if id(tensor) not in names:  # a parameter, a buffer or another constant
            key = arrays.get(id(tensor.data))
            names[id(tensor)] = graph.const(tensor.data, name=key) if key else graph.const(tensor.data)
        return names[id(tensor)]

    final = {id(o): n for o, n in zip(outputs, output_names)}
    for tensor in _ordered(outputs):
        ctx = tensor._ctx
        if ctx is None:
            continue
        convert = CONVERTERS.get(type(ctx).__name__)
        if convert is None:
            raise TypeError(f"ONNX export: operation {type(ctx).__name__} has no ONNX translation "
                            f"(register one with glassnet.interop.register_onnx_converter)")
        output = final.get(id(tensor)) or graph.fresh(type(ctx).__name__.lower())
        convert(TracedNode(ctx, [name_of(t) for t in ctx.inputs], output, tensor), graph)
        names[id(tensor)] = output
    for o, n in zip(outputs, output_names):
        if names.get(id(o)) != n:  # an output that is an input or a constant
            graph.node("Identity", [name_of(o)], n)

    symbolic = {example.shape[a]: ("batch" if a == 0 else f"dim{a}") for a in dynamic_axes if a < example.ndim}

    def value_info(name, tensor):  # a size equal to a dynamic input size is taken to follow it
        dims = [symbolic.get(size, size) for size in tensor.shape]
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(tensor.dtype), dims)

    used = {name for n in graph.nodes for name in n.input}  # converters may leave an operand unused
    proto_graph = helper.make_graph(graph.nodes, type(model).__name__, [value_info(input_name, example)],
                                    [value_info(n, o) for o, n in zip(outputs, output_names)],
                                    [init for init in graph.initializers if init.name in used])
    proto = helper.make_model(proto_graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="glassnet")
    onnx.checker.check_model(proto)
    atomic_write(path, proto.SerializeToString())
    return proto


def _ordered(outputs: list) -> list:
    """Every tensor the outputs depend on through recorded ops, inputs before the ops that use them."""
    order, seen = [], set()
    for out in outputs:
        for tensor in topological_order(out):
            if id(tensor) not in seen:
                seen.add(id(tensor))
                order.append(tensor)
    return order


def verify_onnx(model, path, inputs) -> float:
    """Run the ONNX file in onnxruntime on ``inputs`` and return the largest absolute difference from
    glassnet's own outputs (model in eval mode)."""
    import onnxruntime

    from ..autograd import no_grad
    data = as_array(inputs)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    theirs = session.run(None, {session.get_inputs()[0].name: data})
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            ours = model(Tensor(data))
    finally:
        model.train(was_training)
    ours = list(ours) if isinstance(ours, tuple) else [ours]
    return max(float(np.abs(np.asarray(a.data, np.float64) - b).max()) for a, b in zip(ours, theirs))
