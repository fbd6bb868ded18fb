"""TransformerSeq2Seq: an encoder-decoder Transformer for token sequences, with the interface of
``Seq2Seq`` (teacher forcing on ``(src, tgt_in, src_lengths)``, ``greedy_decode``), so the two can be
trained by the same loop and compared.

    source tokens → embedding·√d + positional encoding → nn.Transformer's encoder ─┐ memory
    target prefix → embedding·√d + positional encoding → nn.Transformer's decoder ←┘ (causal mask)
                  → Linear → logits of the next token

Where the RNN carries the source through a recurrent state, the decoder here reads all encoder
outputs at every step through cross-attention; ``cross_attention`` returns those weights.
"""
from __future__ import annotations

import math

import numpy as np

from .. import nn
from ..autograd import as_array, no_grad


class TransformerSeq2Seq(nn.Module):
    """Token-to-token Transformer with ``Seq2Seq``'s special tokens (pad 0, sos 1, eos 2 by default).

    Example::

        model = TransformerSeq2Seq(len(SRC), len(TGT), d_model=32, nhead=4)
        logits = model(src, tgt_in, src_lengths)                 # (B, T, len(TGT)), teacher forcing
        tokens, attention = model.greedy_decode(src, src_lengths, max_len=12)
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, d_model: int = 32, nhead: int = 4,
                 num_encoder_layers: int = 2, num_decoder_layers: int = 2, dim_feedforward: int = 64,
                 dropout: float = 0.1, norm_first: bool = False, max_len: int = 128, pad_index: int = 0,
                 sos_index: int = 1, eos_index: int = 2):
        super().__init__()
        self.pad_index, self.sos_index, self.eos_index = pad_index, sos_index, eos_index
        self.src_embedding = nn.Embedding(src_vocab_size, d_model, padding_idx=pad_index)
        self.tgt_embedding = nn.Embedding(tgt_vocab_size, d_model, padding_idx=pad_index)
        self.position = nn.PositionalEncoding(d_model, dropout, max_len, batch_first=True)
        self.transformer = nn.Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                                          dropout, batch_first=True, norm_first=norm_first)
        self.out = nn.Linear(d_model, tgt_vocab_size)
        self.scale = math.sqrt(d_model)

    def _padding(self, src, src_lengths):
        """True on the padded source positions (or None when every source runs to its end)."""
        if src_lengths is None:
            return None
        return np.arange(src.shape[1])[None, :] >= np.asarray(src_lengths)[:, None]

    def forward(self, src, tgt_in, src_lengths=None):
        """Teacher forcing: ``tgt_in`` (B, T) is <sos> followed by the target shifted right; each target
        position sees the source and the target before it. Returns logits (B, T, tgt_vocab_size)."""
        src, tgt_in = as_array(src), as_array(tgt_in)
        # the masks pass through as_array, which becomes torch.as_tensor in the model's PyTorch twin
        padding = self._padding(src, src_lengths)
        padding = None if padding is None else as_array(padding)
        causal = as_array(nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1]))
        hidden = self.transformer(self.position(self.src_embedding(src) * self.scale),
                                  self.position(self.tgt_embedding(tgt_in) * self.scale),
                                  tgt_mask=causal, src_key_padding_mask=padding, memory_key_padding_mask=padding)
        return self.out(hidden)

    def cross_attention(self, src, tgt_in, src_lengths=None) -> np.ndarray:
        """The last decoder layer's attention weights from each target position to the source positions,
        averaged over heads, (B, T, S): read with a forward hook on its ``multihead_attn``."""
        attention = self.transformer.decoder.layers[-1].multihead_attn
        seen = []
        handle = attention.register_forward_hook(lambda module, args, out: seen.append(args))
        try:
            with no_grad():
                self(src, tgt_in, src_lengths)
                query, key, value = seen[-1]
                return as_array(attention(query, key, value,
                                          key_padding_mask=self._padding(as_array(src), src_lengths))[1])
        finally:
            handle.remove()

    def greedy_decode(self, src, src_lengths=None, max_len: int = 20):
        """Feed back the most likely token at each step (the whole prefix is decoded again each time).
        Returns (tokens (B, ≤ max_len), cross-attention weights (B, steps, S)), as ``Seq2Seq``'s."""
        src = as_array(src)
        prefix = np.full((len(src), 1), self.sos_index)
        done = np.zeros(len(src), dtype=bool)
        with no_grad():
            for _ in range(max_len):
                token = as_array(self(src, prefix, src_lengths))[:, -1].argmax(axis=-1)
                prefix = np.concatenate([prefix, token[:, None]], axis=1)
                done |= token == self.eos_index
                if done.all():
                    break
        return prefix[:, 1:], self.cross_attention(src, prefix[:, :-1], src_lengths)
