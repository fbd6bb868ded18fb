"""Tensor methods that change shapes or pick elements: views, transposes, joins and splits,
gather/scatter, masks. They move values without changing them, so their gradients move back."""
from __future__ import annotations

import builtins

import numpy as np

from .shape_ops import (
    Expand, Flip, Gather, GetItem, Repeat, RepeatInterleave, Reshape, Roll, Scatter, Transpose, Where,
)


def _dims(dims: tuple) -> tuple:
    """Sizes or dims given as ``f(2, 3)`` or ``f((2, 3))``."""
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)


def _index_array(index) -> np.ndarray:
    from .tensor import as_array
    array = as_array(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"index tensors must be integers (int64), got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


class TensorShape:
    __slots__ = ()

    # ----- views -----
    def reshape(self, *shape):
        return Reshape.apply(self, shape=_dims(shape))

    def view(self, *shape):
        """The same elements with another shape (one size may be -1); ``view(dtype)`` is not supported."""
        shape = _dims(shape)
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, np.integer)):
            raise TypeError(f"view() takes sizes, got {shape[0]!r} (reinterpreting a dtype is not supported)")
        return Reshape.apply(self, shape=shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        shape = self.shape
        start, end = start_dim % len(shape), end_dim % len(shape)
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def ravel(self):
        return self.reshape(-1)

    def unflatten(self, dim: int, sizes):
        dim %= self.ndim
        return self.reshape(self.shape[:dim] + tuple(sizes) + self.shape[dim + 1:])

    def unsqueeze(self, dim: int):
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dims = {d % builtins.max(self.ndim, 1) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        if self.ndim == 0:
            return self
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1)))

    def transpose(self, *axes):
        """PyTorch's ``transpose(dim0, dim1)``, or NumPy's ``transpose(axes)`` / reversed axes."""
        if len(axes) == 2 and all(isinstance(a, (builtins.int, np.integer)) for a in axes):
            perm = list(range(self.ndim))
            perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
            axes = tuple(perm)
        elif len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=axes or None)

    swapaxes = swapdims = transpose

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return Transpose.apply(self, axes=None)

    def permute(self, *dims):
        return Transpose.apply(self, axes=_dims(dims))

    def movedim(self, source, destination):
        """Move the dims ``source`` to the positions ``destination`` (ints or sequences of ints)."""
        sources = [int(s) % self.ndim for s in np.atleast_1d(source)]
        targets = [int(d) % self.ndim for d in np.atleast_1d(destination)]
        order = [i for i in range(self.ndim) if i not in sources]
        for target, source_dim in sorted(zip(targets, sources)):
            order.insert(target, source_dim)
        return self.permute(*order)

    @property
    def T(self):  # noqa: N802
        return Transpose.apply(self, axes=None)

    @property
    def mT(self):  # noqa: N802
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        """A view broadcast to ``sizes`` (-1 keeps a size); no copy."""
        sizes = _dims(sizes)
        own = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        target = tuple(o if s == -1 else s for s, o in zip(sizes, own))
        return Expand.apply(self, shape=target)

    def expand_as(self, other):
        return self.expand(other.shape)

    def broadcast_to(self, shape):
        return self.expand(shape)

    def repeat(self, *sizes):
        """Tile the tensor ``sizes[i]`` times along each axis (``np.tile``)."""
        return Repeat.apply(self, reps=_dims(sizes))

    def tile(self, *dims):
        dims = _dims(dims)
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def repeat_interleave(self, repeats, dim=None):
        x = self.reshape(-1) if dim is None else self
        reps = np.asarray(repeats) if not isinstance(repeats, (builtins.int, np.integer)) else int(repeats)
        return RepeatInterleave.apply(x, repeats=reps, dim=0 if dim is None else dim)

    def flip(self, *dims):
        return Flip.apply(self, dims=_dims(dims))

    def fliplr(self):
        return self.flip(1)

    def flipud(self):
        return self.flip(0)

    def roll(self, shifts, dims=None):
        shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else shifts
        dims = tuple(dims) if isinstance(dims, (list, tuple)) else dims
        return Roll.apply(self, shifts=shifts, dims=dims)

    # ----- splitting -----
    def _slice(self, dim: int, start: int, stop: int):
        index = (slice(None),) * (dim % self.ndim) + (slice(start, stop),)
        return GetItem.apply(self, index=index)

    def narrow(self, dim: int, start: int, length: int):
        return self._slice(dim, start, start + length)

    def split(self, split_size_or_sections, dim: int = 0):
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
        total = self.shape[dim]
        if isinstance(split_size_or_sections, (builtins.int, np.integer)):
            sizes = [split_size_or_sections] * (total // split_size_or_sections)
            if total % split_size_or_sections:
                sizes.append(total % split_size_or_sections)
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != total:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {total} "
                                   f"(dimension {dim}), but got split_sizes={sizes}")
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        return tuple(self._slice(dim, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]))

    def chunk(self, chunks: int, dim: int = 0):
        size = -(-self.shape[dim] // chunks)
        return self.split(builtins.max(size, 1), dim)

    def tensor_split(self, sections: int, dim: int = 0):
        bounds = np.linspace(0, self.shape[dim], sections + 1).astype(int)
        return tuple(self._slice(dim, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]))

    def unbind(self, dim: int = 0):
        index = (slice(None),) * (dim % self.ndim)
        return tuple(GetItem.apply(self, index=index + (i,)) for i in range(self.shape[dim]))

    # ----- picking elements -----
    def index_select(self, dim: int, index):
        return GetItem.apply(self, index=(slice(None),) * (dim % self.ndim) + (_index_array(index),))

    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim 0 (and so on for other dims)."""
        index = _index_array(index)
        if index.ndim != self.ndim:
            raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                               f"({index.ndim} vs {self.ndim})")
        return Gather.apply(self, index=index, dim=dim)

    def take_along_dim(self, indices, dim: int):
        return self.gather(dim, indices)

    def _scatter(self, dim, index, src, add: bool):
        from .tensor import Tensor
        index = _index_array(index)
        if not isinstance(src, Tensor):
            src = Tensor._make(np.asarray(src, dtype=self._array.dtype), False, None)
        return Scatter.apply(self, src, index=index, dim=dim, add=add)

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        """A copy with ``out[index[i][j]][j] = src[i][j]`` (dim 0); ``src`` may be a number (``value``)."""
        if reduce is not None and reduce != "add":
            raise RuntimeError(f"scatter: reduce='{reduce}' is not supported (use 'add' or scatter_reduce)")
        return self._scatter(dim, index, value if src is None else src, add=reduce == "add")

    def scatter_add(self, dim: int, index, src):
        """A copy with ``out[index[i][j]][j] += src[i][j]`` (dim 0); repeated indices add up."""
        return self._scatter(dim, index, src, add=True)

    def index_add(self, dim: int, index, source, *, alpha=1):
        index = _index_array(index)
        shape = [1] * self.ndim
        shape[dim % self.ndim] = -1
        full_index = np.broadcast_to(index.reshape(shape), source.shape)
        return self.scatter_add(dim, full_index, source * alpha if alpha != 1 else source)

    def masked_fill(self, mask, value):
        """A copy with ``value`` where ``mask`` is True (the gradient flows where it is False)."""
        from .tensor import Tensor, as_array
        mask = as_array(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}")
        fill = value if isinstance(value, Tensor) else np.asarray(value, dtype=self._array.dtype)
        return Where.apply(fill, self, condition=mask)

    def masked_select(self, mask):
        from .tensor import as_array
        mask = np.broadcast_to(as_array(mask), self.shape)
        return GetItem.apply(self.expand(mask.shape), index=mask)

    def where(self, condition, other):
        """Elementwise ``self if condition else other``."""
        from .tensor import as_array
        a, b = self._pair(other)
        return Where.apply(a, b, condition=as_array(condition))

    def nonzero(self, *, as_tuple: bool = False):
        """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
        from .tensor import Tensor
        found = np.nonzero(self._array)
        if as_tuple:
            return tuple(Tensor._make(i.astype(np.int64), False, None) for i in found)
        return Tensor._make(np.stack(found, axis=1).astype(np.int64), False, None)

    argwhere = nonzero

    def tril(self, diagonal: int = 0):
        return self * np.tril(np.ones(self.shape[-2:], dtype=self._array.dtype), diagonal)

    def triu(self, diagonal: int = 0):
        return self * np.triu(np.ones(self.shape[-2:], dtype=self._array.dtype), diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        moved = self.movedim((dim1, dim2), (-2, -1))
        rows, cols = moved.shape[-2], moved.shape[-1]
        i = np.arange(builtins.max(0, -offset), builtins.min(rows, cols - offset))
        return GetItem.apply(moved, index=(Ellipsis, i, i + offset))

    def diag(self, diagonal: int = 0):
        """A 1-D tensor's values on a diagonal of a square matrix, or a matrix's diagonal as 1-D."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        n = self.shape[0] + abs(diagonal)
        rows = np.arange(self.shape[0]) + builtins.max(0, -diagonal)
        cols = rows + diagonal
        from .tensor import Tensor
        base = Tensor._make(np.zeros((n, n), dtype=self._array.dtype), False, None)
        return base.index_put((rows, cols), self)

    def trace(self):
        return self.diagonal().sum()

    def index_put(self, indices, values):
        """A copy with ``out[indices] = values`` (``indices`` a tuple of index tensors)."""
        from .shape_ops import SetItem
        from .tensor import index_arrays
        return SetItem.apply(self, values, index=index_arrays(tuple(indices)))
