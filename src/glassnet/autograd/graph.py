"""Reverse-mode differentiation over the graph of ``Function`` nodes.

``backward(roots)`` runs the nodes that the roots were computed from in reverse topological order
(found iteratively, so a 100,000-step graph needs no recursion) and applies the chain rule at every
node: the gradient arriving at a node's output is turned into one gradient per input by that node's
``backward``, and gradients reaching the same node or leaf along several paths are added up. Leaves
get the sum in ``.grad``. Each node's saved arrays are released after its backward, unless
``retain_graph``.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE, no_grad


def backward_order(roots) -> list:
    """The nodes behind ``roots`` (tensors), each before every node it sends gradient to: the order
    in which ``backward`` runs them."""
    order, visited = [], set()
    stack = [(t._ctx, False) for t in roots if t._ctx is not None]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        if node.next_edges is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: the buffers of {node.name()} were "
                f"freed by the first backward(). Pass retain_graph=True to the first backward() to keep them.")
        stack.append((node, True))
        for edge in node.next_edges:
            if edge is not None and not _is_leaf_edge(edge) and id(edge) not in visited:
                stack.append((edge, False))
    order.reverse()
    return order


def _is_leaf_edge(edge) -> bool:
    return hasattr(edge, "_array")  # a leaf Tensor (nodes are Functions)


class GradientSums:
    """The gradient summed so far for each node (its output) and each leaf.

    The first gradient to arrive is kept as it is, though it may be shared (Add passes the same g to
    both inputs) or be a view of another array. When a second one arrives, the sum goes into a new
    array that this class owns; later arrivals are added into that one in place, which is safe only
    because nothing else refers to it (``owned``).
    """

    def __init__(self):
        self.sums, self.owned, self.leaves = {}, set(), {}

    def add(self, target, grad: np.ndarray, fresh: bool) -> None:
        key = id(target)
        previous = self.sums.get(key)
        if previous is None:
            self.sums[key] = grad
            if fresh:
                self.owned.add(key)
            if _is_leaf_edge(target):
                self.leaves[key] = target
        elif key in self.owned:
            previous += grad
        else:
            self.sums[key] = previous + grad
            self.owned.add(key)

    def pop(self, target):
        key = id(target)
        return self.sums.pop(key, None), key in self.owned


def run_backward(roots, root_grads, retain_graph: bool = False, capture: dict | None = None) -> dict:
    """Propagate ``root_grads`` (arrays) from ``roots`` (tensors) to every leaf that requires grad.

    Without ``capture`` the leaves' ``.grad`` are accumulated. With ``capture`` (id of a node or leaf ->
    key), the gradients reaching those targets are returned as {key: array} and ``.grad`` is untouched
    (``autograd.grad``).
    """
    order = backward_order(roots)
    sums = GradientSums()
    for tensor, grad in zip(roots, root_grads):
        sums.add(tensor._ctx if tensor._ctx is not None else tensor, grad, fresh=False)
    captured = {}
    anomaly = STATE.anomaly
    with no_grad():
        for node in order:
            g, fresh = sums.pop(node)
            if g is None:
                continue
            g = _run_output_hooks(node, g)
            if capture is not None and id(node) in capture:
                captured[capture[id(node)]] = g
            _check_versions(node)
            for i, (edge, inp, ig) in enumerate(zip(node.next_edges, node.inputs, node.run_backward(g))):
                if edge is None or ig is None:
                    continue
                if type(ig) is not np.ndarray:  # NumPy turns 0-d results into scalars
                    ig = np.asarray(ig)
                if ig.shape != inp._array.shape:
                    ig = unbroadcast(ig, inp._array.shape)
                if anomaly:
                    _check_finite(node, ig, i)
                sums.add(edge, ig, fresh=ig is not g and ig.base is None)
            if not retain_graph:
                node.release()
        for key, leaf in sums.leaves.items():
            g, fresh = sums.pop(leaf)
            if g is None:
                continue
            g = _run_hooks(leaf._hooks, g)
            if capture is not None:
                if key in capture:
                    captured[capture[key]] = g
            else:
                _store_grad(leaf, g, fresh)
    return captured


def _run_output_hooks(node, g: np.ndarray) -> np.ndarray:
    """Hooks registered on the non-leaf tensor this node made (``register_hook``, ``retain_grad``)."""
    hooks = node.__dict__.get("output_hooks")
    return _run_hooks(hooks, g) if hooks else g


def _run_hooks(hooks, g: np.ndarray) -> np.ndarray:
    if not hooks:
        return g
    from .tensor import Tensor
    for hook in hooks:
        result = hook(Tensor._make(g, False, None))
        if result is not None:
            g = result._array if isinstance(result, Tensor) else np.asarray(result, dtype=g.dtype)
    return g


def _check_versions(node) -> None:
    for tensor, version in node.saved_versions:
        if tensor._version != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{tensor.dtype} {list(tensor.shape)}], used by {node.name()}, is at version "
                f"{tensor._version}; expected version {version} instead. Hint: use an out-of-place op "
                f"(y = y * 2 instead of y *= 2) or .clone() the tensor before changing it.")


def _check_finite(node, grad, input_index) -> None:
    if np.issubdtype(grad.dtype, np.floating) and not np.all(np.isfinite(grad)):
        raise FloatingPointError(
            f"detect_anomaly: backward of {type(node).__name__} produced a non-finite gradient "
            f"for its input {input_index} (shape {grad.shape})")


def _store_grad(tensor, g: np.ndarray, fresh: bool) -> None:
    from .tensor import Tensor
    if tensor._grad is None:
        if g.dtype != tensor._array.dtype:
            g, fresh = g.astype(tensor._array.dtype), True
        tensor._grad = Tensor._make(g if fresh else g.copy(), False, None)
    else:
        tensor._grad._array += g


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo NumPy broadcasting: sum ``grad`` down to ``shape``.

    If x of shape ``shape`` was broadcast to y, then dL/dx = Σ over the broadcast axes of dL/dy.
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad if grad.shape == shape else grad.reshape(shape)


def _root_gradient(tensor, gradient) -> np.ndarray:
    if gradient is None:
        if tensor._array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but the tensor has shape "
                f"{tuple(tensor.shape)}; pass backward(gradient) with that shape or reduce it first (e.g. .sum()).")
        return np.ones_like(tensor._array)
    array = np.asarray(getattr(gradient, "_array", gradient), dtype=tensor._array.dtype)
    if array.shape != tensor._array.shape:
        raise RuntimeError(f"backward(gradient): gradient has shape {array.shape}, "
                           f"but the tensor has shape {tuple(tensor.shape)}")
    return array


def _check_roots(tensors) -> None:
    for t in tensors:
        if not t.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "create the inputs with requires_grad=True (and not under glassnet.no_grad()).")


def _no_create_graph(create_graph: bool) -> None:
    if create_graph:
        raise RuntimeError("glassnet computes first derivatives only: create_graph=True (gradients of "
                           "gradients, e.g. a gradient penalty) is not supported")


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs=None) -> None:
    """``autograd.backward``: add d(tensors)/d(leaf) · grad_tensors into ``leaf.grad`` for every leaf
    that requires grad (only for ``inputs``, when given)."""
    _no_create_graph(create_graph)
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    grads = list(grad_tensors) if isinstance(grad_tensors, (list, tuple)) else [grad_tensors] * len(tensors)
    _check_roots(tensors)
    root_grads = [_root_gradient(t, g) for t, g in zip(tensors, grads)]
    if inputs is None:
        run_backward(tensors, root_grads, bool(retain_graph))
        return
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    found = run_backward(tensors, root_grads, bool(retain_graph), _capture_keys(inputs))
    for i, t in enumerate(inputs):
        if i in found:
            _store_grad(t, found[i], fresh=False)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """``autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, returned as a tuple
    (nothing is added to ``.grad``)."""
    _no_create_graph(create_graph)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    grads = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs] * len(outputs)
    _check_roots(outputs)
    found = run_backward(outputs, [_root_gradient(t, g) for t, g in zip(outputs, grads)],
                         bool(retain_graph), _capture_keys(inputs))
    from .tensor import Tensor
    result = []
    for i, t in enumerate(inputs):
        if i in found:
            result.append(Tensor._make(np.array(found[i], dtype=t._array.dtype), False, None))
        elif materialize_grads:
            result.append(Tensor._make(np.zeros_like(t._array), False, None))
        elif allow_unused:
            result.append(None)
        else:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been used "
                               f"in the graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)


def _capture_keys(inputs) -> dict:
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    return {id(t._ctx if t._ctx is not None else t): i for i, t in enumerate(inputs)}
