"""Graph operations on an edge list, as PyTorch Geometric batches graphs.

A batch of graphs is one big graph: node features x (N, F) of all graphs stacked, an edge list
``edge_index`` (2, E) whose column e = (j, i) is an edge from node j (its source) to node i (its target),
and a ``batch`` vector (N,) saying which graph each node belongs to. Message passing needs three ops,
each one ``Function``:

    index_select   y_e = x[index_e]                     (a gather: one row per edge)
    scatter 'sum'  out_k = Σ_{e: index_e = k} src_e     (collect the rows of each target / graph)
    scatter 'max'  out_k = max_{e: index_e = k} src_e   (0 where nothing arrives, as PyG)

'mean' is the sum divided by the count. The pools (``global_add_pool``, ...) are scatters over the
``batch`` vector: one row per graph.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_array

REDUCTIONS = ("sum", "add", "mean", "max")


class IndexSelect(Function):
    """y = x[index] along axis 0;  ∂L/∂x_k = Σ_{e: index_e = k} g_e  (the gather's adjoint is a scatter-add)"""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(grad, ctx.index, g)
        return grad


class ScatterAdd(Function):
    """out_k = Σ_{e: index_e = k} src_e  (out has dim_size rows);  ∂L/∂src_e = g_{index_e}"""

    @staticmethod
    def forward(ctx, src, index, dim_size):
        ctx.index = index
        out = np.zeros((dim_size,) + src.shape[1:], dtype=src.dtype)
        np.add.at(out, index, src)
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index]


class ScatterMax(Function):
    """out_k = max_{e: index_e = k} src_e, 0 for a k that no e reaches;
    ∂L/∂src_e = g_{index_e} · [src_e = out_{index_e}] / (number of e' with index_e' = index_e that tie
    at the maximum) — ties share the gradient equally, as in PyTorch's scatter_reduce('amax')."""

    @staticmethod
    def forward(ctx, src, index, dim_size):
        out = np.full((dim_size,) + src.shape[1:], -np.inf, dtype=src.dtype)
        np.maximum.at(out, index, src)
        out[np.isneginf(out)] = 0
        ctx.index, ctx.is_max = index, src == out[index]
        ties = np.zeros(out.shape, dtype=src.dtype)
        np.add.at(ties, index, ctx.is_max.astype(src.dtype))
        ctx.ties = ties
        return out

    @staticmethod
    def backward(ctx, g):
        share = g / np.maximum(ctx.ties, 1)
        return share[ctx.index] * ctx.is_max


def as_index(index, length: int | None, bound: int | None, what: str) -> np.ndarray:
    """``index`` as a 1-D int64 array of ``length`` entries in [0, bound), or a clear error naming ``what``."""
    index = as_array(index)
    if index.ndim != 1 or not np.issubdtype(index.dtype, np.integer):
        raise ValueError(f"{what} must be a 1-D integer array, got shape {index.shape} and dtype {index.dtype}")
    if length is not None and len(index) != length:
        raise ValueError(f"{what} has {len(index)} entries but the input has {length} rows")
    if len(index) and (index.min() < 0 or (bound is not None and index.max() >= bound)):
        raise ValueError(f"{what} holds values outside [0, {bound}): min {index.min()}, max {index.max()}")
    return index.astype(np.int64, copy=False)


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(as_array(x))


def index_select(input, dim: int, index) -> Tensor:
    """The rows of ``input`` picked by the integer ``index`` (``torch.index_select``; ``dim`` must be 0)."""
    if dim != 0:
        raise ValueError(f"index_select gathers rows: dim must be 0, got {dim}")
    input = _tensor(input)
    return IndexSelect.apply(input, index=as_index(index, None, input.shape[0], "index_select's index"))


def scatter(src, index, dim: int = 0, dim_size: int | None = None, reduce: str = "sum") -> Tensor:
    """Reduce the rows of ``src`` (E, ...) that share an ``index`` value into row index_e of the output
    (dim_size, ...), as ``torch_geometric.utils.scatter``: reduce 'sum' (= 'add'), 'mean' or 'max';
    rows that nothing reaches are 0. ``dim_size`` defaults to max(index) + 1."""
    if dim != 0:
        raise ValueError(f"scatter reduces rows: dim must be 0, got {dim}")
    if reduce not in REDUCTIONS:
        raise ValueError(f"unknown reduce {reduce!r}; choose one of {', '.join(REDUCTIONS)}")
    src = _tensor(src)
    index = as_index(index, src.shape[0], dim_size, "scatter's index")
    if dim_size is None:
        dim_size = int(index.max()) + 1 if len(index) else 0
    if reduce == "max":
        return ScatterMax.apply(src, index=index, dim_size=dim_size)
    total = ScatterAdd.apply(src, index=index, dim_size=dim_size)
    if reduce != "mean":
        return total
    count = np.bincount(index, minlength=dim_size).astype(src.dtype)
    return total / np.maximum(count, 1).reshape((dim_size,) + (1,) * (src.ndim - 1))


def _pool(x, batch, size, reduce: str) -> Tensor:
    x = _tensor(x)
    if batch is None:  # one graph: every node is in graph 0
        batch = np.zeros(x.shape[0], dtype=np.int64)
    return scatter(x, batch, dim_size=size, reduce=reduce)


def global_add_pool(x, batch=None, size: int | None = None) -> Tensor:
    """Per-graph sum of node features: (N, F) → (B, F), B = size or max(batch) + 1 (PyG's name)."""
    return _pool(x, batch, size, "sum")


def global_mean_pool(x, batch=None, size: int | None = None) -> Tensor:
    """Per-graph mean of node features: (N, F) → (B, F) (PyG's name)."""
    return _pool(x, batch, size, "mean")


def global_max_pool(x, batch=None, size: int | None = None) -> Tensor:
    """Per-graph maximum of node features: (N, F) → (B, F) (PyG's name)."""
    return _pool(x, batch, size, "max")
