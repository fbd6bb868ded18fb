import numpy as np
import pytest

from glassnet.models import Hopfield


def hadamard(n: int) -> np.ndarray:
    h = np.ones((1, 1))
    while len(h) < n:
        h = np.block([[h, h], [h, -h]])
    return h


def flipped(patterns, fraction, rng):
    noisy = patterns.copy()
    for row in noisy:
        row[rng.choice(row.size, int(fraction * row.size), replace=False)] *= -1
    return noisy


def test_storage_is_hebbs_rule_with_a_zero_diagonal():
    xi = np.random.default_rng(0).choice([-1.0, 1.0], (3, 8))
    net = Hopfield(8).store(xi[:2]).store(xi[2:])
    expected = sum(np.outer(p, p) for p in xi) / 8
    np.fill_diagonal(expected, 0)
    assert np.allclose(net.state_dict()["weight"], expected)
    assert not net.state_dict()["threshold"].any()


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_orthogonal_stored_patterns_are_fixed_points(mode):
    patterns = hadamard(64)[1:40]
    net = Hopfield(64).store(patterns)
    assert np.array_equal(net.step(patterns, mode, rng=0), patterns)
    assert np.array_equal(net.recall(patterns, mode, rng=0), patterns)


def test_random_patterns_at_low_load_are_fixed_points_and_recalled_from_20_percent_noise():
    rng = np.random.default_rng(1)
    patterns = rng.choice([-1.0, 1.0], (10, 200))          # load 0.05 N
    net = Hopfield(200).store(patterns)
    assert np.array_equal(net.step(patterns, rng=rng), patterns)
    recalled = net.recall(flipped(patterns, 0.2, rng), rng=rng)
    assert np.array_equal(recalled, patterns)


def test_recall_fails_far_beyond_capacity():
    rng = np.random.default_rng(2)
    patterns = rng.choice([-1.0, 1.0], (60, 200))          # load 0.3 N > 0.14 N
    net = Hopfield(200).store(patterns)
    overlap = (net.recall(flipped(patterns, 0.2, rng), rng=rng) * patterns).mean(axis=1)
    assert np.mean(overlap >= 0.95) < 0.2


def test_asynchronous_updates_never_raise_the_energy():
    rng = np.random.default_rng(3)
    net = Hopfield(50).store(rng.choice([-1.0, 1.0], (12, 50)))
    state = rng.choice([-1.0, 1.0], (20, 50))
    energies = [net.energy(state)]
    for _ in range(10):
        state = net.step(state, rng=rng)
        energies.append(net.energy(state))
    assert np.all(np.diff(energies, axis=0) <= 1e-12)


def test_synchronous_updates_can_cycle_where_asynchronous_ones_settle():
    net = Hopfield(2).store([[1.0, -1.0]])
    start = np.array([1.0, 1.0])
    assert np.array_equal(net.step(net.step(start, "sync"), "sync"), [start])     # a two-state cycle
    assert not np.array_equal(net.step(start, "sync"), [start])
    settled = net.recall(start, "async", rng=0)
    assert np.array_equal(net.step(settled, "async", rng=0)[0], settled)


def test_binary_units_follow_the_same_dynamics_as_bipolar_ones():
    rng = np.random.default_rng(4)
    xi = rng.choice([-1.0, 1.0], (8, 60))
    start = flipped(xi, 0.3, rng)
    bipolar = Hopfield(60).store(xi).recall(start, rng=5)
    binary_net = Hopfield(60, units="binary").store((xi + 1) / 2)
    binary = binary_net.recall((start + 1) / 2, rng=5)
    assert np.array_equal(binary, (bipolar + 1) / 2)
    assert np.allclose(binary_net.state_dict()["threshold"], binary_net.state_dict()["weight"].sum(1) / 2)


def test_bad_states_and_options_get_clear_errors():
    net = Hopfield(4)
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        net.recall(np.ones(5))
    with pytest.raises(ValueError, match="bipolar units expects states of -1 and 1"):
        net.store([[0, 1, 1, 1]])
    with pytest.raises(ValueError, match="mode must be one of"):
        net.step(np.ones(4), mode="parallel")
    with pytest.raises(ValueError, match="units must be one of"):
        Hopfield(4, units="spin")
