"""Embedding: a learned dense vector for each of ``num_embeddings`` symbols (the lectures' word
vectors, instead of one-hot columns)."""
from __future__ import annotations

import numpy as np

from ...autograd import as_array
from .. import functional as F
from .. import init
from ..module import LayerInputError, Module, Parameter


class Embedding(Module):
    """Lookup table ``weight`` (num_embeddings, embedding_dim), initialized N(0, 1) as PyTorch's.

    ``padding_idx``: that row starts at 0 and receives no gradient. ``max_norm``: rows looked up are
    rescaled in place to norm ≤ max_norm (``norm_type``-norm) before use.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, _weight=None,
                 _freeze: bool = False, dtype=np.float32, rng=None):
        super().__init__()
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise ValueError(f"Embedding needs positive sizes, got num_embeddings={num_embeddings}, "
                             f"embedding_dim={embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"padding_idx must be within [-{num_embeddings}, {num_embeddings}), "
                                 f"got {padding_idx}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
            init.normal_(self.weight, 0.0, 1.0, rng)
            if padding_idx is not None:
                self.weight.data[padding_idx] = 0
        else:
            self.weight = Parameter(np.array(as_array(_weight)), requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0) -> "Embedding":
        """An Embedding whose table is a copy of ``embeddings`` (2-D); frozen (no gradient) by default."""
        table = as_array(embeddings)
        if table.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained expects a 2-D table, got shape {table.shape}")
        return cls(table.shape[0], table.shape[1], padding_idx, max_norm, norm_type,
                   _weight=table, _freeze=freeze)

    def forward(self, input):
        indices = as_array(input)
        if not np.issubdtype(indices.dtype, np.integer):
            raise LayerInputError(self, f"expects integer indices, got dtype {indices.dtype}")
        if indices.size and (indices.min() < 0 or indices.max() >= self.num_embeddings):
            bad = indices.max() if indices.max() >= self.num_embeddings else indices.min()
            raise LayerInputError(self, f"expects indices in [0, {self.num_embeddings}), got {bad} "
                                        f"(input of shape {indices.shape})")
        return F.embedding(indices, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        return text
