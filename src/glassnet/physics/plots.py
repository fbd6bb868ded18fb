"""Figures of the stop search (matplotlib, Agg backend, written to files)."""
from __future__ import annotations

import numpy as np

from . import evaluation

LABELS = {"mpnn": "event-graph MPNN", "dnn": "DNN on object features", "bdt": "BDT on high-level variables"}
STYLES = {"mpnn": "o-", "dnn": "s-", "bdt": "^--"}  # distinct markers and dashes: curves may overlap


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def roc_figure(results: dict, path, title: str) -> None:
    """Background rejection 1/ε_B against signal efficiency ε_S for every trained method."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for method, result in results.items():
        if method == "labels" or "scores" not in result:
            continue
        fpr, tpr, _ = evaluation.roc_curve(results["labels"], result["scores"])
        keep = fpr > 0
        ax.plot(tpr[keep], 1.0 / fpr[keep], STYLES[method][1:], label=f"{LABELS[method]} (AUC {result['auc']:.3f})")
    efficiency = np.linspace(0.01, 1, 100)
    ax.plot(efficiency, 1.0 / efficiency, "k:", label="random guess")
    ax.set(yscale="log", xlabel="signal efficiency ε_S", ylabel="background rejection 1/ε_B", title=title,
           xlim=(0, 1))
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def scan_figure(scan: dict, path, title: str) -> None:
    """AUC and S/√B (at background rejection 100) against the stop mass for every method."""
    plt = _pyplot()
    fig, (ax_auc, ax_sig) = plt.subplots(1, 2, figsize=(10, 4))
    masses = sorted(scan)
    methods = [m for m in scan[masses[0]] if m != "labels" and "auc" in scan[masses[0]][m]]
    for method in methods:
        style = STYLES[method]
        ax_auc.plot(masses, [scan[m][method]["auc"] for m in masses], style, label=LABELS[method])
        ax_sig.plot(masses, [scan[m][method]["s_over_sqrt_b"] for m in masses], style, label=LABELS[method])
    ax_auc.set(xlabel="stop mass (GeV)", ylabel="AUC", title="separation")
    ax_sig.axhline(5.0, color="k", ls=":", label="S/√B = 5")
    ax_sig.set(xlabel="stop mass (GeV)", ylabel="S/√B at 1/ε_B = 100", yscale="log", title="significance")
    for ax in (ax_auc, ax_sig):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
