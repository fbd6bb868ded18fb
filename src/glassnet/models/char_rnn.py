"""CharRNN: a character-level language model (embedding → LSTM/GRU/RNN → linear to the vocabulary),
trained to predict the next character, and sampled one character at a time at a temperature."""
from __future__ import annotations

import numpy as np

from ..autograd import get_rng, no_grad
from .. import nn

CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def recurrent_class(cell: str):
    """nn.RNN, nn.LSTM or nn.GRU by name."""
    try:
        return CELLS[cell.upper()]
    except KeyError:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}") from None


class CharRNN(nn.Module):
    """logits (B, T, vocab) = W_out · h_t, with h_t the recurrent state after reading x_1..x_t."""

    def __init__(self, vocab_size: int, embedding_dim: int = 32, hidden_size: int = 128,
                 num_layers: int = 1, cell: str = "LSTM", dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = recurrent_class(cell)(embedding_dim, hidden_size, num_layers, batch_first=True,
                                         dropout=dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        """x (B, T) character indices → (logits (B, T, vocab), final recurrent state)."""
        out, state = self.rnn(self.embedding(x), state)
        return self.head(out), state

    def sample(self, start, length: int, temperature: float = 1.0, rng=None) -> np.ndarray:
        """``start`` (a non-empty sequence of indices) followed by ``length`` sampled indices.

        Each next index is drawn from softmax(logits / temperature): low temperatures are nearly
        greedy, high ones nearly uniform.
        """
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        start = np.asarray(start, dtype=np.int64).reshape(1, -1)
        if start.size == 0:
            raise ValueError("sample needs at least one start index")
        rng = get_rng(rng)
        was_training = self.training
        self.eval()
        tokens, state, x = list(start[0]), None, start
        with no_grad():
            for _ in range(length):
                logits, state = self(x, state)
                z = logits.detach().numpy()[0, -1].astype(np.float64) / temperature
                p = np.exp(z - z.max())
                tokens.append(int(rng.choice(len(p), p=p / p.sum())))
                x = np.array([[tokens[-1]]])
        self.train(was_training)
        return np.array(tokens)

    def generate(self, vocab, prompt: str, length: int, temperature: float = 1.0, rng=None) -> str:
        """Text continuing ``prompt``, with ``vocab`` a ``glassnet.data.sequences.CharVocab``."""
        return vocab.decode(self.sample(vocab.encode(prompt), length, temperature, rng))
