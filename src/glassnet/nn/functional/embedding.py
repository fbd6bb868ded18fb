"""Dense word vectors: the embedding lookup (a one-hot row times a matrix, done as indexing) and
cosine similarity, the lectures' measure of how close two word vectors are."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd import Tensor, as_array, as_tensor


class EmbeddingFunction(Function):
    """y = W[idx]  (= onehot(idx) · W);  ∂L/∂W[k] = Σ over the places where idx = k of g,
    except the ``padding_idx`` row, which gets no gradient."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None):
        ctx.shape, ctx.indices, ctx.padding_idx = weight.shape, indices, padding_idx
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(grad, ctx.indices.reshape(-1), g.reshape(-1, ctx.shape[1]))
        if ctx.padding_idx is not None:
            grad[ctx.padding_idx] = 0
        return grad


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input`` (any shape), as
    ``torch.nn.functional.embedding``. With ``max_norm`` the picked rows whose norm exceeds it are
    rescaled in place first (no gradient flows through the rescaling, as in PyTorch)."""
    indices = as_array(input)
    if not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"embedding expects integer indices, got dtype {indices.dtype}")
    if max_norm is not None:
        table = weight._array
        rows = np.unique(indices)
        norms = np.linalg.norm(table[rows], ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        table[rows] *= scale[:, None].astype(table.dtype)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return EmbeddingFunction.apply(weight, indices=indices, padding_idx=padding_idx)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """cos θ = x₁·x₂ / (max(‖x₁‖, ε) · max(‖x₂‖, ε)) along ``dim`` (broadcasting, as PyTorch's)."""
    x1 = as_tensor(x1)
    x2 = as_tensor(x2)
    norm1 = (x1 * x1).sum(dim=dim).sqrt().clip(min=eps)
    norm2 = (x2 * x2).sum(dim=dim).sqrt().clip(min=eps)
    return (x1 * x2).sum(dim=dim) / (norm1 * norm2)
