"""The report of ``glassnet events compare --paper``: the network of Abdughani, Ren, Wu, Yang (JHEP 2019,
arXiv:1807.09088) against a DNN and a BDT at every stop mass point, on glassnet's toy events.

What differs from the paper, said plainly (the numbers here are the toy's, not the paper's):

- Events: glassnet's generator (``physics.events``) is leading-order 2 → 2 kinematics from a toy parton
  luminosity, with no initial- or final-state radiation, parton shower, hadronization, underlying
  event or pile-up, on-shell tops and Ws and no spin correlations; only the one-lepton (e, μ) channel.
  Every event has at most one lepton, four jets and the MET (6 nodes), where a full simulation has
  extra radiation jets and a varying number of objects.
- Detector: ``physics.detector`` smears each parton into exactly one jet with Gaussian resolutions,
  b-tags with a fixed efficiency, and has no fakes, no photons and no jet clustering; a Delphes-style
  simulation does all of these. No preselection cuts are applied.
- Statistics: S/√B at a fixed background rejection (1/ε_B = 100) for 139 fb⁻¹, with the 13 TeV NLO+NNLL
  stop cross-sections and σ(tt̄) = 832 pb times the one-lepton branching ratio; no systematic
  uncertainties and no fit. A real analysis would also optimise the cut per mass point.
- Same as the paper: the seven node features, 30-dim states, ΔR in 21 Gaussians on [0, 5] with σ = 0.25,
  the message and update forms, T = 2, the averaged per-node sigmoid vote, BCE, Adam 1e-3, batch 500.
  Messages are summed over the other nodes (j ≠ i).
"""
from __future__ import annotations

from . import evaluation

DIFFERENCES = __doc__.split("said plainly (the numbers here are the toy's, not the paper's):", 1)[1].strip()


def paper_report(scan: dict, reach: dict, settings, m_neutralino: float) -> str:
    """Markdown: the settings, a table per mass point (AUC and S/√B of each method, MPNN / DNN), the mass
    reach of each method at 2σ and 5σ and the gain over the DNN, and how the toy differs from the paper."""
    masses = sorted(scan)
    lines = [f"# The paper's comparison on glassnet's toy events (neutralino {m_neutralino:g} GeV)", "",
             f"{settings.n_events} events per class per mass point, {settings.test_fraction:.0%} held out; "
             f"networks: {settings.epochs} epochs, Adam lr {settings.lr:g}, batch {settings.batch_size}; "
             f"BDT: {settings.bdt_trees} trees of depth {settings.bdt_depth}. S/√B at 1/ε_B = 100, "
             f"{evaluation.LUMINOSITY:g} fb⁻¹.", "",
             "| m_stop (GeV) | AUC MPNN | AUC DNN | AUC BDT | S/√B MPNN | S/√B DNN | S/√B BDT | MPNN / DNN |",
             "|---|---|---|---|---|---|---|---|"]
    for mass in masses:
        r = scan[mass]
        ratio = r["mpnn"]["s_over_sqrt_b"] / r["dnn"]["s_over_sqrt_b"]
        lines.append(f"| {mass:g} | {r['mpnn']['auc']:.4f} | {r['dnn']['auc']:.4f} | {r['bdt']['auc']:.4f} | "
                     f"{r['mpnn']['s_over_sqrt_b']:.3g} | {r['dnn']['s_over_sqrt_b']:.3g} | "
                     f"{r['bdt']['s_over_sqrt_b']:.3g} | {ratio:.3f} |")
    lines += ["", "| mass reach (GeV) | " + " | ".join(f"{t:g}σ" for t in reach["mpnn"]) + " |",
              "|---|" + "---|" * len(reach["mpnn"])]
    for method in ("mpnn", "dnn", "bdt"):
        lines.append(f"| {method} | " + " | ".join(_reach_text(reach[method][t], masses) for t in reach[method]) + " |")
    gains = {t: (reach["mpnn"][t] - reach["dnn"][t]) if None not in (reach["mpnn"][t], reach["dnn"][t]) else None
             for t in reach["mpnn"]}
    lines.append("| MPNN gain over DNN | " + " | ".join("n/a" if g is None else f"{g:+.0f}" for g in gains.values())
                 + " |")
    verdict = qualitative_result(scan)
    lines += ["", f"MPNN above DNN in S/√B at every mass point: {'yes' if verdict['above_everywhere'] else 'NO'}; "
                  f"largest MPNN / DNN ratio at {verdict['largest_gap_mass']:g} GeV "
                  f"({'the lowest mass' if verdict['largest_at_lowest'] else 'not the lowest mass'}).",
              "", "How the toy differs from the paper:", "", DIFFERENCES, ""]
    return "\n".join(lines)


def _reach_text(value, masses) -> str:
    if value is None:
        return f"< {min(masses):g}"
    return f">= {value:.0f}" if value == max(masses) else f"{value:.0f}"


def qualitative_result(scan: dict) -> dict:
    """Whether the MPNN's S/√B beats the DNN's at every mass, and where the ratio MPNN / DNN is largest."""
    masses = sorted(scan)
    ratios = {m: scan[m]["mpnn"]["s_over_sqrt_b"] / scan[m]["dnn"]["s_over_sqrt_b"] for m in masses}
    largest = max(ratios, key=ratios.get)
    return {"above_everywhere": all(r > 1 for r in ratios.values()), "ratios": ratios,
            "largest_gap_mass": largest, "largest_at_lowest": largest == masses[0]}
