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


def reach_figure(scan: dict, path, title: str, thresholds=(2.0, 5.0)) -> dict:
    """The paper's figure: S/√B against the stop mass for every method with the 2σ and 5σ lines and each
    method's mass reach marked (left), and the significance relative to the DNN's (right: the gain).
    Returns {method: {threshold: reach in GeV or None}}."""
    plt = _pyplot()
    masses = sorted(scan)
    methods = [m for m in ("mpnn", "dnn", "bdt") if "s_over_sqrt_b" in scan[masses[0]].get(m, {})]
    significance = {m: np.array([scan[mass][m]["s_over_sqrt_b"] for mass in masses]) for m in methods}
    reach = {m: {t: evaluation.mass_reach(masses, significance[m], t) for t in thresholds} for m in methods}
    fig, (ax_sig, ax_gain) = plt.subplots(1, 2, figsize=(11, 4.2))
    for method in methods:
        line, = ax_sig.plot(masses, significance[method], STYLES[method], label=LABELS[method])
        for t in thresholds:
            if reach[method][t] is not None:
                ax_sig.plot([reach[method][t]], [t], "|", ms=14, mew=2, color=line.get_color())
        if method != "dnn" and "dnn" in methods:
            ax_gain.plot(masses, significance[method] / significance["dnn"], STYLES[method],
                         color=line.get_color(), label=f"{LABELS[method]} / DNN")
    for t in thresholds:
        ax_sig.axhline(t, color="k", ls=":", lw=1)
        ax_sig.annotate(f"{t:g}σ", (masses[0], t), textcoords="offset points", xytext=(2, 3), fontsize=8)
    gained = [f"{t:g}σ {reach['mpnn'][t] - reach['dnn'][t]:+.0f} GeV" for t in thresholds
              if "mpnn" in reach and "dnn" in reach and None not in (reach["mpnn"][t], reach["dnn"][t])]
    ax_sig.set(xlabel="stop mass (GeV)", ylabel="S/√B at 1/ε_B = 100, 139 fb⁻¹", yscale="log",
               title="significance (| marks the mass reach)")
    ax_gain.axhline(1.0, color="k", ls=":", lw=1)
    ax_gain.set(xlabel="stop mass (GeV)", ylabel="S/√B relative to the DNN")
    ax_gain.set_title("mass reach gained by the MPNN over the DNN: " + (", ".join(gained) or "n/a"), fontsize=10)
    for ax in (ax_sig, ax_gain):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return reach
