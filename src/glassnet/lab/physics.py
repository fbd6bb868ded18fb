"""Labs on machine learning in new-physics research (they wait for issues 7, 8, 9): a BDT vs a neural network
on a physics-like table, the event-graph network vs a DNN, and the Machine Learning Scan vs a random scan."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, require, subplots

LECTURE = "000_9c09d12a8cbeeb62"


def collider_table(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A physics-like table: half signal (a resonance at 125 in the pair mass, harder momenta, more central),
    half background (falling mass spectrum); 8 columns, labels 1 = signal."""
    y = np.r_[np.ones(n // 2), np.zeros(n - n // 2)]
    signal = y == 1
    mass = np.where(signal, rng.normal(125, 4, n), 90 + rng.exponential(40, n))
    pt1 = np.where(signal, rng.gamma(4, 15, n), rng.gamma(2.5, 15, n))
    pt2 = pt1 * rng.uniform(0.3, 1.0, n)
    eta1, eta2 = (np.where(signal, rng.normal(0, 1.0, n), rng.normal(0, 1.8, n)) for _ in range(2))
    dphi = np.where(signal, rng.normal(np.pi * 0.8, 0.5, n), rng.uniform(0, np.pi, n))
    met = rng.exponential(np.where(signal, 25, 30), n)
    njets = rng.poisson(np.where(signal, 2.5, 1.8), n)
    X = np.c_[mass, pt1, pt2, eta1, eta2, dphi, met, njets].astype(np.float32)
    order = rng.permutation(n)
    return X[order], y[order].astype(np.float32)


def roc_plot(ax, labels, scores: dict, title: str):
    from sklearn.metrics import roc_auc_score, roc_curve

    for name, score in scores.items():
        fpr, tpr, _ = roc_curve(labels, score)
        ax.plot(tpr, 1 - fpr, label=f"{name}: AUC {roc_auc_score(labels, score):.3f}")
    ax.set(xlabel="signal efficiency", ylabel="background rejection (1 − ε_B)", title=title)
    ax.legend()


@lab("bdt_vs_nn", "BDT vs neural network on a physics-like table", f"{LECTURE} · 决策树 (BDT)",
     params={"events": "events in the table", "trees": "boosting rounds"})
def bdt_vs_nn(out, quick=False, events=20000, trees=200):
    """BDT: ŷ(x) = Σ_t w_t h_t(x), minimizing O = Σ_i l(ŷ_i, y_i) + Σ_t Ω(f_t); NN: an MLP on the same columns."""
    from sklearn.metrics import roc_auc_score

    Boosting = require("glassnet.trees", "GradientBoostingClassifier", issue=7)
    res = LabResult(out)
    events, trees = (events // 4, trees // 4) if quick else (events, trees)
    rng = np.random.default_rng(0)
    X, y = collider_table(rng, events)
    split = int(0.7 * len(X))
    (Xa, ya), (Xb, yb) = (X[:split], y[:split]), (X[split:], y[split:])
    bdt = Boosting(n_estimators=trees, max_depth=4, learning_rate=0.1, random_state=0).fit(Xa, ya)
    bdt_score = bdt.predict_proba(Xb)[:, 1]
    mean, std = Xa.mean(0), Xa.std(0)
    manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = optim.Adam(net.parameters(), lr=3e-3)
    scaled = (Xa - mean) / std
    for _ in range(5 if quick else 20):
        order = rng.permutation(len(scaled))
        for i in range(0, len(order), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(net(tensor(scaled[idx]))[:, 0], ya[idx]).backward()
            opt.step()
    with no_grad():
        nn_score = F.sigmoid(net(tensor((Xb - mean) / std))[:, 0]).detach().numpy()
    aucs = {"BDT": roc_auc_score(yb, bdt_score), "neural network": roc_auc_score(yb, nn_score)}
    for name, auc in aucs.items():
        res.number(f"{name}: test AUC", auc)
    res.check("both methods separate signal from background (AUC > 0.85)", min(aucs.values()) > 0.85,
              ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()))
    fig, ax = subplots(figsize=(6.5, 5))
    roc_plot(ax, yb, {"BDT (glassnet.trees)": bdt_score, "neural network": nn_score}, "ROC on held-out events")
    res.figure(fig, "bdt_vs_nn")
    res.say("On a table of high-level columns boosted trees are a strong, cheap baseline; the network gets "
            "there with scaled inputs and some training.")
    return res


@lab("event_graph", "Event-graph message-passing network vs a DNN (stop pairs vs top pairs)",
     f"{LECTURE} · 4 新物理研究中的ML · 寻找新信号：事例图", params={"events": "events per class (full mode)"})
def event_graph(out, quick=False, events=8000):
    """s_i⁽⁰⁾ = embed(x_i) (30-dim); T = 2 rounds of messages over ΔR edges; every node votes; votes averaged."""
    search = require("glassnet.physics.search", issue=8)
    evaluation = require("glassnet.physics.evaluation", issue=8)
    res = LabResult(out)
    settings = search.QUICK if quick else dataclasses.replace(search.QUICK, n_events=events, epochs=10)
    signal, background = search.generate_pair(500.0, 100.0, settings.n_events, rng=0, verbose=0)
    results = search.compare(signal, background, methods=("mpnn", "dnn", "bdt"), settings=settings, rng=0, verbose=0)
    labels, scores = results["labels"], {}
    for method, found in results.items():
        if method == "labels":
            continue
        if "unavailable" in found:
            res.say(f"{method}: {found['unavailable']}")
            continue
        scores[method] = found["scores"]
        res.number(f"{method}: test AUC", found["auc"])
    if not quick and {"mpnn", "dnn"} <= set(scores):
        res.check("the event-graph network beats the DNN on AUC", results["mpnn"]["auc"] > results["dnn"]["auc"])
    fig, ax = subplots(figsize=(6.5, 5))
    for name, score in scores.items():
        fpr, tpr, _ = evaluation.roc_curve(labels, score)
        ax.plot(tpr, 1 - fpr, label=f"{name}: AUC {evaluation.roc_auc(labels, score):.3f}")
    ax.set(xlabel="signal efficiency", ylabel="background rejection (1 − ε_B)",
           title=f"m(stop) = 500 GeV, {settings.n_events} events per class")
    ax.legend()
    res.figure(fig, "event_graph")
    res.say("Each event is a graph of its final-state objects with ΔR on the edges; after two rounds of "
            "messages every node's state encodes the whole event, and the averaged node votes score it.")
    return res


LECTURE_EVENT = np.array([  # the lecture's top-pair event: photon, lepton charge, b-jet (+1) / light jet (-1),
    [0, -1, 0, 0, 0.0229, 0.0289, 0.0000],  # MET, pT, E, m (TeV)
    [0, 0, -1, 0, 0.2637, 0.3304, 0.0373],
    [0, 0, -1, 0, 0.1003, 0.1888, 0.0091],
    [0, 0, 1, 0, 0.0980, 0.1146, 0.0133],
    [0, 0, 1, 0, 0.0689, 0.0773, 0.0062],
    [0, 0, 0, 1, 0.2107, 0.2107, 0.0000]], dtype=np.float32)
LECTURE_DISTANCES = np.array([  # the lecture's matrix d of angular distances ΔR_ij
    [0, 1.3971, 2.5649, 1.2801, 3.2752, 3.0312],
    [1.3971, 0, 1.9019, 1.6688, 3.0871, 3.1717],
    [2.5649, 1.9019, 0, 3.4440, 1.5805, 1.7831],
    [1.2801, 1.6688, 3.4440, 0, 2.2175, 2.1387],
    [3.2752, 3.0871, 1.5805, 2.2175, 0, 0.4912],
    [3.0312, 3.1717, 1.7831, 2.1387, 0.4912, 0]], dtype=np.float32)


@lab("event_graph_table", "The lecture's top-pair event as a graph through the message-passing network",
     f"{LECTURE} · 4 新物理研究中的ML · 寻找新信号：事例图 (tables x and d)")
def event_graph_table(out, quick=False):
    """Nodes x_i (7 features), edges d_ij = ΔR_ij; s_i⁽⁰⁾ ∈ ℝ³⁰, T = 2 message rounds, votes averaged."""
    EventMPNN = require("glassnet.models", "EventMPNN", issue=8)
    EventGraphs = require("glassnet.physics.graphs", "EventGraphs", issue=8)
    res = LabResult(out)
    d = LECTURE_DISTANCES
    res.check("the lecture's ΔR matrix is symmetric with a zero diagonal", np.array_equal(d, d.T) and not d.diagonal().any())
    manual_seed(0)
    model = EventMPNN()
    res.number("node features per object", model.node_features, 7, 0)
    res.number("state size s_i", model.embed.out_features, 30, 0)
    res.number("message-passing rounds T", len(model.passes), 2, 0)

    def score(nodes, distances, mask):
        graphs = EventGraphs(nodes[None], mask[None], distances[None])
        with no_grad():
            return model(graphs.nodes, graphs.edges(), graphs.mask).item()

    mask = np.ones(6, dtype=bool)
    original = score(LECTURE_EVENT, d, mask)
    order = np.random.default_rng(0).permutation(6)
    permuted = score(LECTURE_EVENT[order], d[np.ix_(order, order)], mask)
    padded_nodes, padded_d = np.zeros((10, 7), np.float32), np.zeros((10, 10), np.float32)
    padded_nodes[:6], padded_d[:6, :6] = LECTURE_EVENT, d
    padded = score(padded_nodes, padded_d, np.arange(10) < 6)
    res.number("score of the event (untrained network)", original)
    res.check("reordering the objects leaves the score unchanged", abs(permuted - original) < 1e-6,
              f"{original:.7f} vs {permuted:.7f}")
    res.check("padding to 10 nodes with a mask leaves the score unchanged", abs(padded - original) < 1e-6,
              f"{original:.7f} vs {padded:.7f}")
    fig, (left, right) = subplots(1, 2, figsize=(13, 4.8), constrained_layout=True)
    names = ["lepton", "jet 1", "jet 2", "b-jet 1", "b-jet 2", "MET"]
    shown = left.imshow(d, cmap="viridis")
    for (i, j), v in np.ndenumerate(d):
        left.text(j, i, f"{v:.2f}", ha="center", va="center", color="w", fontsize=8)
    left.set(xticks=range(6), yticks=range(6), xticklabels=names, yticklabels=names, title="edges: ΔR_ij (lecture's d)",
             xlabel="object j", ylabel="object i")
    fig.colorbar(shown, ax=left, label="ΔR")
    shown = right.imshow(LECTURE_EVENT, cmap="coolwarm", aspect="auto", vmin=-1, vmax=1)
    for (i, j), v in np.ndenumerate(LECTURE_EVENT):
        right.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8)
    right.set(xticks=range(7), xticklabels=["photon", "charge", "b/light", "MET", "pT", "E", "m"], yticks=range(6),
              yticklabels=names, title="nodes: x_i (lecture's table, TeV)", xlabel="feature", ylabel="object")
    fig.colorbar(shown, ax=right, label="value")
    res.figure(fig, "event_graph_table")
    res.say("The lecture's event enters EventMPNN exactly as tabulated: 6 objects with 7 features and the ΔR "
            "matrix on the edges. Summed messages and averaged votes make the score independent of the "
            "objects' order and of padding.")
    return res


@lab("ml_scan", "Machine Learning Scan vs random scan on the egg-box likelihood",
     f"{LECTURE} · 4 新物理研究中的ML · 检验新模型: Machine Learning Scan", params={"budget": "exact evaluations"})
def ml_scan(out, quick=False, budget=10000):
    """Loop: train an ML model on the evaluated points, propose points where its likelihood is high, evaluate
    them exactly, add them (and some random points), repeat. L(x) = Π_i L_i(O_i(x); O_i*, σ_i*)."""
    scan = require("glassnet.physics.scan", issue=9)
    testfunctions = require("glassnet.physics.scan.testfunctions", issue=9)
    res = LabResult(out)
    budget = budget // 10 if quick else budget
    problem = testfunctions.egg_box()
    out.mkdir(parents=True, exist_ok=True)  # the scans write their results files there
    found = {}
    for name, cls in (("ML scan", scan.MLScan), ("random scan", scan.RandomScan)):
        path = out / f"{name.replace(' ', '_')}.csv"
        scanner = cls(problem.space, problem.observable, problem.likelihood, path, seed=0, workers=0, verbose=0)
        result = scanner.run(budget, overwrite=True)
        good = result.good(0.9)
        found[name] = (result.params, good)
        res.number(f"{name}: share of evaluations with L > 0.9", good.mean())
        res.number(f"{name}: rings with a good point (of {problem.n_regions})", problem.regions_found(result.params, good))
    ratio = found["ML scan"][1].mean() / max(found["random scan"][1].mean(), 1e-9)
    res.number("ML scan / random scan, good-point share", ratio)
    if not quick:  # a few hundred evaluations are too few for the surrogate to learn the rings
        res.check("the ML scan spends its evaluations better than a random scan (> 2× the good-point share)",
                  ratio > 2, f"{ratio:.1f}×")
    fig, axes = subplots(1, 2, figsize=(12, 5.5))
    for ax, (name, (points, good)) in zip(axes, found.items()):
        ax.scatter(*points[~good].T, s=2, c="lightgray", label="evaluated")
        ax.scatter(*points[good].T, s=3, c="tab:red", label="L > 0.9")
        ax.set(xlabel="x₁", ylabel="x₂", title=f"{name}: {len(points)} evaluations", aspect="equal")
        ax.legend(loc="upper right")
    res.figure(fig, "ml_scan")
    res.say("The ML scan spends its exact evaluations where its model predicts a high likelihood, so the thin "
            "rings of the egg-box fill up with good points while a random scan mostly misses them.")
    return res
