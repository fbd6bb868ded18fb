"""Labs on learning without gradients: Hebb's rule and Oja's stabilized form on a linear unit, and the
Hopfield network that stores patterns by Hebb's rule and recalls them by lowering its energy."""
from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd import as_array
from ..models import Hopfield
from ..nn.hebbian import HebbianRule
from .core import LabResult, lab, subplots

HEBB = "001_5f6f472c906b4f67 · 5.1 人工神经网络简介 · 真正的神经元学习 (Hebbian学习)"
NOBEL = "004_aa9f223fe46a357a · 入门介绍 · The Nobel Prize in Physics 2024 (Hopfield, Hinton)"


def assembly_inputs(n: int, rng) -> np.ndarray:
    """Six input units: 0-2 form an assembly that fires together (probability ½), 3-5 fire on their own."""
    together = rng.random((n, 1)) < 0.5
    alone = rng.random((n, 3)) < 0.5
    return np.hstack([np.repeat(together, 3, axis=1), alone]).astype(np.float64)


@lab("hebbian", "Hebbian learning: fire together, wire together; Oja's rule finds the first principal component",
     HEBB, params={"samples": "input patterns shown to each unit", "seed": "random seed"})
def hebbian(out, quick=False, samples=4000, seed=0):
    """Hebb: Δw_ij = η y_i x_j.  Oja: Δw = η y (x − y w), which converges to the top eigenvector of ⟨x xᵀ⟩."""
    res = LabResult(out)
    samples = samples // 2 if quick else samples
    rng = np.random.default_rng(seed)
    # 1. one linear unit, plain Hebb, inputs with an assembly of three co-firing units
    unit = nn.Linear(6, 1, bias=False).double()
    as_array(unit.weight)[:] = 0.1
    rule = HebbianRule(unit, lr=0.02)
    history = []
    for batch in np.array_split(assembly_inputs(samples, rng), samples // 20):
        rule.step(batch)
        history.append(as_array(unit.weight)[0].copy())
    history = np.array(history)
    w = history[-1]
    res.number("weight of the assembly's units (mean)", w[:3].mean())
    res.number("weight of the independent units (mean)", w[3:].mean())
    res.check("weights grow most where units fire together (every assembly weight > every independent one)",
              w[:3].min() > w[3:].max(), f"{w[:3].round(2)} vs {w[3:].round(2)}")
    # 2. Oja's rule on correlated 2-D data, against NumPy's SVD; plain Hebb on the same data diverges
    data = rng.standard_normal((samples, 2)) @ np.array([[2.0, 1.2], [0.0, 0.6]])
    data -= data.mean(axis=0)
    top = np.linalg.svd(data, full_matrices=False)[2][0]
    paths, norms = {}, {}
    for name in ("oja", "hebb"):
        unit = nn.Linear(2, 1, bias=False).double()
        as_array(unit.weight)[:] = [[0.1, -0.3]]
        learner = HebbianRule(unit, lr=0.01, rule=name)
        path = [as_array(unit.weight)[0].copy()]
        for _ in range(2):
            for batch in np.array_split(data, samples // 10):
                learner.step(batch)
                path.append(as_array(unit.weight)[0].copy())
        paths[name] = np.array(path)
        norms[name] = np.linalg.norm(paths[name], axis=1)
    oja = paths["oja"][-1]
    cosine = abs(oja @ top) / np.linalg.norm(oja)
    res.number("|cos| between Oja's weight and the SVD's first principal direction", cosine, 1, 3)
    res.number("|w| after Oja's rule", np.linalg.norm(oja), 1, 2, note="Oja's decay term normalizes w")
    res.number("|w| after plain Hebb (same steps)", norms["hebb"][-1], note="grows without bound")
    res.check("plain Hebb's weight grows by orders of magnitude (×100 or more)",
              norms["hebb"][-1] > 100 * norms["hebb"][0], f"{norms['hebb'][0]:.2f} → {norms['hebb'][-1]:.3g}")

    fig, (left, middle, right) = subplots(1, 3, figsize=(16, 4.3), constrained_layout=True)
    steps = np.arange(1, len(history) + 1) * 20
    for j in range(6):
        left.plot(steps, history[:, j], color="C0" if j < 3 else "C1",
                  label="assembly unit (fires with the others)" if j == 0 else "independent unit" if j == 3 else None)
    left.set(xlabel="input patterns seen", ylabel="weight w_j", title="Plain Hebb: fire together, wire together")
    left.legend()
    middle.scatter(*data[:400].T, s=4, alpha=0.3, color="grey", label="data")
    middle.plot(*paths["oja"].T, "C2-", lw=1, label="Oja's w during learning")
    middle.plot(*paths["oja"][-1], "C2o", label="Oja's final w")
    middle.plot(*np.outer([-3, 3], top).T, "k--", label="first principal direction (SVD)")
    middle.set(xlabel="x₁", ylabel="x₂", title="Oja's rule finds the first principal component", aspect="equal")
    middle.legend(fontsize=8)
    for name, label in (("oja", "Oja"), ("hebb", "plain Hebb")):
        right.semilogy(norms[name], label=label)
    right.set(xlabel="batch", ylabel="|w|", title="Weight length: Hebb diverges, Oja stays at 1")
    right.legend()
    res.figure(fig, "hebbian")
    res.say("Hebb's rule strengthens a connection in proportion to how often its two units are active together, "
            "so the assembly that fires as one wins. Alone it never stops growing; Oja's decay term −y²w keeps "
            "|w| = 1, and the weight settles on the direction of largest variance: the first principal component.")
    return res


def letter_bitmap(char: str, size: int = 12) -> np.ndarray:
    """A capital letter in matplotlib's bundled DejaVu Sans Bold, as ±1 pixels on a size × size grid."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=4 * size)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, char, ha="center", va="center_baseline", fontsize=80, family="DejaVu Sans", weight="bold")
    canvas.draw()
    grey = np.asarray(canvas.buffer_rgba())[..., 0].astype(float).reshape(size, 4, size, 4).mean(axis=(1, 3))
    return np.where(grey < 128, 1.0, -1.0)


def flip(patterns: np.ndarray, fraction: float, rng) -> np.ndarray:
    """Copies of ±1 ``patterns`` with exactly ``fraction`` of each one's pixels flipped."""
    noisy = patterns.copy()
    for row in noisy:
        row[rng.choice(row.size, int(round(fraction * row.size)), replace=False)] *= -1
    return noisy


def overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """m = (1/N) Σ_i a_i b_i for each row pair (1: equal, 0: unrelated, −1: inverted)."""
    return (a * b).mean(axis=-1)


def capacity_curve(n_units: int, loads, recalls: int, rng, noise: float = 0.2) -> dict:
    """Store P = load·N random patterns, recall each from ``noise`` flipped pixels; per load the share
    recalled (final overlap ≥ 0.95) and the share recalled exactly, over about ``recalls`` attempts."""
    curve = {"recalled": [], "exact": [], "overlap": []}
    for load in loads:
        count = max(1, int(round(load * n_units)))
        final = []
        for _ in range(max(1, recalls // count)):
            patterns = rng.choice([-1.0, 1.0], (count, n_units))
            net = Hopfield(n_units).store(patterns)
            final.append(overlaps(net.recall(flip(patterns, noise, rng), rng=rng), patterns))
        final = np.concatenate(final)
        curve["recalled"].append(float(np.mean(final >= 0.95)))
        curve["exact"].append(float(np.mean(final == 1)))
        curve["overlap"].append(float(final.mean()))
    return curve


@lab("hopfield", "Hopfield network: associative memory of letters, recall from noise, capacity ≈ 0.14 N",
     f"{NOBEL}; {HEBB}", params={"units": "neurons of the capacity curve", "seed": "random seed"})
def hopfield(out, quick=False, units=400, seed=0):
    """w_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ;  s_i ← sign(Σ_j w_ij s_j);  E = −½ Σ w_ij s_i s_j falls at every update."""
    res = LabResult(out)
    units = min(units, 200) if quick else units
    rng = np.random.default_rng(seed)
    # 1. letters: four with small mutual overlaps, and four alike ones (H, E, L, O)
    letters = {word: np.array([letter_bitmap(c).ravel() for c in word]) for word in ("BIMW", "HELO")}
    levels = (0.1, 0.2, 0.3, 0.4)
    shown = {}
    for word, patterns in letters.items():
        net = Hopfield(patterns.shape[1]).store(patterns)
        largest = np.abs(overlaps(patterns[:, None], patterns[None])[~np.eye(len(patterns), dtype=bool)]).max()
        res.number(f"{word}: largest overlap |m| between two stored letters", largest)
        rates = []
        for level in levels:
            trials = [np.all(net.recall(noisy, rng=rng) == patterns, axis=1)
                      for noisy in (flip(patterns, level, rng) for _ in range(3 if quick else 10))]
            rates.append(float(np.mean(trials)))
            res.number(f"{word}: letters recalled exactly from {level:.0%} flipped pixels", rates[-1])
        noisy = flip(patterns, 0.3, rng)
        shown[word] = (noisy, net.recall(noisy, rng=rng), rates)
        if word == "BIMW":
            res.check("each stored letter is a fixed point of the updates",
                      np.array_equal(net.step(patterns, rng=rng), patterns))
            res.check("letters with small overlaps are recalled from 10-30 % flipped pixels (≥ 90 % of trials)",
                      min(rates[:3]) >= 0.9, ", ".join(f"{r:.0%}" for r in rates))
            path = [noisy[:1]]
            while len(path) < 60 and not np.array_equal(step := net.step(path[-1], rng=rng), path[-1]):
                path.append(step)
            energies = [net.energy(state[0]) for state in path]
            res.check("the energy falls at every asynchronous sweep", np.all(np.diff(energies) < 0),
                      " → ".join(f"{e:.1f}" for e in energies))
    res.check("alike letters (H, E, L, O) interfere: fewer recalled than B, I, M, W at 20 % noise",
              shown["HELO"][2][1] < shown["BIMW"][2][1])
    # 2. capacity: random patterns, recall from 20 % noise against the load P/N
    loads = np.round(np.arange(0.02, 0.25, 0.04 if quick else 0.02), 2)
    curve = capacity_curve(units, loads, 60 if quick else 200, rng)
    for load, rate, exact in zip(loads, curve["recalled"], curve["exact"]):
        res.number(f"load P = {load:.2f} N: share recalled from 20 % noise (overlap ≥ 0.95)", rate,
                   note=f"exactly: {exact:.2f}")
    below = [r for load, r in zip(loads, curve["recalled"]) if load < 0.1]
    res.check("recall from 20 % noise succeeds below 0.1 N (≥ 90 % at every load)", min(below) >= 0.9,
              ", ".join(f"{r:.2f}" for r in below))
    crossing = next((load for load, r in zip(loads, curve["recalled"]) if r < 0.5), np.inf)
    res.number("first load with less than half recalled (P/N)", crossing, note="theory: 0.138 for large N")
    res.check("recall degrades past ~0.14 N: it first falls below 50 % between 0.12 N and 0.20 N",
              0.12 <= crossing <= 0.2, f"{crossing:.2f} N")

    fig, axes = subplots(3, 9, figsize=(14, 5), constrained_layout=True)
    for offset, word in ((0, "BIMW"), (5, "HELO")):
        noisy, recalled, _ = shown[word]
        for row, (images, label) in enumerate(((letters[word], "stored"), (noisy, "30 % flipped"),
                                               (recalled, "recalled"))):
            for c in range(4):
                axes[row, offset + c].imshow(images[c].reshape(12, 12), cmap="gray_r", vmin=-1, vmax=1)
            axes[row, offset].set_ylabel(label)
    for ax in axes.ravel():
        ax.set(xticks=[], yticks=[])
        if not ax.images:
            ax.axis("off")
    fig.suptitle("Hopfield recall of 12 × 12 letters: B, I, M, W (left) come back; the alike H, E, L, O (right) mix")
    res.figure(fig, "hopfield_letters")
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.2), constrained_layout=True)
    left.plot(loads, curve["recalled"], "o-", label="recalled (overlap ≥ 0.95)")
    left.plot(loads, curve["exact"], "s--", label="recalled exactly")
    left.axvline(0.138, color="grey", ls=":", label="capacity 0.138 N (large N)")
    left.set(xlabel="load P / N", ylabel="share of stored patterns", ylim=(-0.03, 1.03),
             title=f"Recall from 20 % noise, N = {units}")
    left.legend(fontsize=8)
    right.plot(levels, shown["BIMW"][2], "o-", label="B, I, M, W (small overlaps)")
    right.plot(levels, shown["HELO"][2], "s-", label="H, E, L, O (alike)")
    right.set(xlabel="flipped pixels", ylabel="letters recalled exactly", ylim=(-0.03, 1.03),
              title="Letters: recall against noise")
    right.legend(fontsize=8)
    res.figure(fig, "hopfield_capacity")
    res.say("Hebb's rule makes every stored pattern a valley of the energy; from a corrupted start the updates "
            "roll downhill into the nearest valley. Each extra pattern adds crosstalk to every field: below "
            "about 0.1 N the valleys stay put, past 0.14 N they blur into spurious mixtures and recall collapses.")
    return res
