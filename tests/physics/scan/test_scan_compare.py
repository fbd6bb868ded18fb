"""The sampler comparison on small budgets (the full runs are benchmarks/scan.py)."""
import json
import math

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.physics.scan.compare import corner_plot, good_threshold, reference_log_evidence, run_sampler, table
from glassnet.physics.scan.testfunctions import (
    MIXTURE_CENTRES, SHELL_CENTRES, egg_box, gaussian_mixture, gaussian_shells,
)

pytest.importorskip("scipy")


def _log_l(problem, x):
    names = problem.likelihood.observables
    return problem.likelihood.log_likelihood([[problem.observable(problem.space.as_dict(p))[n] for n in names]
                                              for p in np.atleast_2d(x)])


def test_good_means_inside_the_one_sigma_region():
    assert good_threshold(egg_box()) == pytest.approx(math.exp(-0.5), rel=1e-3)  # one observable within 1σ
    assert good_threshold(gaussian_mixture()) == pytest.approx(math.exp(-9.30 / 2), rel=1e-2)  # χ²(8 dof) 68.3 %


def test_the_new_problems_have_their_modes_where_they_should():
    shells = gaussian_shells()
    on_rings = np.array([[cx + 2.0, cy] for cx, cy in SHELL_CENTRES])
    np.testing.assert_allclose(_log_l(shells, on_rings), 0.0, atol=1e-12)
    assert list(shells.region(on_rings)) == [0, 1] and _log_l(shells, [[0.0, 0.0]])[0] < -100
    mixture = gaussian_mixture()
    np.testing.assert_allclose(_log_l(mixture, MIXTURE_CENTRES), 0.0, atol=1e-9)
    assert sorted(mixture.region(MIXTURE_CENTRES)) == [0, 1, 2, 3]
    # the exact evidence against plain Monte Carlo around the modes: Z·V = Σ_k (2πσ²)^(d/2)
    rng = np.random.default_rng(0)
    draws = MIXTURE_CENTRES[rng.integers(4, size=4000)] + 0.5 * rng.standard_normal((4000, 8))
    density = np.exp(-((draws[:, None] - MIXTURE_CENTRES) ** 2).sum(-1) / 0.5).sum(1) / 4 / (2 * np.pi * 0.25) ** 4
    monte_carlo = np.mean(np.exp(_log_l(mixture, draws)) / density) / 1e8
    assert math.log(monte_carlo) == pytest.approx(mixture.log_evidence, abs=0.05)


@pytest.mark.parametrize("sampler, budget", [("random", 3000), ("emcee", 3000), ("ml", 600)])
def test_every_sampler_counts_its_evaluations_in_order(sampler, budget):
    problem = egg_box()
    run = run_sampler(sampler, problem, 50, budget, seed=1)
    summary = run.summary(problem, 50)
    assert 0 < len(run.log_likelihood) <= budget + 1000 and run.params.shape == (len(run.log_likelihood), 2)
    np.testing.assert_allclose(run.log_likelihood[:20], _log_l(problem, run.params[:20]))
    good = np.flatnonzero(run.good(good_threshold(problem)))
    assert summary["good"] == len(good) and summary["evaluations_to_n_good"] in (None, good[min(49, len(good) - 1)] + 1)
    if sampler == "random":
        assert run.log_evidence[0] == pytest.approx(reference_log_evidence(problem, grid=400), abs=0.3)
    json.dumps(summary)  # a summary is plain JSON


def test_nested_sampling_gives_the_evidence(tmp_path):
    pytest.importorskip("dynesty")
    pytest.importorskip("corner")
    problem = gaussian_shells()
    run = run_sampler("dynesty", problem, 100, 8000, seed=0)
    log_z, error = run.log_evidence
    assert abs(log_z - reference_log_evidence(problem, grid=600)) < 0.5 + 3 * error
    path = corner_plot(run, problem, tmp_path / "corner.png")
    assert (tmp_path / "corner.png").stat().st_size > 10_000 and path == str(tmp_path / "corner.png")
    assert "| dynesty |" in table([run.summary(problem, 100)], -1.0)


def test_the_compare_command(tmp_path, capsys):
    pytest.importorskip("emcee")
    pytest.importorskip("corner")
    out = tmp_path / "cmp"
    assert main(["scan", "compare", "egg_box", "--samplers", "random,emcee", "--good", "30", "--budget", "3000",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| random |" in printed and "| emcee |" in printed and "18" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert [s["sampler"] for s in summary["runs"]] == ["random", "emcee"]
    assert (out / "egg_box_random.png").exists() and (out / "egg_box_emcee.png").exists()
    assert main(["scan", "compare", "egg_box", "--samplers", "random,mcmc"]) == 2
    assert "sampler must be one of" in capsys.readouterr().err
    assert main(["scan", "compare", "no_problem"]) == 2
    assert "problem must be one of" in capsys.readouterr().err
