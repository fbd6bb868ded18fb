"""Lab on the Transformer (the lectures' closing pointer): the seq2seq tasks of the RNN labs, reversing digits
and translating dates, solved by a small Transformer beside the GRU encoder-decoder with attention."""
from __future__ import annotations

import numpy as np

from .. import nn, optim
from ..autograd import manual_seed
from ..data import DATE_SOURCE_VOCAB, DATE_TARGET_VOCAB, CharVocab, date_pairs
from ..models import Seq2Seq, TransformerSeq2Seq
from ..nn import functional as F
from .core import LabResult, lab, subplots

SUMMARY = "001_5f6f472c906b4f67 · 神经网络总结 · 感兴趣的同学可以关注Attention和Transformer"
LESSON = "002_26639f9cc4b3e0cd · SEQ2SEQ / Attention-based model"
DIGITS = CharVocab("0123456789")
MODELS = {  # name -> (build from the two vocabularies, Adam's learning rate)
    "Transformer": (lambda src, tgt: TransformerSeq2Seq(len(src), len(tgt), d_model=32, nhead=4, num_encoder_layers=1,
                                                        num_decoder_layers=1, dim_feedforward=64, dropout=0.0,
                                                        norm_first=True), 1e-2),
    "GRU + attention": (lambda src, tgt: Seq2Seq(len(src), len(tgt), embedding_dim=16, hidden_size=64), 5e-3)}


def encode(pairs, source_vocab, target_vocab):
    """(source tokens, source lengths, target input = <sos> + target shifted right, target + <eos>)."""
    src, lengths = source_vocab.encode_batch([s for s, _ in pairs])
    tgt, _ = target_vocab.encode_batch([t for _, t in pairs], eos=True)
    return src, lengths, np.concatenate([np.full((len(pairs), 1), target_vocab.sos), tgt[:, :-1]], axis=1), tgt


def reversal_pairs(n: int, length: int, rng, exclude=()) -> list[tuple[str, str]]:
    """``n`` (digits, digits reversed) pairs, none of whose sources is in ``exclude``."""
    pairs = []
    while len(pairs) < n:
        source = "".join(map(str, rng.integers(0, 10, length)))
        if source not in exclude:
            pairs.append((source, source[::-1]))
    return pairs


def train(model, draw_pairs, vocabs, steps: int, lr: float, rng) -> list[float]:
    """Teacher forcing, Adam, batches of 64, gradients clipped to norm 1; the loss per step."""
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        src, lengths, tgt_in, tgt = encode(draw_pairs(64, rng), *vocabs)
        logits = model(src, tgt_in, lengths)
        logits = logits[0] if isinstance(logits, tuple) else logits   # Seq2Seq also returns its attention
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return losses


def evaluate(model, pairs, vocabs) -> dict:
    """Greedy decoding of held-out pairs: exact-sequence and per-character accuracy, attention maps."""
    src, lengths, _, tgt = encode(pairs, *vocabs)
    model.eval()
    tokens, maps = model.greedy_decode(src, lengths, max_len=tgt.shape[1] + 1)
    decoded = [vocabs[1].decode(row) for row in tokens]
    chars = [a == b for d, (_, t) in zip(decoded, pairs) for a, b in zip(d.ljust(len(t)), t)]
    return {"exact": float(np.mean([d == t for d, (_, t) in zip(decoded, pairs)])), "chars": float(np.mean(chars)),
            "maps": maps, "decoded": decoded}


@lab("transformer", "Transformer: reversing digits and translating dates, beside the RNN seq2seq, attention maps",
     f"{SUMMARY}; {LESSON}", params={"steps": "Adam steps per model on the digits (the dates get twice as many)",
                                     "seed": "random seed"})
def transformer(out, quick=False, steps=300, seed=0):
    """Self-attention softmax(QKᵀ/√d)V in place of recurrence; positions enter by PE(pos, 2i) = sin(pos/10000^(2i/d))."""
    res = LabResult(out)
    length, digit_steps = (4, 150) if quick else (6, steps)
    held_out = {"reverse digits": reversal_pairs(300, length, np.random.default_rng(seed + 1))}
    unseen = {source for source, _ in held_out["reverse digits"]}
    tasks = {"reverse digits": (lambda n, rng: reversal_pairs(n, length, rng, unseen), (DIGITS, DIGITS),
                                digit_steps)}
    if not quick:
        held_out["translate dates"] = date_pairs(300, rng=seed + 1)
        unseen_dates = {target for _, target in held_out["translate dates"]}
        tasks["translate dates"] = (lambda n, rng: date_pairs(n, rng=rng, exclude=unseen_dates),
                                    (DATE_SOURCE_VOCAB, DATE_TARGET_VOCAB), 2 * steps)
    results = {}
    for task, (draw, vocabs, budget) in tasks.items():
        test = held_out[task]
        for name, (build, lr) in MODELS.items():
            manual_seed(seed)
            model = build(*vocabs)
            losses = train(model, draw, vocabs, budget, lr, np.random.default_rng(seed))
            results[task, name] = {**evaluate(model, test, vocabs), "losses": losses, "test": test}
            res.number(f"{task}, {name}: held-out sequences right (greedy)", results[task, name]["exact"],
                       note=f"{budget} steps, {model.num_parameters():,} parameters")
            res.number(f"{task}, {name}: held-out characters right", results[task, name]["chars"])
    minimum = 0.5 if quick else 0.85
    for task in tasks:
        score = results[task, "Transformer"]["chars"]
        res.check(f"the Transformer learns to {task} (≥ {minimum:.0%} of held-out characters)", score >= minimum,
                  f"{score:.1%}")
    maps = results["reverse digits", "Transformer"]["maps"]
    mirrored = float(np.mean([maps[:, t, length - 1 - t] for t in range(length)]))
    res.number("reverse digits, Transformer: mean cross-attention on the mirrored input position", mirrored,
               note=f"uniform would be {1 / length:.2f}")
    res.check("its cross-attention looks at the mirrored input position (> 1.5× uniform)", mirrored > 1.5 / length,
              f"{mirrored:.2f} vs uniform {1 / length:.2f}")

    fig, axes = subplots(1, len(tasks), figsize=(6 * len(tasks), 4), constrained_layout=True, squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for name in MODELS:
            ax.semilogy(results[task, name]["losses"], label=name, alpha=0.8)
        ax.set(xlabel="Adam step", ylabel="training cross-entropy", title=task)
        ax.legend()
    res.figure(fig, "transformer_training")
    fig, axes = subplots(len(tasks), 2, figsize=(11, 4.2 * len(tasks)), constrained_layout=True, squeeze=False)
    for row, task in zip(axes, tasks):
        for ax, name in zip(row, MODELS):
            source, _ = results[task, name]["test"][0]
            produced = results[task, name]["decoded"][0]
            weights = results[task, name]["maps"][0][:len(produced), :len(source)]
            shown = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
            ax.set(xticks=range(len(source)), xticklabels=list(source), yticks=range(len(produced)),
                   yticklabels=list(produced), xlabel="source character", ylabel="produced character",
                   title=f"{task}: {name} ({'last decoder layer' if name == 'Transformer' else 'additive'} attention)")
            fig.colorbar(shown, ax=ax, label="weight α")
    res.figure(fig, "transformer_attention")
    res.say("Both read the whole source through attention; the Transformer has no recurrence at all, only "
            "attention and positional encodings, so every position is computed in parallel. At this small size it "
            "needs more steps than the GRU to find where to look, and then looks as sharply: down the "
            "anti-diagonal to reverse, at the matching day, month and year characters for dates.")
    return res
