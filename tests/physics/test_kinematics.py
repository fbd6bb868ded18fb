import numpy as np
import pytest

from glassnet.physics import kinematics as kin
from glassnet.physics.events import sample_cos_theta


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def random_vectors(rng, n, mass=10.0):
    return kin.from_pt_eta_phi_m(rng.uniform(5, 500, n), rng.uniform(-3, 3, n), rng.uniform(-np.pi, np.pi, n),
                                 np.full(n, mass))


def test_from_pt_eta_phi_m_round_trip(rng):
    p = random_vectors(rng, 100, mass=4.7)
    assert np.allclose(kin.mass(p), 4.7, rtol=1e-6)
    massless = kin.from_pt_eta_phi_m(kin.pt(p), kin.pseudorapidity(p), kin.phi(p), 0.0)
    assert np.allclose(kin.rapidity(massless), kin.pseudorapidity(p))


def test_boost_keeps_mass_and_undoes_itself(rng):
    p = random_vectors(rng, 50, mass=80.4)
    beta = rng.uniform(-0.5, 0.5, (50, 3))
    boosted = kin.boost(p, beta)
    assert np.allclose(kin.mass(boosted), 80.4, rtol=1e-6)
    assert np.allclose(kin.boost(boosted, -beta), p, rtol=1e-9, atol=1e-9)
    assert np.allclose(kin.velocity(kin.boost(np.array([80.4, 0, 0, 0.0]), beta[0])), beta[0])


def test_boost_along_the_beam_shifts_rapidity_and_keeps_delta_r(rng):
    p = random_vectors(rng, 6, mass=30.0)
    boosted = kin.boost_z(p, 0.8)
    assert np.allclose(kin.rapidity(boosted) - kin.rapidity(p), np.arctanh(0.8))
    before = kin.delta_r(kin.rapidity(p), kin.phi(p))
    after = kin.delta_r(kin.rapidity(boosted), kin.phi(boosted))
    assert np.allclose(before, after, atol=1e-9)
    # with the pseudorapidity of massive objects it would not be invariant
    eta_after = kin.delta_r(kin.pseudorapidity(boosted), kin.phi(boosted))
    assert not np.allclose(kin.delta_r(kin.pseudorapidity(p), kin.phi(p)), eta_after, atol=1e-3)


def test_delta_r_matches_the_loop_reference(rng):
    y, azimuth = rng.normal(size=7), rng.uniform(-np.pi, np.pi, 7)
    assert np.allclose(kin.delta_r(y, azimuth), kin.delta_r_reference(y, azimuth))
    assert np.isclose(kin.delta_r(np.zeros(2), np.array([3.0, -3.0]))[0, 1], 2 * np.pi - 6.0)


def test_two_body_decay_conserves_four_momentum(rng):
    top = random_vectors(rng, 1000, mass=172.5)
    b, w = kin.two_body_decay(top, 4.7, 80.4, rng)
    assert np.allclose(b + w, top, rtol=1e-9, atol=1e-8)
    assert np.allclose(kin.mass(b), 4.7, rtol=1e-5) and np.allclose(kin.mass(w), 80.4, rtol=1e-7)
    rest_b, _ = kin.two_body_decay(np.array([[172.5, 0, 0, 0.0]]), 4.7, 80.4, rng)
    assert np.isclose(np.linalg.norm(rest_b[0, 1:]), kin.two_body_momentum(172.5, 4.7, 80.4))


def test_two_body_decay_below_threshold_is_an_error(rng):
    with pytest.raises(ValueError, match="closed"):
        kin.two_body_decay(np.array([[50.0, 0, 0, 0]]), 40.0, 20.0, rng)


def test_transverse_mass_has_the_w_endpoint(rng):
    w = kin.from_pt_eta_phi_m(rng.uniform(0, 100, 5000), rng.uniform(-2, 2, 5000), rng.uniform(-3, 3, 5000), 80.4)
    lepton, neutrino = kin.two_body_decay(w, 0.0, 0.0, rng)
    mt = kin.transverse_mass(lepton, neutrino[:, 1], neutrino[:, 2])
    assert mt.max() <= 80.4 + 1e-6 and mt.max() > 78


@pytest.mark.parametrize("shape, mean_c2", [("vector", 0.4), ("scalar", 0.2)])
def test_production_angle_distributions(rng, shape, mean_c2):
    """E[cos²θ] is 2/5 for 1 + cos²θ and 1/5 for sin²θ."""
    c = sample_cos_theta(200_000, shape, rng)
    assert np.all(np.abs(c) <= 1 + 1e-12)
    assert abs(np.mean(c ** 2) - mean_c2) < 0.005
