"""Labs on sequence models (they wait for issue 5's nn.RNN / nn.LSTM / nn.GRU / nn.Embedding /
F.cosine_similarity): RNN vs LSTM memory, word embeddings and cosine similarity, seq2seq with attention."""
from __future__ import annotations

import numpy as np

from .. import cat, nn, optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, require, subplots

RNN_LECTURE = "000_9c09d12a8cbeeb62 · 3 常见神经网络 · 循环神经网络"
LESSON = "002_26639f9cc4b3e0cd · RNN / LSTM / SEQ2SEQ"


@lab("rnn_lstm_memory", "RNN vs LSTM vs GRU: the adding problem over a growing delay (short-term memory)",
     f"{RNN_LECTURE} · 短时记忆; {LESSON}", params={"steps": "Adam steps per model and delay"})
def rnn_lstm_memory(out, quick=False, steps=700):
    """h_t = tanh(W[x_t, h_{t−1}]): ∂h_t/∂h_i is a product of t − i Jacobians, so a plain RNN forgets;
    the LSTM's cell c_t = f ⊙ c_{t−1} + i ⊙ g (and the GRU's gated update) carry information across time.

    The adding problem: two marked numbers somewhere in a sequence of the given length; the answer is
    their sum, read from the last state. Accuracy = share of held-out sums within 0.04."""
    memory_curve = require("glassnet.models", "memory_curve", issue=5)
    res = LabResult(out)
    delays = (10, 50) if quick else (10, 25, 50, 75)
    accuracy = memory_curve(("RNN", "LSTM", "GRU"), delays, steps, verbose=0)
    for name, values in accuracy.items():
        for delay, value in zip(delays, values):
            res.number(f"{name}: accuracy at length {delay}", value)
    longest = delays[-1]
    res.check(f"at length {longest} the LSTM remembers better than the plain RNN",
              accuracy["LSTM"][-1] > accuracy["RNN"][-1],
              f"LSTM {accuracy['LSTM'][-1]:.2f} vs RNN {accuracy['RNN'][-1]:.2f}")
    res.check(f"at length {longest} the GRU remembers better than the plain RNN",
              accuracy["GRU"][-1] > accuracy["RNN"][-1],
              f"GRU {accuracy['GRU'][-1]:.2f} vs RNN {accuracy['RNN'][-1]:.2f}")
    fig, ax = subplots(figsize=(7, 4))
    for name, values in accuracy.items():
        ax.plot(delays, values, "o-", label=name)
    ax.set(xlabel="sequence length (delay between the marked numbers and the answer)",
           ylabel="held-out accuracy (|error| < 0.04)", title="The adding problem: who remembers?",
           ylim=(-0.05, 1.05))
    ax.legend()
    res.figure(fig, "rnn_lstm_memory")
    res.say("All three learn short sequences; as the delay grows the plain RNN's gradient vanishes on the "
            "way back through time, while the gated cells keep learning.")
    return res


GROUPS = {"animal": ["cat", "dog", "horse", "cow"], "fruit": ["apple", "pear", "plum", "grape"],
          "place": ["home", "farm", "city", "park"]}
VERBS = {"animal": "runs", "fruit": "ripens", "place": "grows"}


def toy_corpus(rng, n: int) -> list[list[str]]:
    """Sentences like 'the dog runs at the farm' / 'the pear ripens in the park': words of one group share contexts."""
    sentences = []
    for _ in range(n):
        group = rng.choice(["animal", "fruit"])
        word, place = rng.choice(GROUPS[group]), rng.choice(GROUPS["place"])
        sentences.append(["the", word, VERBS[group], "near", "the", place, "and", VERBS["place"]])
    return sentences


@lab("embeddings", "Word embeddings and cosine similarity (one-hot vs learned vectors)",
     f"{RNN_LECTURE} · Word Embedding / 余弦相关度", params={"dim": "embedding size", "steps": "Adam steps"})
def embeddings(out, quick=False, dim=8, steps=1500):
    """similarity(a, b) = cos θ = a·b / (|a||b|); one-hot vectors are all orthogonal, learned ones are not."""
    Embedding = require("glassnet.nn", "Embedding", issue=5)
    cosine = require("glassnet.nn.functional", "cosine_similarity", issue=5)
    res = LabResult(out)
    steps = steps // 3 if quick else steps
    rng = np.random.default_rng(0)
    corpus = toy_corpus(rng, 400)
    vocab = sorted({w for s in corpus for w in s})
    index = {w: i for i, w in enumerate(vocab)}
    pairs = np.array([(index[s[i]], index[s[j]]) for s in corpus for i in range(len(s))
                      for j in range(max(0, i - 2), min(len(s), i + 3)) if i != j])
    one_hot = np.eye(len(vocab), dtype=np.float32)
    res.number("one-hot cos(cat, dog)", cosine(tensor(one_hot[index["cat"]][None]),
                                               tensor(one_hot[index["dog"]][None])).item(), 0, 3,
               note="one-hot codes carry no similarity")
    manual_seed(0)
    embed, predict = Embedding(len(vocab), dim), nn.Linear(dim, len(vocab))
    opt = optim.Adam(list(embed.parameters()) + list(predict.parameters()), lr=0.02)
    for _ in range(steps):  # skip-gram: predict a neighbouring word from the centre word
        batch = pairs[rng.integers(0, len(pairs), 256)]
        opt.zero_grad()
        F.cross_entropy(predict(embed(batch[:, 0])), batch[:, 1]).backward()
        opt.step()
    vectors = embed.weight.detach().numpy()
    words = GROUPS["animal"] + GROUPS["fruit"]
    chosen = tensor(vectors[[index[w] for w in words]])
    similarity = cosine(chosen[:, None, :], chosen[None, :, :], dim=-1).detach().numpy()
    same = np.mean([similarity[i, j] for i in range(8) for j in range(8) if i != j and (i < 4) == (j < 4)])
    other = np.mean([similarity[i, j] for i in range(8) for j in range(8) if (i < 4) != (j < 4)])
    res.number("mean cos within a group (animals, fruits)", same)
    res.number("mean cos across groups", other)
    res.check("learned embeddings put words used alike close together", same > other + 0.3, f"{same:.2f} vs {other:.2f}")
    fig, ax = subplots(figsize=(6.5, 5.5))
    shown = ax.imshow(similarity, cmap="coolwarm", vmin=-1, vmax=1)
    ax.set(xticks=range(8), yticks=range(8), xticklabels=words, yticklabels=words,
           title=f"cosine similarity of learned {dim}-d embeddings", xlabel="word", ylabel="word")
    ax.tick_params(axis="x", rotation=45)
    fig.colorbar(shown, ax=ax, label="cos θ")
    res.figure(fig, "embeddings")
    res.say("Words that appear in the same contexts (animals 'run', fruits 'ripen') end with similar vectors: "
            "the Embedding layer learns semantic closeness that one-hot codes cannot express.")
    return res


class Seq2Seq(nn.Module):
    """GRU encoder, GRU decoder and dot-product attention: weights = softmax(d_t · e_s), context = Σ_s weights·e_s,
    prediction from tanh(W[d_t, context])."""

    def __init__(self, GRU, Embedding, vocab: int, hidden: int):
        super().__init__()
        self.embed = Embedding(vocab + 1, hidden)  # the extra token is <start>
        self.encoder = GRU(hidden, hidden, batch_first=True)
        self.decoder = GRU(hidden, hidden, batch_first=True)
        self.combine = nn.Linear(2 * hidden, hidden)
        self.out = nn.Linear(hidden, vocab)
        self.start = vocab

    def attend(self, decoded, encoded):
        weights = F.softmax(decoded @ encoded.transpose(1, 2), dim=-1)            # (B, T, S)
        context = weights @ encoded
        return self.out(F.tanh(self.combine(cat([decoded, context], dim=-1)))), weights

    def forward(self, source, target):
        """Teacher forcing: the decoder reads <start> and the true target shifted by one."""
        encoded, h = self.encoder(self.embed(source))
        shifted = np.concatenate([np.full((len(target), 1), self.start), target[:, :-1]], axis=1)
        decoded, _ = self.decoder(self.embed(shifted), h)
        return self.attend(decoded, encoded)

    def greedy(self, source, length: int):
        encoded, h = self.encoder(self.embed(source))
        token, outputs, maps = np.full((len(source), 1), self.start), [], []
        for _ in range(length):
            decoded, h = self.decoder(self.embed(token), h)
            logits, weights = self.attend(decoded, encoded)
            token = logits.detach().numpy().argmax(-1)
            outputs.append(token[:, 0])
            maps.append(weights.detach().numpy()[:, 0])
        return np.stack(outputs, 1), np.stack(maps, 1)


@lab("seq2seq_attention", "Seq2seq encoder-decoder with attention: reversing a digit sequence",
     f"{LESSON} · Encoder-Decoder / Attention", params={"steps": "Adam steps", "length": "sequence length"})
def seq2seq_attention(out, quick=False, steps=1500, length=6):
    """Encoder states e_s, decoder state d_t; attention α_ts = softmax_s(d_t·e_s) picks which input to read."""
    GRU = require("glassnet.nn", "GRU", issue=5)
    Embedding = require("glassnet.nn", "Embedding", issue=5)
    res = LabResult(out)
    steps = steps // 3 if quick else steps
    vocab, rng = 10, np.random.default_rng(0)
    manual_seed(0)
    model = Seq2Seq(GRU, Embedding, vocab, 32)
    opt = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(steps):
        source = rng.integers(0, vocab, (64, length))
        target = source[:, ::-1].copy()
        opt.zero_grad()
        logits, _ = model(source, target)
        loss = F.cross_entropy(logits.reshape(-1, vocab), target.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    test = rng.integers(0, vocab, (500, length))
    with no_grad():
        predicted, maps = model.greedy(test, length)
    exact = float((predicted == test[:, ::-1]).all(axis=1).mean())
    per_token = float((predicted == test[:, ::-1]).mean())
    res.number("held-out sequences reversed exactly (greedy decoding)", exact)
    res.number("held-out tokens right", per_token)
    mirrored = float(maps.mean(0)[np.arange(length), np.arange(length)[::-1]].mean())
    res.number("mean attention weight on the mirrored input position", mirrored, note=f"uniform would be {1 / length:.2f}")
    res.check("attention concentrates on the mirrored input position (anti-diagonal, > 1.5× uniform)", mirrored > 1.5 / length,
              f"{mirrored:.2f} vs uniform {1 / length:.2f}")
    fig, (left, right) = subplots(1, 2, figsize=(11, 4.3))
    left.semilogy(losses, label="training cross-entropy")
    left.set(xlabel="step", ylabel="loss", title="Training with teacher forcing")
    left.legend()
    shown = right.imshow(maps[0], cmap="viridis", vmin=0, vmax=1)
    right.set(xticks=range(length), yticks=range(length), xticklabels=test[0], yticklabels=predicted[0],
              xlabel="input digit (encoder step)", ylabel="output digit (decoder step)", title="Attention weights")
    fig.colorbar(shown, ax=right, label="α")
    res.figure(fig, "seq2seq_attention")
    res.say("To reverse a sequence the decoder's t-th output needs input L − 1 − t: the attention map shows it "
            "learned to look exactly there.")
    return res
