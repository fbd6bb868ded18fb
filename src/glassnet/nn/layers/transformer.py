"""The Transformer (Vaswani et al. 2017; 人工神经网络 deck summary: 感兴趣的同学可以关注Attention和Transformer),
as ``torch.nn``'s layers: the same arguments, defaults, parameter names and numbers.

An encoder layer is self-attention and a two-layer feed-forward network, each wrapped in a residual
connection and a layer norm (after the sum by default, before the sublayer with ``norm_first``):

    x ← LN(x + SelfAttn(x))            x ← x + SelfAttn(LN(x))            (norm_first)
    x ← LN(x + W₂ act(W₁ x + b₁) + b₂)  x ← x + FF(LN(x))

A decoder layer adds, between the two, attention from its tokens (queries) to the encoder's output
(``memory``: keys and values). Attention alone ignores order; ``PositionalEncoding`` adds it:

    PE(pos, 2i) = sin(pos / 10000^(2i/d)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
"""
from __future__ import annotations

import copy
import math

import numpy as np

from ...autograd import Tensor, as_array, as_tensor
from .. import functional as F
from .. import init
from ..containers import ModuleList
from ..module import LayerInputError, Module
from .attention import MultiheadAttention
from .linear import Dropout, Linear, as_float_input
from .normalization import LayerNorm

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(activation):
    """'relu', 'gelu' or a callable (PyTorch's choices) as a function."""
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise RuntimeError(f"activation should be relu/gelu, not {activation}")
        return ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


def activation_name(layer) -> str:
    """'relu' or 'gelu' for a layer whose activation is one of them (the name a twin is built with)."""
    function = layer.activation
    name = getattr(function, "__name__", type(function).__name__).lower()
    return name if name in ACTIVATIONS else ""


class _Sublayers(Module):
    """What the encoder and decoder layers share: the feed-forward block, its activation, the dropouts."""

    def _feed_forward_parts(self, d_model, dim_feedforward, dropout, activation, bias, dtype):
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.activation = _activation(activation)

    def _ff_block(self, x, dropout):
        """W₂ act(W₁ x + b₁) + b₂, with ``self.dropout`` after the activation and ``dropout`` after W₂."""
        return dropout(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _attention_block(self, attention, dropout, x, memory, mask, padding, is_causal):
        return dropout(attention(x, memory, memory, attn_mask=mask, key_padding_mask=padding,
                                 need_weights=False, is_causal=is_causal)[0])

    def _check(self, x, name: str, d_model: int):
        x = as_float_input(self, x, self.linear1.weight.dtype)
        if x.ndim not in (2, 3) or x.shape[-1] != d_model:
            layout = "(N, L, E)" if self.self_attn.batch_first else "(L, N, E)"
            raise LayerInputError(self, f"expects {name} of shape {layout} or (L, E) with E = d_model = {d_model}, "
                                        f"got {tuple(x.shape)}")
        return x


class TransformerEncoderLayer(_Sublayers):
    """Self-attention and feed-forward, each with a residual connection and a layer norm (see the module
    docstring); children ``self_attn``, ``linear1``, ``dropout``, ``linear2``, ``norm1``, ``norm2``,
    ``dropout1``, ``dropout2`` as PyTorch's.

    Example::

        layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
        y = layer(x)                                    # x (N, L, 32) → y (N, L, 32)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=np.float32):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self._feed_forward_parts(d_model, dim_feedforward, dropout, activation, bias, dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        """``src`` (L, N, E), or (N, L, E) with ``batch_first``, or (L, E); ``src_mask`` (L, L) or
        (N·nhead, L, L) and ``src_key_padding_mask`` (N, L) as MultiheadAttention's (True = masked);
        ``is_causal`` without a mask: each position sees itself and the positions before it."""
        x = self._check(src, "src", self.self_attn.embed_dim)
        attend = self._attention_block
        if self.norm_first:
            h = self.norm1(x)
            x = x + attend(self.self_attn, self.dropout1, h, h, src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + attend(self.self_attn, self.dropout1, x, x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))


class TransformerDecoderLayer(_Sublayers):
    """Self-attention over the target, attention to the encoder's output (``multihead_attn``), and
    feed-forward, each with a residual connection and a layer norm (``norm1``-``norm3``,
    ``dropout1``-``dropout3``), as PyTorch's.

    Example::

        layer = nn.TransformerDecoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        y = layer(tgt, memory, tgt_mask=mask)           # tgt (N, T, 32), memory (N, S, 32) → (N, T, 32)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=np.float32):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self._feed_forward_parts(d_model, dim_feedforward, dropout, activation, bias, dtype)
        self.norm_first = norm_first
        self.norm1, self.norm2, self.norm3 = (LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
                                              for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False, memory_is_causal: bool = False):
        """``tgt`` (T, N, E) and ``memory`` (S, N, E) (batch first with ``batch_first``); masks as
        MultiheadAttention's: ``tgt_mask`` (T, T), ``memory_mask`` (T, S), padding masks (N, T), (N, S)."""
        x = self._check(tgt, "tgt", self.self_attn.embed_dim)
        memory = self._check(memory, "memory", self.self_attn.embed_dim)
        attend = self._attention_block
        if self.norm_first:
            h = self.norm1(x)
            x = x + attend(self.self_attn, self.dropout1, h, h, tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + attend(self.multihead_attn, self.dropout2, self.norm2(x), memory, memory_mask,
                           memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + attend(self.self_attn, self.dropout1, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + attend(self.multihead_attn, self.dropout2, x, memory, memory_mask,
                                  memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x, self.dropout3))


def _clones(layer: Module, num_layers: int) -> ModuleList:
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    return ModuleList(copy.deepcopy(layer) for _ in range(num_layers))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (children ``layers.0``, ``layers.1``, ...) applied in
    turn, then ``norm`` if given. ``enable_nested_tensor`` and ``mask_check`` are PyTorch's speed
    options for padded batches; glassnet accepts them and always computes every position.

    Example::

        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), num_layers=2)
        memory = encoder(src, src_key_padding_mask=padding)
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool | None = None):
        """``src`` through every layer with the same ``mask`` (PyTorch's name for src_mask) and padding mask."""
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` applied in turn, each reading ``memory``; then ``norm``.

    Example::

        decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(32, 4, 64), num_layers=2)
        out = decoder(tgt, memory, tgt_mask=nn.Transformer.generate_square_subsequent_mask(len(tgt)))
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        """``tgt`` through every layer, each attending to the same ``memory`` with the same masks."""
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The encoder-decoder Transformer: ``encoder`` (a TransformerEncoder with a final LayerNorm) reads the
    source, ``decoder`` (a TransformerDecoder with a final LayerNorm) writes the target while attending to
    the encoder's output. Matrices (parameters with 2 or more dims) start Xavier-uniform, as PyTorch's.

    Example::

        model = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
                               dim_feedforward=64, batch_first=True)
        mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
        out = model(src, tgt, tgt_mask=mask)            # (N, S, 32), (N, T, 32) → (N, T, 32)
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False, norm_first: bool = False,
                 bias: bool = True, device=None, dtype=np.float32):
        super().__init__()
        options = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                       layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                       dtype=dtype)
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(d_model, nhead, **options), num_encoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(d_model, nhead, **options), num_decoder_layers,
            LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False):
        """src (S, N, E) and tgt (T, N, E) (batch first with ``batch_first``; or unbatched (S, E), (T, E))
        → (T, N, E); the masks go to the encoder's and decoder's attention layers as in PyTorch."""
        batch_axis = 0 if self.batch_first else 1
        src_shape, tgt_shape = as_array(src).shape, as_array(tgt).shape
        if len(src_shape) == 3 and len(tgt_shape) == 3 and src_shape[batch_axis] != tgt_shape[batch_axis]:
            raise LayerInputError(self, f"expects src and tgt with the same batch size, got {src_shape} and {tgt_shape}")
        if src_shape[-1:] != (self.d_model,) or tgt_shape[-1:] != (self.d_model,):
            raise LayerInputError(self, f"expects src and tgt with d_model = {self.d_model} features, got "
                                        f"{src_shape} and {tgt_shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=np.float32) -> np.ndarray:
        """The causal mask (sz, sz): 0 where position j ≤ i may be seen, −inf above the diagonal."""
        return np.triu(np.full((sz, sz), -np.inf, dtype=dtype), k=1)


class PositionalEncoding(Module):
    """x + PE[:L] then dropout, with the sinusoids PE(pos, 2i) = sin(pos·ω_i), PE(pos, 2i+1) = cos(pos·ω_i),
    ω_i = 10000^(−2i/d_model): each position gets a unique pattern, and PE(pos + k) is a rotation of
    PE(pos), so attention can read relative offsets. Buffer ``pe`` (max_len, d_model).
    Input (L, N, d_model), or (N, L, d_model) with ``batch_first``.

    Example::

        encode = nn.PositionalEncoding(32, dropout=0.0, batch_first=True)
        x = encode(embedding(tokens) * math.sqrt(32))
    """

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000, batch_first: bool = False,
                 dtype=np.float32):
        super().__init__()
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first
        position = np.arange(max_len)[:, None]
        frequency = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = np.zeros((max_len, d_model))
        pe[:, 0::2] = np.sin(position * frequency)
        pe[:, 1::2] = np.cos(position * frequency[: d_model // 2])
        self.register_buffer("pe", pe.astype(dtype))
        self.dropout = Dropout(dropout)

    def forward(self, x):
        """x + PE[:L], then dropout (L = the sequence length of ``x``)."""
        table = as_array(self.pe)
        x = as_float_input(self, x, table.dtype)
        axis = 1 if self.batch_first else 0
        if x.ndim != 3 or x.shape[-1] != self.d_model or x.shape[axis] > self.max_len:
            layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
            raise LayerInputError(self, f"expects {layout} with E = {self.d_model} and L ≤ max_len = "
                                        f"{self.max_len}, got {tuple(x.shape)}")
        length = x.shape[axis]
        return self.dropout(x + as_tensor(table[None, :length] if self.batch_first else table[:length, None]))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"
