import numpy as np
import pytest

from glassnet.physics.scan import MCMCScan, MLScan, RandomScan
from glassnet.physics.scan.proposal import density_log_penalty
from glassnet.physics.scan.testfunctions import egg_box, valid_region

SMALL = dict(hidden=(32, 32), first_train_steps=300, train_steps=60, n_candidates=5000, workers=0, verbose=0)


def _scan(cls, problem, path, **options):
    return cls(problem.space, problem.observable, problem.likelihood, path, **options)


@pytest.mark.parametrize("cls, options", [(RandomScan, dict(batch_size=30)), (MCMCScan, dict(n_chains=7))])
def test_baselines_resume_into_the_same_scan(tmp_path, cls, options):
    problem = egg_box()
    whole = _scan(cls, problem, tmp_path / "a.csv", workers=0, verbose=0, **options).run(100)
    _scan(cls, problem, tmp_path / "b.csv", workers=0, verbose=0, **options).run(60)
    resumed = _scan(cls, problem, tmp_path / "b.csv", workers=0, verbose=0, **options).run(100, resume=True)
    np.testing.assert_array_equal(whole.params, resumed.params)
    np.testing.assert_array_equal(whole.id, resumed.id)


def test_mcmc_chains_move_towards_high_likelihood(tmp_path):
    problem = egg_box()
    scan = _scan(MCMCScan, problem, tmp_path / "r.csv", n_chains=10, step_size=0.01, workers=0, verbose=0)
    results = scan.run(800)
    late = results.iteration >= 60
    assert results.good(0.9)[late].mean() > 0.1  # a random scan's share is 2%
    assert 0 < scan.accepted < len(results)


def test_same_seed_same_scan(tmp_path):
    problem = egg_box()
    a = _scan(MLScan, problem, tmp_path / "a.csv", n_initial=40, batch_size=20, **SMALL).run(80)
    b = _scan(MLScan, problem, tmp_path / "b.csv", n_initial=40, batch_size=20, **SMALL).run(80)
    np.testing.assert_array_equal(a.params, b.params)
    assert set(a.origin) == {"initial", "ml", "random"}
    assert (a.origin == "random").sum() == 4  # 10% of each of the two batches of 20


def test_validity_classifier_keeps_proposals_out_of_the_invalid_region(tmp_path):
    problem = valid_region()
    invalid_share = {}
    for classifier in (False, True):
        scan = _scan(MLScan, problem, tmp_path / f"{classifier}.csv", n_initial=150, batch_size=75,
                     validity_classifier=classifier, **SMALL)
        results = scan.run(450)
        ml = results.origin == "ml"
        invalid_share[classifier] = (~results.valid[ml]).mean()
    assert invalid_share[True] < 0.5 * invalid_share[False]


def test_density_penalty_lowers_the_weight_near_found_points():
    good = np.array([[0.5, 0.5], [0.51, 0.5], [0.9, 0.9]])
    u = np.array([[0.5, 0.505], [0.1, 0.1]])
    np.testing.assert_allclose(density_log_penalty(u, good, strength=2.0, radius=0.02), [-np.log(5), 0.0])


def test_ml_scan_beats_random_on_the_egg_box(tmp_path):
    problem = egg_box()
    ml = _scan(MLScan, problem, tmp_path / "ml.csv", n_initial=200, batch_size=100, n_candidates=10000,
               first_train_steps=600, train_steps=150, lr=1e-2, workers=0, verbose=0).run(1200)
    random = _scan(RandomScan, problem, tmp_path / "random.csv", batch_size=200, workers=0, verbose=0).run(1200)
    ml_good, random_good = ml.good(0.9), random.good(0.9)
    assert ml_good.mean() > 5 * random_good.mean()
    assert problem.regions_found(ml.params, ml_good) >= 16
    late = ml.iteration >= 6
    assert ml_good[late].mean() > 10 * random_good.mean()


@pytest.mark.parametrize("target", ["observables", "log_likelihood"])
def test_density_penalty_and_log_likelihood_target(tmp_path, target):
    problem = egg_box()
    options = dict(n_initial=60, batch_size=30, target=target, **SMALL)
    plain = _scan(MLScan, problem, tmp_path / "a.csv", **options)
    results = plain.run(90)
    penalized = _scan(MLScan, problem, tmp_path / "b.csv", density_penalty=3.0, density_radius=0.05, **options)
    penalized.regressor = plain.regressor  # the same surrogate, to compare the weights alone
    u = np.random.default_rng(0).random((500, 2))
    good = problem.space.to_unit(results.params[results.likelihood > 0.1])
    assert len(good)
    np.testing.assert_allclose(penalized._log_weight(u, good) - plain._log_weight(u, good),
                               density_log_penalty(u, good, 3.0, 0.05))
    assert plain.predict_log_likelihood(u).shape == (500,)
