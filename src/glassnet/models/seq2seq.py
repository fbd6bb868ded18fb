"""Seq2Seq: an encoder-decoder with attention, trained with teacher forcing, decoded greedily or by
beam search.

- Encoder: embedding → bidirectional GRU/LSTM over the source (padded batches via ``src_lengths``);
  its final states, joined and passed through a tanh layer (the "bridge"), start the decoder.
- Decoder: embedding → GRU/LSTM over the target prefix. With teacher forcing it reads the true
  previous tokens, so the whole target runs through the fused kernel at once.
- Attention (Luong placement, Bahdanau's additive score): each decoder state s_t scores every
  encoder output e_j with vᵀ tanh(W_s s_t + W_e e_j); the softmax weights α_tj give the context
  c_t = Σ_j α_tj e_j, and the output is  logits_t = W_out tanh(W_c [s_t; c_t]).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, as_tensor, cat, no_grad
from .. import nn
from ..nn import functional as F
from .char_rnn import recurrent_class


class Seq2Seq(nn.Module):
    """Encoder-decoder with additive attention (``attention=False``: the plain encoder-decoder)."""

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embedding_dim: int = 32,
                 hidden_size: int = 64, cell: str = "GRU", attention: bool = True,
                 pad_index: int = 0, sos_index: int = 1, eos_index: int = 2):
        super().__init__()
        rnn = recurrent_class(cell)
        self.is_lstm = rnn is nn.LSTM
        self.pad_index, self.sos_index, self.eos_index = pad_index, sos_index, eos_index
        self.src_embedding = nn.Embedding(src_vocab_size, embedding_dim, padding_idx=pad_index)
        self.tgt_embedding = nn.Embedding(tgt_vocab_size, embedding_dim, padding_idx=pad_index)
        self.encoder = rnn(embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * hidden_size, hidden_size)
        self.decoder = rnn(embedding_dim, hidden_size, batch_first=True)
        self.attention = nn.AdditiveAttention(hidden_size, 2 * hidden_size, hidden_size) if attention else None
        self.combine = nn.Linear(hidden_size + (2 * hidden_size if attention else 0), hidden_size)
        self.out = nn.Linear(hidden_size, tgt_vocab_size)

    def encode(self, src, src_lengths=None):
        """(encoder outputs (B, S, 2H), padding mask (B, S) True on padding or None without
        ``src_lengths``, decoder start state)."""
        src = as_array(src)
        embedded = self.src_embedding(src)
        if src_lengths is None:  # every source runs to its end: the call PyTorch's layers and ONNX share
            (outputs, state), mask = self.encoder(embedded), None
        else:
            lengths = np.asarray(src_lengths)
            outputs, state = self.encoder(embedded, lengths=lengths)
            mask = np.arange(src.shape[1])[None, :] >= lengths[:, None]
        states = state if self.is_lstm else (state,)
        # final states (2, B, H) of the two directions → (1, B, H) via tanh(W [h_fwd; h_bwd] + b)
        start = tuple(self.bridge(cat([s[0], s[1]], dim=-1)).tanh().unsqueeze(0) for s in states)
        return outputs, mask, (start if self.is_lstm else start[0])

    def decode(self, tokens, state, encoded, mask):
        """tokens (B, L) → (logits (B, L, vocab), new state, attention weights (B, L, S) or None)."""
        out, state = self.decoder(self.tgt_embedding(tokens), state)
        weights = None
        if self.attention is not None:
            context, weights = self.attention(out, encoded, key_padding_mask=mask)
            out = cat([out, context], dim=-1)
        return self.out(self.combine(out).tanh()), state, weights

    def forward(self, src, tgt_in, src_lengths=None):
        """Teacher forcing: ``tgt_in`` (B, L) is <sos> followed by the target shifted right.
        Returns (logits (B, L, vocab), attention weights (B, L, S) or None)."""
        encoded, mask, state = self.encode(src, src_lengths)
        logits, _, weights = self.decode(as_array(tgt_in), state, encoded, mask)
        return logits, weights

    def greedy_decode(self, src, src_lengths=None, max_len: int = 20):
        """Feed back the most likely token at each step. Returns (tokens (B, ≤ max_len) ending in
        <eos> where one was produced, attention weights (B, steps, S) or None)."""
        with no_grad():
            encoded, mask, state = self.encode(src, src_lengths)
            batch = encoded.shape[0]
            token = np.full((batch, 1), self.sos_index)
            tokens, maps = [], []
            done = np.zeros(batch, dtype=bool)
            for _ in range(max_len):
                logits, state, weights = self.decode(token, state, encoded, mask)
                token = logits.detach().numpy()[:, -1].argmax(-1)[:, None]
                tokens.append(token[:, 0])
                if weights is not None:
                    maps.append(weights.detach().numpy()[:, -1])
                done |= token[:, 0] == self.eos_index
                if done.all():
                    break
        return np.stack(tokens, axis=1), (np.stack(maps, axis=1) if maps else None)

    def beam_search(self, src, src_lengths=None, beam_size: int = 5, max_len: int = 20) -> list[list[int]]:
        """Keep the ``beam_size`` most probable prefixes (sum of log-probabilities) at every step;
        return, per source row, the best finished hypothesis (tokens without <sos>, with <eos>)."""
        src = as_array(src)
        lengths = np.full(len(src), src.shape[1]) if src_lengths is None else np.asarray(src_lengths)
        with no_grad():
            return [self._beam_one(src[b:b + 1, :lengths[b]], beam_size, max_len) for b in range(len(src))]

    def _beam_one(self, src, beam_size: int, max_len: int) -> list[int]:
        encoded, _, state = self.encode(src)  # one unpadded source: no mask
        sequences, scores = [[]], np.zeros(1)
        finished = []
        for _ in range(max_len):
            alive = len(sequences)
            last = np.array([[s[-1] if s else self.sos_index] for s in sequences])
            enc = as_tensor(np.repeat(encoded.detach().numpy(), alive, axis=0))
            logits, state, _ = self.decode(last, state, enc, None)
            log_p = F.log_softmax(logits[:, -1], dim=-1).detach().numpy()
            total = (scores[:, None] + log_p).ravel()
            best = np.argsort(-total)[:beam_size]
            parents, words = np.divmod(best, log_p.shape[1])
            sequences = [sequences[p] + [int(w)] for p, w in zip(parents, words)]
            scores = total[best]
            ended = words == self.eos_index
            finished += [(scores[k], sequences[k]) for k in np.flatnonzero(ended)]
            if len(finished) >= beam_size or ended.all():
                break
            keep = np.flatnonzero(~ended)
            sequences, scores = [sequences[k] for k in keep], scores[keep]
            pick = parents[keep]
            state = tuple(as_tensor(s.detach().numpy()[:, pick]) for s in state) if self.is_lstm else as_tensor(state.detach().numpy()[:, pick])
        candidates = finished or list(zip(scores, sequences))
        return max(candidates, key=lambda c: c[0])[1]
