import numpy as np
import pytest

from glassnet.data.sequences import (
    DATE_SOURCE_VOCAB, DATE_TARGET_VOCAB, CharVocab, adding_problem, char_batches, copy_task, date_pairs,
    load_text,
)


def test_adding_problem_marks_two_numbers_whose_sum_is_the_target():
    x, y = adding_problem(50, 20, rng=0)
    assert x.shape == (50, 20, 2) and y.shape == (50, 1) and x.dtype == np.float32
    assert np.all(x[..., 1].sum(1) == 2)
    np.testing.assert_allclose((x[..., 0] * x[..., 1]).sum(1, keepdims=True), y, rtol=1e-6)
    assert np.all(x[:, :10, 1].sum(1) == 1)  # one mark in each half
    np.testing.assert_array_equal(adding_problem(5, 8, rng=3)[0], adding_problem(5, 8, rng=3)[0])


def test_copy_task_asks_for_the_first_symbols_after_the_delay():
    x, y = copy_task(4, delay=7, n_symbols=5, n_copy=3, rng=0)
    assert x.shape == y.shape == (4, 13)
    np.testing.assert_array_equal(y[:, -3:], x[:, :3])
    assert np.all(x[:, 3 + 7] == 6) and np.all(y[:, :-3] == 0)


def test_date_pairs_and_vocabularies():
    pairs = date_pairs(200, rng=0)
    for source, target in pairs:
        assert len(target) == 10 and target[4] == target[7] == "-"
        assert DATE_TARGET_VOCAB.decode(DATE_TARGET_VOCAB.encode(target, eos=True)) == target
        DATE_SOURCE_VOCAB.encode(source)
    held = {t for _, t in date_pairs(100, rng=1)}
    assert not held & {t for _, t in date_pairs(500, rng=2, exclude=held)}
    indices, lengths = DATE_SOURCE_VOCAB.encode_batch(["1 May 2020", "23 November 2026"])
    assert indices.shape == (2, 16) and list(lengths) == [10, 16] and indices[0, 10:].sum() == 0


def test_date_format_example():
    import datetime
    from glassnet.data.sequences import _format_date
    assert _format_date(datetime.date(2026, 11, 23), 0) == "23 Nov 2026"


def test_bundled_text_and_character_batches():
    text = load_text()
    assert len(text) > 3000 and "truth universally acknowledged" in text
    vocab = CharVocab(text)
    encoded = np.array(vocab.encode(text))
    x, y = next(char_batches(encoded, seq_len=10, batch_size=3, rng=0))
    assert x.shape == y.shape == (3, 10)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    with pytest.raises(ValueError, match="no bundled text"):
        load_text("missing")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("€")
