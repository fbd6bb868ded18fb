"""Reverse-mode differentiation over the graph of ``Function`` nodes.

``backward(root)`` visits the tensors that ``root`` was computed from in reverse topological order
(found iteratively, so a 100,000-step graph needs no recursion) and applies the chain rule at every
node: the gradient arriving at a node's output is turned into one gradient per input by that node's
``backward``, and gradients reaching the same tensor along several paths are added up.
Each node's saved arrays are released as soon as its backward has run, unless ``retain_graph``.
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE, no_grad


def topological_order(root) -> list:
    """Tensors that ``root`` depends on (and that require grad), each after all of its inputs."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if id(tensor) in visited:
            continue
        visited.add(id(tensor))
        stack.append((tensor, True))
        node = tensor._ctx
        if node is not None:
            if node.inputs is None:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time: the buffers of "
                    f"{type(node).__name__} were freed by the first backward(). "
                    f"Pass retain_graph=True to the first backward() to keep them.")
            for inp in node.inputs:
                if inp.requires_grad and id(inp) not in visited:
                    stack.append((inp, False))
    return order


def _check_finite(node, grad, input_index):
    if not np.all(np.isfinite(grad)):
        raise FloatingPointError(
            f"detect_anomaly: backward of {type(node).__name__} produced a non-finite gradient "
            f"for its input {input_index} (shape {grad.shape})")


def backward(root, grad=None, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a tensor that does not require grad and has no grad_fn: "
            "create the inputs with requires_grad=True (and not under gn.no_grad()).")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but the tensor has shape "
                f"{root.shape}; pass backward(gradient) with that shape or reduce it first (e.g. .sum()).")
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(grad.data if hasattr(grad, "_ctx") else grad, dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise RuntimeError(f"backward(gradient): gradient has shape {grad.shape}, "
                               f"but the tensor has shape {root.shape}")

    order = topological_order(root)
    grads = {id(root): grad}
    owned = set()  # ids whose gradient array was made here, so adding in place is safe
    anomaly = STATE.anomaly
    with no_grad():
        for tensor in reversed(order):
            g = grads.pop(id(tensor), None)
            if g is None:
                continue
            node = tensor._ctx
            if node is None or tensor._retain_grad:
                _store_grad(tensor, g, fresh=id(tensor) in owned)
            if node is None:
                continue
            input_grads = node.backward(node, g)
            if not isinstance(input_grads, tuple):
                input_grads = (input_grads,)
            for i, (inp, needed, ig) in enumerate(zip(node.inputs, node.needs_input_grad, input_grads)):
                if not needed or ig is None:
                    continue
                if type(ig) is not np.ndarray:  # NumPy turns 0-d results into scalars
                    ig = np.asarray(ig)
                if ig.shape != inp.data.shape:
                    ig = unbroadcast(ig, inp.data.shape)
                if anomaly:
                    _check_finite(node, ig, i)
                key = id(inp)
                previous = grads.get(key)
                if previous is None:
                    grads[key] = ig
                    if ig is not g and ig.base is None:
                        owned.add(key)
                elif key in owned:
                    previous += ig
                else:
                    grads[key] = previous + ig
                    owned.add(key)
            if not retain_graph:
                node.release()


def _store_grad(tensor, g, fresh: bool) -> None:
    if tensor.grad is None:
        tensor.grad = g if fresh else g.copy()
    else:
        tensor.grad += g


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
