"""Functions that make new tensors, with PyTorch's names and arguments.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``; ``dtype`` defaults to the default float dtype
(float32) for filled and random tensors and to int64 for integer ones; ``device`` may only be the CPU;
random draws come from ``generator`` (a ``gn.Generator``) or the global generator (``gn.manual_seed``).
"""
from __future__ import annotations

import numpy as np

from .device import check_device
from .dtypes import get_default_dtype, numpy_dtype
from .random import get_rng
from .tensor import Tensor, array_from, as_array, as_tensor


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(int(n) for n in size[0])
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, requires_grad: bool, device) -> Tensor:
    check_device(device)
    return Tensor._make(array, False, None).requires_grad_(requires_grad) if requires_grad else \
        Tensor._make(array, False, None)


def _float(dtype) -> np.dtype:
    return numpy_dtype(dtype if dtype is not None else get_default_dtype())


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a list, number, ndarray or Tensor).

    Python floats become float32 (the default dtype), ints int64, bools bool; NumPy data keeps its
    dtype. ``gn.tensor([[1., 2.], [3., 4.]], requires_grad=True)``.
    """
    return _new(np.array(array_from(data, dtype), copy=True), requires_grad, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype (changing one changes the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return as_tensor(array)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_size(size), dtype=_float(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_size(size), dtype=_float(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size (glassnet fills it with zeros)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value as ``tensor`` does)."""
    dtype = numpy_dtype(dtype) if dtype is not None else array_from(fill_value).dtype
    return _new(np.full(_size((size,)), fill_value, dtype=dtype), requires_grad, device)


def _like(like, dtype) -> tuple:
    array = as_array(like)
    return array.shape, numpy_dtype(dtype) if dtype is not None else array.dtype


def zeros_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    shape, dtype = _like(input, dtype)
    return _new(np.zeros(shape, dtype=dtype), requires_grad, device)


def ones_like(input, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    shape, dtype = _like(input, dtype)
    return _new(np.ones(shape, dtype=dtype), requires_grad, device)


empty_like = zeros_like


def full_like(input, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    shape, dtype = _like(input, dtype)
    return _new(np.full(shape, fill_value, dtype=dtype), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``: int64 for whole numbers,
    the default float dtype if any bound is a float."""
    if end is None:
        start, end = 0, start
    bounds = [as_array(v).item() if hasattr(v, "_array") else v for v in (start, end, step)]
    if dtype is None:
        floating = any(isinstance(v, float) or isinstance(v, np.floating) for v in bounds)
        dtype = get_default_dtype() if floating else np.int64
    return _new(np.arange(*bounds, dtype=np.float64 if numpy_dtype(dtype).kind == "f" else None)
                .astype(numpy_dtype(dtype)), requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    return _new(np.linspace(float(start), float(end), int(steps)).astype(_float(dtype)), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    values = np.logspace(float(start), float(end), int(steps), base=base)
    return _new(values.astype(_float(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, m, dtype=_float(dtype)), requires_grad, device)


# ----- random -----
def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Uniform samples from [0, 1)."""
    draws = get_rng(generator if generator is not None else rng).random(_size(size))
    return _new(draws.astype(_float(dtype)), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, rng=None) -> Tensor:
    """Standard normal samples N(0, 1)."""
    draws = get_rng(generator if generator is not None else rng).standard_normal(_size(size))
    return _new(draws.astype(_float(dtype)), requires_grad, device)


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers from [low, high), int64."""
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    draws = get_rng(generator).integers(int(low), int(high), _size((size,)))
    return _new(draws.astype(numpy_dtype(dtype) if dtype is not None else np.int64), requires_grad, device)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    return _new(get_rng(generator).permutation(int(n)).astype(numpy_dtype(dtype) if dtype else np.int64),
                requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Samples N(mean, std²): ``mean``/``std`` numbers with a ``size``, or tensors (broadcast together)."""
    mean_array, std_array = as_array(mean), as_array(std)
    shape = _size((size,)) if size is not None else np.broadcast_shapes(mean_array.shape, std_array.shape)
    if np.any(std_array < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    like = mean_array if mean_array.dtype.kind == "f" else std_array
    dtype = numpy_dtype(dtype) if dtype is not None else (like.dtype if like.dtype.kind == "f" else _float(None))
    draws = get_rng(generator).normal(mean_array, std_array, shape)
    return _new(draws.astype(dtype), requires_grad, device)


def rand_like(input, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:  # noqa: A002
    shape, dtype = _like(input, dtype)
    return _new(get_rng(generator).random(shape).astype(dtype), requires_grad, device)


def randn_like(input, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:  # noqa: A002
    shape, dtype = _like(input, dtype)
    return _new(get_rng(generator).standard_normal(shape).astype(dtype), requires_grad, device)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, generator=None) -> Tensor:  # noqa: A002
    if high is None:
        low, high = 0, low
    shape, dtype = _like(input, dtype)
    return _new(get_rng(generator).integers(int(low), int(high), shape).astype(dtype), False, device)


def bernoulli(input, p=None, *, generator=None) -> Tensor:  # noqa: A002
    """1 with probability ``input`` (or ``p``) per element, else 0, in ``input``'s dtype."""
    probabilities = as_array(input) if p is None else np.full(as_array(input).shape, p)
    if np.any((probabilities < 0) | (probabilities > 1)):
        raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
    draws = get_rng(generator).random(probabilities.shape) < probabilities
    return _new(draws.astype(as_array(input).dtype), False, None)


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:  # noqa: A002
    """Indices drawn from the categories weighted by each row of ``input`` (non-negative weights,
    not necessarily summing to one); without ``replacement`` each index is drawn at most once."""
    weights = np.asarray(as_array(input), dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {weights.ndim}")
    rows = np.atleast_2d(weights)
    if np.any(rows < 0) or not np.all(np.isfinite(rows)) or np.any(rows.sum(axis=1) <= 0):
        raise RuntimeError("multinomial: the weights must be finite, non-negative and not all zero in a row")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise RuntimeError(f"cannot sample n_sample = {num_samples} > prob_dist categories with non-zero "
                           f"weight without replacement")
    rng = get_rng(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        u = rng.random((rows.shape[0], num_samples)) * cdf[:, -1:]
        picks = np.stack([np.searchsorted(c, row_u, side="right") for c, row_u in zip(cdf, u)])
    else:  # Gumbel top-k: the k largest of log w + Gumbel noise are a draw without replacement
        with np.errstate(divide="ignore"):
            keys = np.log(rows) + rng.gumbel(size=rows.shape)
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    picks = np.minimum(picks, rows.shape[1] - 1).astype(np.int64)
    return _new(picks if weights.ndim == 2 else picks[0], False, None)


def poisson(input, generator=None) -> Tensor:  # noqa: A002
    rates = as_array(input)
    return _new(get_rng(generator).poisson(rates).astype(rates.dtype), False, None)
