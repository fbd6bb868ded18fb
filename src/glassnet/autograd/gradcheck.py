"""Finite-difference check of analytic gradients (run in float64)."""
from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad
from .tensor import as_array, as_tensor


class GradcheckError(AssertionError):
    pass


def numerical_grad(fn, arrays: list, index: int, eps: float) -> np.ndarray:
    """Central differences ∂f/∂x ≈ (f(x+ε) − f(x−ε)) / 2ε of Σ f(...) for input ``index``, element by element."""
    x = arrays[index]
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        original = flat[k]
        flat[k] = original + eps
        plus = _scalar(fn, arrays)
        flat[k] = original - eps
        minus = _scalar(fn, arrays)
        flat[k] = original
        gflat[k] = (plus - minus) / (2 * eps)
    return grad


def _scalar(fn, arrays) -> float:
    out = fn(*[as_tensor(a) for a in arrays])
    return float(np.sum(out._array))


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4,
              raise_exception: bool = True) -> bool:
    """Compare the autograd gradient of ``sum(fn(*inputs))`` with central differences.

    ``inputs`` are arrays or Tensors; they are copied to float64 (integer arrays are passed as
    constants). On a mismatch the report names the input, the worst element, and both values.
    """
    arrays = [as_array(x) for x in inputs]
    arrays = [a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a for a in arrays]
    with enable_grad():
        tensors = [as_tensor(a.copy()).requires_grad_(a.dtype.kind == "f") for a in arrays]
        out = fn(*tensors)
        out.sum().backward()
    for i, (t, a) in enumerate(zip(tensors, arrays)):
        if not t.requires_grad:
            continue
        expected = numerical_grad(fn, arrays, i, eps)
        analytic = np.zeros_like(a) if t.grad is None else t.grad._array
        error = np.abs(analytic - expected) - (atol + rtol * np.abs(expected))
        if error.size and error.max() > 0:
            worst = np.unravel_index(np.argmax(error), error.shape)
            message = (f"gradcheck failed for input {i} (shape {a.shape}): at index {worst} "
                       f"analytic {analytic[worst]:.8g} vs numerical {expected[worst]:.8g} "
                       f"(max abs difference {np.abs(analytic - expected).max():.3g})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
