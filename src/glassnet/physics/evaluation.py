"""How well a classifier separates signal from background: ROC curves, AUC, signal efficiency at fixed
background rejection, and the expected significance S/√B at a working point.

Cross-sections used (pp at √s = 13 TeV, in pb, approximate to a few percent):

- t t̄: 832 pb, the NNLO+NNLL value for m_t = 172.5 GeV (Top++ v2.0, Czakon–Fiedler–Mitov).
- t̃ t̃*: ``STOP_CROSS_SECTIONS``, the NLO+NNLL values of the LHC SUSY Cross Section Working Group
  (Borschensky et al., 2014), read off its table at a few masses and interpolated log-linearly in between.

Both are multiplied by the one-lepton branching ratio ``events.BR_SEMILEPTONIC`` (the generator makes
only that channel). The default integrated luminosity is 139 fb⁻¹ (the LHC's Run 2). Efficiencies are
relative to all generated one-lepton events (the toy applies no separate preselection).
"""
from __future__ import annotations

import numpy as np

from .events import BR_SEMILEPTONIC

TTBAR_CROSS_SECTION = 832.0           # pb
STOP_CROSS_SECTIONS = {               # m_stop (GeV): σ (pb), 13 TeV NLO+NNLL
    200: 64.5, 300: 8.52, 400: 1.84, 500: 0.518, 600: 0.175, 700: 0.0670, 800: 0.0283,
    900: 0.0128, 1000: 0.00615, 1200: 0.00170,
}
LUMINOSITY = 139.0                    # fb⁻¹
PB_TO_FB = 1000.0


def _labels_scores(y_true, score) -> tuple[np.ndarray, np.ndarray]:
    y_true, score = np.asarray(y_true).ravel(), np.asarray(score, dtype=np.float64).ravel()
    if y_true.shape != score.shape:
        raise ValueError(f"labels and scores differ in length: {y_true.shape[0]} vs {score.shape[0]}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("labels must be 0 (background) or 1 (signal)")
    if y_true.min() == y_true.max():
        raise ValueError("a ROC curve needs both signal (1) and background (0) events")
    if not np.isfinite(score).all():
        raise ValueError("scores contain NaN or infinite values")
    return y_true.astype(bool), score


def roc_curve(y_true, score) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) as scikit-learn's: selecting score >= thresholds[k] keeps a fraction
    tpr[k] of the signal and fpr[k] of the background; thresholds decrease, the first is +inf."""
    y_true, score = _labels_scores(y_true, score)
    order = np.argsort(-score, kind="mergesort")
    score, y_true = score[order], y_true[order]
    last_of_each_value = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    true_positives = np.cumsum(y_true)[last_of_each_value]
    false_positives = (last_of_each_value + 1) - true_positives
    tpr = np.r_[0.0, true_positives / true_positives[-1]]
    fpr = np.r_[0.0, false_positives / false_positives[-1]]
    return fpr, tpr, np.r_[np.inf, score[last_of_each_value]]


def roc_auc(y_true, score) -> float:
    """Area under the ROC curve (trapezoids): the probability that a random signal event scores
    higher than a random background event (ties count one half)."""
    fpr, tpr, _ = roc_curve(y_true, score)
    return float(np.trapezoid(tpr, fpr))


def signal_efficiency_at_rejection(y_true, score, rejection: float) -> float:
    """ε_S at the working point where the background efficiency is ε_B = 1/rejection (interpolated)."""
    if rejection < 1:
        raise ValueError(f"background rejection 1/ε_B must be >= 1, got {rejection}")
    fpr, tpr, _ = roc_curve(y_true, score)
    return float(np.interp(1.0 / rejection, fpr, tpr))


def stop_cross_section(m_stop: float) -> float:
    """σ(pp → t̃ t̃*) at 13 TeV in pb, interpolated log-linearly in ``STOP_CROSS_SECTIONS``."""
    masses = np.array(sorted(STOP_CROSS_SECTIONS))
    if not masses[0] <= m_stop <= masses[-1]:
        raise ValueError(f"stop cross-sections are tabulated for {masses[0]}-{masses[-1]} GeV, got {m_stop:g}")
    log_sigma = np.log([STOP_CROSS_SECTIONS[m] for m in masses])
    return float(np.exp(np.interp(m_stop, masses, log_sigma)))


def significance(y_true, score, m_stop: float, rejection: float = 100.0,
                 luminosity: float = LUMINOSITY) -> dict:
    """Expected events and S/√B after the cut at background rejection ``rejection``:
    S = σ_t̃t̃ · BR · L · ε_S,  B = σ_tt̄ · BR · L · ε_B  (σ in pb → fb, L in fb⁻¹)."""
    efficiency = signal_efficiency_at_rejection(y_true, score, rejection)
    signal = stop_cross_section(m_stop) * PB_TO_FB * BR_SEMILEPTONIC * luminosity * efficiency
    background = TTBAR_CROSS_SECTION * PB_TO_FB * BR_SEMILEPTONIC * luminosity / rejection
    return {"signal": signal, "background": background, "s_over_sqrt_b": float(signal / np.sqrt(background)),
            "signal_efficiency": efficiency, "background_efficiency": 1.0 / rejection}


def mass_reach(masses, significances, threshold: float = 5.0) -> float | None:
    """The largest stop mass still reaching S/√B >= ``threshold``: where the significance, falling with the
    mass, crosses the threshold, interpolated linearly in (m, ln S/√B) between the mass points. None if
    no mass point reaches it; the heaviest mass if all do (the reach is then at least that)."""
    masses, significances = np.asarray(masses, float), np.asarray(significances, float)
    above = significances >= threshold
    if not above.any():
        return None
    last = int(np.flatnonzero(above)[-1])
    if last == len(masses) - 1:
        return float(masses[-1])
    low, high = np.log(significances[last]), np.log(max(significances[last + 1], 1e-12))
    fraction = (low - np.log(threshold)) / (low - high)
    return float(masses[last] + fraction * (masses[last + 1] - masses[last]))


def roc_curve_reference(y_true, score):
    """The ROC points by brute force, one threshold at a time (for reading and tests)."""
    y_true, score = _labels_scores(y_true, score)
    thresholds = np.r_[np.inf, np.unique(score)[::-1]]
    tpr = [np.mean(score[y_true] >= t) for t in thresholds]
    fpr = [np.mean(score[~y_true] >= t) for t in thresholds]
    return np.array(fpr), np.array(tpr), thresholds
