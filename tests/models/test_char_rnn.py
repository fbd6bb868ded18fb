import numpy as np
import pytest

import glassnet as gn
from glassnet.data.sequences import CharVocab, char_batches, load_text
from glassnet.models import CharRNN


def test_char_rnn_learns_the_bundled_text_and_samples_at_a_temperature():
    text = load_text()
    vocab = CharVocab(text)
    encoded = np.array(vocab.encode(text))
    gn.manual_seed(0)
    model = CharRNN(len(vocab), embedding_dim=16, hidden_size=64)
    opt = gn.optim.Adam(model.parameters(), lr=1e-2)
    batches = char_batches(encoded, seq_len=32, batch_size=32, rng=0)
    losses = []
    for _, (x, y) in zip(range(60), batches):
        logits, _ = model(x)
        loss = gn.nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        gn.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-10:]) < 0.8 * np.log(len(vocab))
    text_a = model.generate(vocab, "It is a ", 40, temperature=0.5, rng=np.random.default_rng(1))
    text_b = model.generate(vocab, "It is a ", 40, temperature=0.5, rng=np.random.default_rng(1))
    assert text_a == text_b and text_a.startswith("It is a ") and len(text_a) == 48
    cold = model.sample(vocab.encode("the "), 30, temperature=0.05, rng=np.random.default_rng(2))
    greedy = model.sample(vocab.encode("the "), 30, temperature=0.05, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(cold, greedy)  # near zero temperature sampling is argmax
    with pytest.raises(ValueError, match="temperature"):
        model.sample([1], 3, temperature=0)
