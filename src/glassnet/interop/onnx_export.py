"""ONNX export by tracing: run the model once on an example input, then translate the recorded graph
of ``Function`` nodes — the same graph backward walks — into ONNX nodes with ``onnx.helper``.

The model may take several inputs (a tuple of examples); integer inputs are token indices for an
``Embedding``. Parameters become initializers under their ``state_dict`` names, buffers and other
constants become initializers too, and the batch dimension is symbolic (``dynamic_axes``, which can
add the sequence axes: the converters keep every size they do not have to fix). ``CONVERTERS`` maps a
Function's class name to ``convert(node, graph)``, which appends the equivalent ONNX nodes; layers
added elsewhere register theirs with ``register_onnx_converter``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, as_tensor, enable_grad, tensor
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

    def __init__(self, input_arrays: dict):
        self.nodes, self.initializers, self._count = [], [], 0
        self.input_arrays = input_arrays  # id(ndarray) -> graph input name
        _, self.helper, self.numpy_helper = _onnx()

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, array, hint: str = "const", name: str | None = None) -> str:
        name = name or self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(array), name))
        return name

    def array(self, array, hint: str, dtype=None) -> str:
        """An array a converter reads from its Function's ctx (e.g. embedding indices): the graph
        input it is, or else a constant."""
        name = self.input_arrays.get(id(array))
        return name or self.const(np.asarray(array, dtype), hint)

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


def _unit_axes(longer, shorter):
    """The axes of size 1 whose removal turns shape ``longer`` into ``shorter``, or None."""
    if len(longer) <= len(shorter):
        return None
    axes, matched = [], 0
    for axis, size in enumerate(longer):
        if matched < len(shorter) and size == shorter[matched]:
            matched += 1
        elif size == 1:
            axes.append(axis)
        else:
            return None
    return axes if matched == len(shorter) else None


def _reshape(node, graph):
    """A reshape that keeps dynamic sizes free: adding or removing size-1 axes is Unsqueeze or
    Squeeze; otherwise the leading sizes shared with the input are copied from it (0 in ONNX) and
    the next one is inferred (-1), so batch and sequence axes in front stay dynamic."""
    before, after = node.input_shapes[0], tuple(node.shape)
    for op, axes in (("Unsqueeze", _unit_axes(after, before)), ("Squeeze", _unit_axes(before, after))):
        if axes is not None:
            graph.node(op, [node.inputs[0], graph.const(np.array(axes, np.int64), "axes")], node.output)
            return
    shared = 0
    while shared < min(len(before), len(after)) and before[shared] == after[shared]:
        shared += 1
    shape = [0] * shared + ([-1] + list(after[shared + 1:]) if shared < len(after) else [])
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


END = np.iinfo(np.int64).max


def _slice_bounds(item: slice) -> tuple:
    """(start, stop, step) as written, so that x[:-2] stays "all but the last two" for any length."""
    step = 1 if item.step is None else item.step
    start = item.start if item.start is not None else (0 if step > 0 else END)
    stop = item.stop if item.stop is not None else (END if step > 0 else -END - 1)
    return start, stop, step


def _getitem(node, graph):
    index = node.ctx.index if isinstance(node.ctx.index, tuple) else (node.ctx.index,)
    shape = node.input_shapes[0]
    current, dropped = node.inputs[0], []
    for axis, item in enumerate(index):
        if isinstance(item, slice):
            if item.indices(shape[axis]) != (0, shape[axis], 1):
                start, stop, step = _slice_bounds(item)
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
    "Sin": _elementwise("Sin"), "Cos": _elementwise("Cos"),
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


def _examples(example_input) -> list:
    """The example inputs as Tensors: floating ones record the graph, integer ones are indices."""
    tensors = []
    for i, item in enumerate(example_input if isinstance(example_input, tuple) else (example_input,)):
        data = as_array(item).copy()
        if np.issubdtype(data.dtype, np.floating):
            tensors.append(tensor(data, requires_grad=True))
        elif np.issubdtype(data.dtype, np.integer):
            tensors.append(as_tensor(data))
        else:
            raise TypeError(f"to_onnx: example input {i} has dtype {data.dtype}; inputs must be floating point "
                            f"or integer (pass a boolean mask as floats)")
    return tensors


def _flatten(out) -> list:
    """A forward's result as a flat list of outputs: nested tuples in order, None left out."""
    if isinstance(out, (tuple, list)):
        return [tensor for item in out for tensor in _flatten(item)]
    return [] if out is None else [out]


def _trace(model, examples: list) -> list:
    was_training = model.training
    model.eval()
    try:
        with enable_grad():
            outputs = _flatten(model(*examples))
    finally:
        model.train(was_training)
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"ONNX export: output {i} of {type(model).__name__} is a {type(o).__name__}, not a Tensor")
    return outputs


def _default_names(names, count: int, stem: str) -> list:
    if names is not None:
        return [names] if isinstance(names, str) else list(names)
    return [stem] if count == 1 else [f"{stem}_{i}" for i in range(count)]


def to_onnx(model, example_input, path, opset: int = OPSET, dynamic_axes=(0,), input_names=None,
            output_names=None):
    """Export ``model`` to an ONNX file, traced on ``example_input``.

    ``example_input`` is one array (or Tensor), or a tuple of them for a forward with several
    arguments (``(nodes, edges, mask)``, ``(source, target_in)``); floating inputs stay float,
    integer inputs are indices (for ``Embedding``). ``dynamic_axes`` are the axes whose size may
    change, for every input (the batch axis 0 by default; add the sequence axis for a recurrent model,
    e.g. ``(0, 1)`` for batch-first input), or ``{input name: axes}``. Outputs are the forward's
    tensors, nested tuples flattened in order and None left out; inputs are named ``input`` (or
    ``input_0``, ``input_1``, ...) unless ``input_names`` says otherwise. The file passes
    ``onnx.checker``; returns the ``onnx.ModelProto``. Raises ``TypeError`` naming the first
    operation that has no ONNX translation, or an input the traced graph does not read.
    """
    onnx, helper, _ = _onnx()
    examples = _examples(example_input)
    input_names = _default_names(input_names, len(examples), "input")
    if len(input_names) != len(examples):
        raise ValueError(f"to_onnx: {len(input_names)} input names for {len(examples)} example inputs")
    outputs = _trace(model, examples)
    output_names = _default_names(output_names, len(outputs), "output")
    graph = GraphBuilder({id(t._array): n for t, n in zip(examples, input_names)})
    names = {id(t): n for t, n in zip(examples, input_names)}
    arrays = {}
    for key, value in model.state_dict().items():
        arrays.setdefault(id(value._array), key)

    def name_of(tensor) -> str:
        if id(tensor) not in names:  # a parameter, a buffer or another constant
            key = arrays.get(id(tensor._array))
            names[id(tensor)] = graph.const(tensor._array, name=key) if key else graph.const(tensor._array)
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

    used = {name for n in graph.nodes for name in n.input}  # converters may leave an operand unused
    for name in input_names:
        if name not in used:
            raise TypeError(f"to_onnx: input '{name}' does not reach the outputs through traced operations "
                            f"(the model turns it into a NumPy array, or uses it only for checks)")
    axes = dynamic_axes if isinstance(dynamic_axes, dict) else {n: dynamic_axes for n in input_names}
    inputs, symbolic = [], {}
    for name, example in zip(input_names, examples):
        dims = list(example.shape)
        for a in axes.get(name, ()):
            if a < example.ndim:
                dims[a] = "batch" if a == 0 else f"{name}_axis{a}"
                symbolic.setdefault(example.shape[a], dims[a])
        inputs.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(example.dtype), dims))

    def output_info(name, tensor):  # a size equal to a dynamic input size is taken to follow it
        dims = [symbolic.get(size, size) for size in tensor.shape]
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(tensor.dtype), dims)

    proto_graph = helper.make_graph(graph.nodes, type(model).__name__, inputs,
                                    [output_info(n, o) for o, n in zip(outputs, output_names)],
                                    [init for init in graph.initializers if init.name in used])
    proto = helper.make_model(proto_graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="glassnet")
    onnx.checker.check_model(proto)
    atomic_write(path, proto.SerializeToString())
    return proto


def _ordered(outputs: list) -> list:
    """Every tensor the outputs depend on through recorded ops, inputs before the ops that use them."""
    order, seen = [], set()
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        stack.append((tensor, True))
        if tensor._ctx is not None:
            stack.extend((t, False) for t in reversed(tensor._ctx.inputs) if t.requires_grad and id(t) not in seen)
    return order


def verify_onnx(model, path, inputs) -> float:
    """Run the ONNX file in onnxruntime on ``inputs`` (an array, or a tuple of arrays as for
    ``to_onnx``) and return the largest absolute difference from glassnet's own outputs (model in
    eval mode)."""
    import onnxruntime

    from ..autograd import no_grad
    arrays = [as_array(x) for x in (inputs if isinstance(inputs, tuple) else (inputs,))]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    theirs = session.run(None, {i.name: a for i, a in zip(session.get_inputs(), arrays)})
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            ours = _flatten(model(*[as_tensor(a) for a in arrays]))
    finally:
        model.train(was_training)
    if len(ours) != len(theirs):
        raise ValueError(f"verify_onnx: the file has {len(theirs)} outputs, the model {len(ours)}")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a.shape != b.shape:
            raise ValueError(f"verify_onnx: output {i} has shape {b.shape} in onnxruntime but {a.shape} in glassnet")
    return max(float(np.abs(np.asarray(a._array, np.float64) - b).max()) for a, b in zip(ours, theirs))
