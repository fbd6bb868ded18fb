import numpy as np
import pytest

from glassnet.physics import events as ev
from glassnet.physics import kinematics as kin
from glassnet.physics.graphs import MET_FLAG, EventGraphs, Gaussians, delta_r_matrix, event_graphs, gaussian_rbf


@pytest.fixture(scope="module")
def sample():
    return ev.generate("stop", 300, rng=5, verbose=0)


def boost_sample_along_beam(sample, beta_z):
    """Boost every visible object along z (the MET row has no longitudinal part and stays)."""
    visible = sample.mask & (sample.objects[..., MET_FLAG] == 0)
    momenta = np.where(visible[..., None], kin.boost_z(sample.momenta.astype(np.float64), beta_z), sample.momenta)
    return momenta


def test_boost_along_the_beam_leaves_delta_r_unchanged(sample):
    is_met = sample.objects[..., MET_FLAG] == 1
    before = delta_r_matrix(sample.momenta, is_met, sample.mask)
    for beta_z in (-0.9, 0.3, 0.99):
        after = delta_r_matrix(boost_sample_along_beam(sample, beta_z), is_met, sample.mask)
        assert np.allclose(before, after, atol=2e-4)


def test_distances_are_symmetric_zero_on_diagonal_and_padding(sample):
    graphs = event_graphs(sample)
    d = graphs.distances
    assert np.allclose(d, d.transpose(0, 2, 1))
    assert not np.any(d[:, np.arange(6), np.arange(6)])
    pair_padded = ~(sample.mask[:, :, None] & sample.mask[:, None, :])
    assert not np.any(d[pair_padded])
    real = sample.mask[:, :, None] & sample.mask[:, None, :] & ~np.eye(6, dtype=bool)
    assert np.all(d[real] > 0)


def test_edges_to_the_met_are_the_azimuthal_distance(sample):
    row = 0
    met = int(np.flatnonzero(sample.objects[row, :, MET_FLAG])[0])
    phis = kin.phi(sample.momenta[row].astype(np.float64))
    expected = np.abs(kin.wrap_phi(phis - phis[met]))
    d = event_graphs(sample).distances[row, met]
    assert np.allclose(d[sample.mask[row]], expected[sample.mask[row]], atol=1e-5)


def test_edge_features_are_gaussian_rbf_and_zero_without_an_edge(sample):
    graphs = event_graphs(sample, Gaussians(n_centers=11, r_max=5.0, sigma=None))
    edges = graphs.edges()
    assert edges.shape == (300, 6, 6, 11) and edges.dtype == np.float32
    no_edge = ~(sample.mask[:, :, None] & sample.mask[:, None, :]) | np.eye(6, dtype=bool)
    assert not np.any(edges[no_edge])
    assert not np.any(graphs.nodes[~graphs.mask])
    rbf = gaussian_rbf(np.array([1.0]), n_centers=11, r_max=5.0)[0]
    assert np.argmax(rbf) == 2 and np.isclose(rbf[2], 1.0)
    assert np.isclose(rbf[3], np.exp(-0.5 * (0.5 / 0.5) ** 2))


def test_indexing_keeps_the_rbf_settings(sample):
    graphs = event_graphs(sample, Gaussians(n_centers=8))
    part = graphs[:10]
    assert isinstance(part, EventGraphs) and part.edges().shape == (10, 6, 6, 8)


def test_gaussian_rbf_needs_two_centers():
    with pytest.raises(ValueError, match="at least 2"):
        gaussian_rbf(np.zeros(3), n_centers=1)


def test_the_default_expansion_is_the_papers_21_gaussians_of_width_a_quarter():
    rbf = gaussian_rbf(np.array([1.3]))[0]
    centers = np.linspace(0, 5, 21)
    assert rbf.shape == (21,) and np.allclose(rbf, np.exp(-(1.3 - centers) ** 2 / (2 * 0.25 ** 2)), atol=1e-6)
    assert np.allclose(Gaussians()(np.array([1.3]))[0], rbf)
    wide = gaussian_rbf(np.array([1.3]), n_centers=11, sigma=1.0)[0]
    assert np.allclose(wide, np.exp(-(1.3 - np.linspace(0, 5, 11)) ** 2 / 2), atol=1e-6)
    with pytest.raises(ValueError, match="positive width"):
        gaussian_rbf(np.zeros(3), sigma=0.0)
