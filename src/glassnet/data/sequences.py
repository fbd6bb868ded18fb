"""Sequence tasks, generated on the fly: the ones that show why recurrent networks need gates and
attention.

- ``adding_problem``: add the two marked numbers of a long sequence (Hochreiter & Schmidhuber 1997);
  the first mark can lie ``length`` steps before the answer is read, the lectures' "short-term memory".
- ``copy_task``: remember a few symbols across a delay of blanks, then write them back.
- ``date_pairs``: date-format translation ("23 Nov 2026" -> "2026-11-23"), for seq2seq + attention.
- ``load_text`` / ``char_batches``: a bundled public-domain text for character language models.

``CharVocab`` turns strings into padded index arrays and back. Every generator takes ``rng`` (a
NumPy Generator, a seed, or None for glassnet's global generator).
"""
from __future__ import annotations

import datetime
from importlib import resources

import numpy as np

from ..autograd import get_rng

PAD, SOS, EOS = "<pad>", "<sos>", "<eos>"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _rng(rng) -> np.random.Generator:
    return np.random.default_rng(rng) if isinstance(rng, (int, np.integer)) else get_rng(rng)


def adding_problem(n_samples: int, length: int, rng=None, dtype=np.float32):
    """x (n, length, 2): channel 0 random numbers in [0, 1), channel 1 marks two of them (one in each
    half); y (n, 1): the sum of the two marked numbers. Predicting the mean (1.0) scores MSE ≈ 0.167."""
    if length < 2:
        raise ValueError(f"adding_problem needs length >= 2, got {length}")
    rng = _rng(rng)
    values = rng.random((n_samples, length))
    rows = np.arange(n_samples)
    first = rng.integers(0, length // 2, n_samples)
    second = rng.integers(length // 2, length, n_samples)
    marks = np.zeros((n_samples, length))
    marks[rows, first] = marks[rows, second] = 1
    x = np.stack([values, marks], axis=-1).astype(dtype)
    y = (values[rows, first] + values[rows, second])[:, None].astype(dtype)
    return x, y


def copy_task(n_samples: int, delay: int, n_symbols: int = 8, n_copy: int = 5, rng=None):
    """The copy-memory task: ``n_copy`` random symbols (1..n_symbols), ``delay`` blanks (0), a
    recall marker (n_symbols + 1), then ``n_copy - 1`` blanks while the symbols are written back.

    Returns (x (n, T) int tokens, y (n, T) int targets), T = 2·n_copy + delay; the targets are 0
    (blank) except on the last ``n_copy`` steps, which must repeat the first ones.
    """
    if delay < 0 or n_copy < 1 or n_symbols < 1:
        raise ValueError(f"copy_task needs delay >= 0, n_copy >= 1, n_symbols >= 1; got {delay}, {n_copy}, {n_symbols}")
    rng = _rng(rng)
    steps = 2 * n_copy + delay
    symbols = rng.integers(1, n_symbols + 1, (n_samples, n_copy))
    x = np.zeros((n_samples, steps), dtype=np.int64)
    y = np.zeros((n_samples, steps), dtype=np.int64)
    x[:, :n_copy] = symbols
    x[:, n_copy + delay] = n_symbols + 1
    y[:, -n_copy:] = symbols
    return x, y


class CharVocab:
    """Characters ↔ indices, with <pad> = 0, <sos> = 1, <eos> = 2 before the characters."""

    def __init__(self, chars):
        self.itos = [PAD, SOS, EOS] + sorted(set(chars))
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.pad, self.sos, self.eos = 0, 1, 2

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str, eos: bool = False) -> list[int]:
        try:
            return [self.stoi[ch] for ch in text] + ([self.eos] if eos else [])
        except KeyError as error:
            raise ValueError(f"character {error.args[0]!r} is not in the vocabulary") from None

    def encode_batch(self, texts, eos: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(indices (n, longest) padded with 0, lengths (n,))."""
        rows = [self.encode(t, eos) for t in texts]
        lengths = np.array([len(r) for r in rows])
        out = np.zeros((len(rows), lengths.max()), dtype=np.int64)
        for i, r in enumerate(rows):
            out[i, :len(r)] = r
        return out, lengths

    def decode(self, indices) -> str:
        """The characters up to the first <eos>, skipping <pad> and <sos>."""
        chars = []
        for i in np.asarray(indices).tolist():
            if i == self.eos:
                break
            if i > self.eos:
                chars.append(self.itos[i])
        return "".join(chars)


def _format_date(day: datetime.date, style: int) -> str:
    month = MONTHS[day.month - 1]
    return [f"{day.day} {month[:3]} {day.year}", f"{month} {day.day}, {day.year}",
            f"{day.day:02d}.{day.month:02d}.{day.year}", f"{day.day} {month} {day.year}",
            f"{month[:3]} {day.day} {day.year}"][style]


DATE_STYLES = 5
DATE_SOURCE_VOCAB = CharVocab("".join(MONTHS) + "0123456789 ,.")
DATE_TARGET_VOCAB = CharVocab("0123456789-")


def date_pairs(n_samples: int, rng=None, first_year: int = 1950, last_year: int = 2049, exclude=()):
    """``n_samples`` (source, target) pairs like ("23 Nov 2026", "2026-11-23") in five written styles.

    Dates in ``exclude`` (a set of ISO strings) are never drawn, for held-out test sets.
    """
    rng = _rng(rng)
    start = datetime.date(first_year, 1, 1).toordinal()
    span = datetime.date(last_year, 12, 31).toordinal() - start + 1
    if len(exclude) >= span:
        raise ValueError("date_pairs: every date in the range is excluded")
    pairs = []
    while len(pairs) < n_samples:
        day = datetime.date.fromordinal(start + int(rng.integers(span)))
        target = day.isoformat()
        if target not in exclude:
            pairs.append((_format_date(day, int(rng.integers(DATE_STYLES))), target))
    return pairs


def load_text(name: str = "pride_and_prejudice_ch1") -> str:
    """A bundled public-domain text (``texts/<name>.txt``): the first chapter of Pride and Prejudice."""
    try:
        return resources.files(__package__).joinpath("texts", f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        available = sorted(p.name[:-4] for p in resources.files(__package__).joinpath("texts").iterdir())
        raise ValueError(f"no bundled text {name!r}; available: {available}") from None


def char_batches(encoded: np.ndarray, seq_len: int, batch_size: int, rng=None):
    """Endless random windows of an encoded text: (inputs (B, seq_len), targets shifted by one)."""
    if len(encoded) <= seq_len + 1:
        raise ValueError(f"text of {len(encoded)} symbols is too short for windows of {seq_len}")
    rng = _rng(rng)
    offsets = np.arange(seq_len + 1)
    while True:
        starts = rng.integers(0, len(encoded) - seq_len - 1, batch_size)
        windows = encoded[starts[:, None] + offsets]
        yield windows[:, :-1], windows[:, 1:]
