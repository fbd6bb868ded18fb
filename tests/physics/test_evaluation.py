import numpy as np
import pytest

from glassnet.physics import evaluation as E
from glassnet.physics.events import BR_SEMILEPTONIC


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    score = np.round(rng.normal(y * 1.5, 1.0), 1)  # rounding makes ties
    return y, score


def test_roc_curve_matches_the_brute_force_reference(scored):
    for got, want in zip(E.roc_curve(*scored), E.roc_curve_reference(*scored)):
        assert np.allclose(got, want)


def test_auc_is_the_probability_that_signal_scores_higher(scored):
    y, score = scored
    s, b = score[y == 1], score[y == 0]
    pairs = (s[:, None] > b[None, :]).mean() + 0.5 * (s[:, None] == b[None, :]).mean()
    assert np.isclose(E.roc_auc(y, score), pairs)
    assert E.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert E.roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0


def test_against_scikit_learn(scored):
    metrics = pytest.importorskip("sklearn.metrics")
    y, score = scored
    fpr, tpr, thresholds = metrics.roc_curve(y, score, drop_intermediate=False)
    ours = E.roc_curve(y, score)
    assert np.allclose(ours[0], fpr) and np.allclose(ours[1], tpr) and np.allclose(ours[2][1:], thresholds[1:])
    assert np.isclose(E.roc_auc(y, score), metrics.roc_auc_score(y, score))


def test_signal_efficiency_at_rejection():
    y = np.r_[np.ones(100), np.zeros(100)]
    score = np.r_[np.arange(100), np.arange(100) - 50.0]  # background = signal shifted by 50
    assert np.isclose(E.signal_efficiency_at_rejection(y, score, 10), 0.6, atol=0.011)
    assert E.signal_efficiency_at_rejection(y, score, 1) == 1.0
    with pytest.raises(ValueError, match=">= 1"):
        E.signal_efficiency_at_rejection(y, score, 0.5)


def test_cross_sections_and_significance():
    assert E.stop_cross_section(500) == 0.518
    assert 0.175 < E.stop_cross_section(550) < 0.518
    with pytest.raises(ValueError, match="tabulated"):
        E.stop_cross_section(2000)
    y = np.r_[np.ones(1000), np.zeros(1000)]
    score = np.r_[np.ones(1000), np.linspace(0, 0.99, 1000)]  # all signal passes any cut
    result = E.significance(y, score, 500, rejection=100, luminosity=100.0)
    signal = 0.518 * 1000 * BR_SEMILEPTONIC * 100.0
    background = 832.0 * 1000 * BR_SEMILEPTONIC * 100.0 / 100
    assert np.isclose(result["signal"], signal) and np.isclose(result["background"], background)
    assert np.isclose(result["s_over_sqrt_b"], signal / np.sqrt(background))


@pytest.mark.parametrize("y, score, message", [
    ([1, 1], [0.1, 0.2], "both signal"),
    ([0, 1, 1], [0.1, 0.2], "differ in length"),
    ([0, 2], [0.1, 0.2], "0 \\(background\\) or 1"),
    ([0, 1], [0.1, np.nan], "NaN"),
])
def test_bad_labels_and_scores(y, score, message):
    with pytest.raises(ValueError, match=message):
        E.roc_auc(y, score)


def test_mass_reach_interpolates_the_falling_significance():
    from glassnet.physics.evaluation import mass_reach
    masses, significance = [400, 600, 800], [40.0, 5.0 * np.e, 5.0 / np.e]
    assert np.isclose(mass_reach(masses, significance, 5.0), 700.0)
    assert mass_reach(masses, significance, 100.0) is None
    assert mass_reach(masses, significance, 1.0) == 800.0


def test_paper_report_states_the_qualitative_result():
    from glassnet.physics.paper import paper_report, qualitative_result
    from glassnet.physics.search import PAPER

    def row(mpnn, dnn):
        return {m: {"auc": 0.9, "s_over_sqrt_b": s} for m, s in (("mpnn", mpnn), ("dnn", dnn), ("bdt", dnn))}
    scan = {400.0: row(80.0, 40.0), 600.0: row(11.0, 8.0), 800.0: row(1.9, 1.6)}
    verdict = qualitative_result(scan)
    assert verdict["above_everywhere"] and verdict["largest_at_lowest"]
    reach = {m: {5.0: 650.0 if m == "mpnn" else 620.0} for m in ("mpnn", "dnn", "bdt")}
    text = paper_report(scan, reach, PAPER, 100.0)
    assert "| 400 | 0.9000 | 0.9000 | 0.9000 | 80 | 40 | 40 | 2.000 |" in text
    assert "| MPNN gain over DNN | +30 |" in text and "at every mass point: yes" in text
    assert "no initial- or final-state radiation" in text
    assert not qualitative_result({**scan, 1000.0: row(0.3, 0.4)})["above_everywhere"]
