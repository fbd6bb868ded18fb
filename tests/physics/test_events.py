import time

import numpy as np
import pytest

from glassnet.physics import events as ev
from glassnet.physics.detector import Detector


@pytest.fixture(scope="module")
def samples():
    return {p: ev.generate(p, 20_000, rng=3, verbose=0) for p in ev.PROCESSES}


def test_layout_of_objects_and_mask(samples):
    for sample in samples.values():
        n, n_objects = len(sample), ev.MAX_OBJECTS
        assert sample.objects.shape == (n, n_objects, 7) and sample.objects.dtype == np.float32
        assert sample.momenta.shape == (n, n_objects, 4) and sample.mask.dtype == bool
        assert sample.high_level.shape == (n, len(ev.HIGH_LEVEL))
        assert not np.any(sample.objects[~sample.mask]) and not np.any(sample.momenta[~sample.mask])
        assert np.all(np.diff(sample.mask.astype(int), axis=1) <= 0), "real objects come first"
        met = sample.objects[..., 3] == 1
        assert np.all(met.sum(axis=1) == 1)
        assert np.all(sample.objects[..., 0] == 0), "the toy makes no photons"
        charge, bjet = sample.objects[..., 1], sample.objects[..., 2]
        assert set(np.unique(charge)) <= {-1, 0, 1} and set(np.unique(bjet)) <= {-1, 0, 1}
        assert not np.any((charge != 0) & (bjet != 0)), "a lepton is not a jet"
        real = sample.mask
        assert np.all(sample.objects[..., 5][real] >= sample.objects[..., 4][real] * (1 - 1e-5)), "E >= pT"


def test_lepton_first_then_jets_by_decreasing_pt(samples):
    sample = samples["ttbar"]
    jets = sample.objects[..., 2] != 0
    pt = np.where(jets, sample.objects[..., 4], np.inf)
    jets_pt = [row[np.isfinite(row)] for row in pt[:500]]
    assert all(np.all(np.diff(row) <= 0) for row in jets_pt)
    has_lepton = sample.objects[:, 0, 1] != 0
    assert has_lepton.mean() > 0.8


def test_the_physics_differs_where_it_should(samples):
    index = {name: i for i, name in enumerate(ev.HIGH_LEVEL)}
    ttbar, stop = samples["ttbar"].high_level, samples["stop"].high_level
    assert stop[:, index["met"]].mean() > 2 * ttbar[:, index["met"]].mean()
    # in t t̄ the only neutrino comes from the lepton's W: m_T mostly below m_W, stops have a tail
    ttbar_tail, stop_tail = (np.mean(hl[:, index["mt"]] > 0.12) for hl in (ttbar, stop))
    assert ttbar_tail < 0.05 < 0.3 < stop_tail
    n_b = ttbar[:, index["n_bjets"]]
    assert 1.0 < n_b.mean() < 1.5  # two b quarks × 70 % efficiency × acceptance


def test_same_seed_same_events_and_different_seed_different():
    a, b = (ev.generate("stop", 1000, rng=11, verbose=0) for _ in range(2))
    c = ev.generate("stop", 1000, rng=12, verbose=0)
    assert np.array_equal(a.objects, b.objects) and not np.array_equal(a.objects, c.objects)
    chunked = ev.generate("stop", 1000, rng=11, chunk_size=300, verbose=0)
    assert chunked.objects.shape == a.objects.shape


def test_a_heavier_stop_gives_harder_events():
    light = ev.generate("stop", 5000, m_stop=400, m_neutralino=100, rng=1, verbose=0)
    heavy = ev.generate("stop", 5000, m_stop=1000, m_neutralino=100, rng=1, verbose=0)
    assert heavy.high_level[:, 0].mean() > 1.5 * light.high_level[:, 0].mean()
    assert light.meta == {"process": "stop", "m_stop": 400.0, "m_neutralino": 100.0, "sqrt_s": 13000.0, "seed": 1}


def test_generator_speed_extrapolates_below_a_minute_per_million():
    """CPU time (not wall time: the test machine is shared) for 100 000 events, times 10 < 60 s."""
    ev.generate("ttbar", 1000, rng=0, verbose=0)
    start = time.process_time()
    ev.generate("stop", 100_000, rng=0, verbose=0)
    assert (time.process_time() - start) * 10 < 60


@pytest.mark.parametrize("kwargs, message", [
    (dict(process="higgs"), "unknown process 'higgs'"),
    (dict(process="stop", m_stop=300, m_neutralino=200), "closed"),
    (dict(process="stop", m_stop=500, m_neutralino=-1), ">= 0"),
    (dict(process="ttbar", n=0), "positive integer"),
    (dict(process="stop", m_stop=7000), "threshold"),
])
def test_bad_input_is_a_clear_error(kwargs, message):
    kwargs = {"n": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        ev.generate(kwargs.pop("process"), kwargs.pop("n"), verbose=0, **kwargs)


def test_bad_detector_parameters():
    with pytest.raises(ValueError, match="btag_efficiency"):
        Detector(btag_efficiency=1.5)
    with pytest.raises(ValueError, match="jet_pt_min"):
        Detector(jet_pt_min=-1)
