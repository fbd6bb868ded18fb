import numpy as np
import pytest

import glassnet as gn
from glassnet.data.sequences import DATE_SOURCE_VOCAB as SRC, DATE_TARGET_VOCAB as TGT, date_pairs
from glassnet.models import Seq2Seq

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        yield


def _batch(pairs):
    src, src_lengths = SRC.encode_batch([s for s, _ in pairs])
    tgt, _ = TGT.encode_batch([t for _, t in pairs], eos=True)
    tgt_in = np.concatenate([np.full((len(pairs), 1), TGT.sos), tgt[:, :-1]], axis=1)
    return src, src_lengths, tgt_in, tgt


def _train_on_dates(held_out):
    """Seq2Seq + attention trained on dates none of which is in the held-out set."""
    gn.manual_seed(0)
    excluded = {t for _, t in held_out}
    rng = np.random.default_rng(0)
    model = Seq2Seq(len(SRC), len(TGT), embedding_dim=16, hidden_size=64)
    opt = gn.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(250):
        src, lengths, tgt_in, tgt = _batch(date_pairs(64, rng=rng, exclude=excluded))
        logits, _ = model(src, tgt_in, lengths)
        loss = gn.nn.functional.cross_entropy(logits.reshape(-1, len(TGT)), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        gn.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return model


@pytest.mark.slow
def test_dates_translate_with_attention_on_held_out_dates_greedy_and_beam():
    held_out = date_pairs(300, rng=1)
    model = _train_on_dates(held_out)
    src, lengths, _, _ = _batch(held_out)
    tokens, attention = model.greedy_decode(src, lengths, max_len=12)
    exact = np.mean([TGT.decode(row) == target for row, (_, target) in zip(tokens, held_out)])
    assert exact >= 0.95, exact
    assert attention.shape[:2] == tokens.shape and np.allclose(attention.sum(-1), 1, atol=1e-5)
    for row, n in zip(attention, lengths):  # attention never looks at padding
        assert np.all(row[:, n:] == 0)
    beams = model.beam_search(src[:10], lengths[:10], beam_size=3, max_len=12)
    beam_exact = np.mean([TGT.decode(b) == t for b, (_, t) in zip(beams, held_out[:10])])
    assert beam_exact >= 0.9 and all(b[-1] == TGT.eos for b in beams)


def test_teacher_forcing_shapes_and_plain_encoder_decoder():
    model = Seq2Seq(len(SRC), len(TGT), embedding_dim=8, hidden_size=16, cell="LSTM", attention=False)
    src, lengths, tgt_in, tgt = _batch(date_pairs(4, rng=0))
    logits, weights = model(src, tgt_in, lengths)
    assert logits.shape == tgt.shape + (len(TGT),) and weights is None
    tokens, _ = model.greedy_decode(src, lengths, max_len=5)
    assert tokens.shape == (4, 5)
