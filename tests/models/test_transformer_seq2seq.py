import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import Tensor, as_array
from glassnet.data import CharVocab
from glassnet.models import TransformerSeq2Seq
from glassnet.nn import functional as F

DIGITS = CharVocab("0123")


def batch(rows):
    src, lengths = DIGITS.encode_batch(rows)
    tgt, _ = DIGITS.encode_batch([r[::-1] for r in rows], eos=True)
    return src, lengths, np.concatenate([np.full((len(rows), 1), DIGITS.sos), tgt[:, :-1]], axis=1), tgt


def test_teacher_forcing_is_causal_and_padding_is_never_attended():
    model = TransformerSeq2Seq(len(DIGITS), len(DIGITS), d_model=8, nhead=2, dim_feedforward=16).eval()
    src, lengths, tgt_in, _ = batch(["0123", "12", "3"])
    logits = as_array(model(src, tgt_in, lengths))
    assert logits.shape == (3, 5, len(DIGITS))
    changed = tgt_in.copy()
    changed[:, 3] = DIGITS.stoi["0"]
    assert np.allclose(as_array(model(src, changed, lengths))[:, :3], logits[:, :3], atol=1e-6)
    weights = model.cross_attention(src, tgt_in, lengths)
    assert weights.shape == (3, 5, 4) and np.allclose(weights.sum(-1), 1, atol=1e-5)
    assert np.all(weights[1, :, 2:] == 0) and np.all(weights[2, :, 1:] == 0)
    src_noise = src.copy()
    src_noise[1, 2:] = DIGITS.stoi["3"]   # what stands in the padding does not matter
    assert np.allclose(as_array(model(src_noise, tgt_in, lengths))[1], logits[1], atol=1e-5)


def test_learns_to_reverse_short_sequences_and_decodes_greedily():
    gn.manual_seed(0)
    rng = np.random.default_rng(0)
    model = TransformerSeq2Seq(len(DIGITS), len(DIGITS), d_model=32, nhead=4, num_encoder_layers=1,
                               num_decoder_layers=1, dim_feedforward=64, dropout=0.0, norm_first=True)
    opt = gn.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(120):
        rows = ["".join(rng.choice(list("0123"), 3)) for _ in range(64)]
        src, lengths, tgt_in, tgt = batch(rows)
        opt.zero_grad()
        logits = model(src, tgt_in, lengths)
        F.cross_entropy(logits.reshape(-1, len(DIGITS)), tgt.reshape(-1)).backward()
        opt.step()
    rows = ["012", "330", "102", "221"]
    tokens, maps = model.greedy_decode(batch(rows)[0], max_len=5)
    assert [DIGITS.decode(t) for t in tokens] == [r[::-1] for r in rows]
    assert maps.shape[0] == 4 and maps.shape[2] == 3


def test_bad_input_is_named():
    model = TransformerSeq2Seq(5, 5, d_model=8, nhead=2, max_len=6)
    with pytest.raises(gn.nn.LayerInputError, match="max_len = 6"):
        model(np.zeros((1, 7), np.int64), np.zeros((1, 2), np.int64))
