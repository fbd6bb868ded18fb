"""ROOT event files: written by uproot itself in Delphes' layout and as a flat ntuple, read chunk by chunk."""
import json

import numpy as np
import pytest

uproot = pytest.importorskip("uproot")
ak = pytest.importorskip("awkward")

from glassnet.physics import eventio, rootfile  # noqa: E402
from glassnet.physics.eventfile import EventFileError, Hdf5Writer, iterate_events, load_events  # noqa: E402
from glassnet.physics.events import FEATURES, concatenate, generate  # noqa: E402

F = {name: FEATURES.index(name) for name in FEATURES}


@pytest.fixture(scope="module")
def sample():
    return generate("stop", 700, rng=4, verbose=0)


def test_toy_events_round_trip_through_a_delphes_file_in_chunks(tmp_path, sample):
    path = tmp_path / "stop.root"
    with rootfile.RootWriter(path) as writer:
        writer.write(sample[:400])
        writer.write(sample[400:])
    tree = uproot.open(path)["Delphes"]
    assert {"Jet.PT", "Jet.BTag", "Electron.Charge", "MissingET.MET", "Jet_size"} <= set(tree.keys())
    chunks = list(rootfile.iterate_root(path, step_size=300))
    assert [len(c) for c in chunks] == [300, 300, 100]
    back = concatenate(chunks)
    assert np.array_equal(back.mask, sample.mask) and back.meta == sample.meta
    assert np.allclose(back.objects, sample.objects, atol=2e-5)
    assert np.allclose(back.momenta, sample.momenta, atol=2e-5)
    assert np.allclose(back.high_level, sample.high_level, rtol=1e-4, atol=1e-3)


def write_delphes_by_hand(path):
    """Three events as Delphes writes them: pT-ordered lists, BTag a bit mask, MET a list of one."""
    def record(**fields):
        return ak.zip({k: ak.Array(v) for k, v in fields.items()})
    with uproot.recreate(path) as f:
        f.mktree("Delphes", {"Jet": record(PT=[[1.0]], Eta=[[0.0]], Phi=[[0.0]], Mass=[[0.0]], BTag=[[0]]).type,
                             "Electron": record(PT=[[1.0]], Eta=[[0.0]], Phi=[[0.0]], Charge=[[0]]).type,
                             "Muon": record(PT=[[1.0]], Eta=[[0.0]], Phi=[[0.0]], Charge=[[0]]).type,
                             "Photon": record(PT=[[1.0]], Eta=[[0.0]], Phi=[[0.0]]).type,
                             "MissingET": record(MET=[[1.0]], Phi=[[0.0]]).type},
                 counter_name=lambda counted: f"{counted}_size", field_name=lambda outer, inner: f"{outer}.{inner}")
        f["Delphes"].extend({
            "Jet": record(PT=[[300.0, 120.0, 80.0, 50.0, 30.0], [40.0], []],
                          Eta=[[0.1, -1.0, 2.0, 0.5, 0.0], [1.2], []], Phi=[[0.0, 1.0, 2.0, 3.0, -1.0], [0.5], []],
                          Mass=[[20.0, 10.0, 8.0, 5.0, 3.0], [4.0], []], BTag=[[0, 3, 2, 1, 1], [1], []]),
            "Electron": record(PT=[[25.0], [], []], Eta=[[0.3], [], []], Phi=[[1.5], [], []], Charge=[[-1], [], []]),
            "Muon": record(PT=[[60.0], [], [35.0]], Eta=[[-0.2], [], [1.0]], Phi=[[-2.0], [], [0.2]],
                           Charge=[[1], [], [-1]]),
            "Photon": record(PT=[[], [70.0], []], Eta=[[], [0.4], []], Phi=[[], [2.5], []]),
            "MissingET": record(MET=[[150.0], [20.0], [90.0]], Phi=[[0.7], [-3.0], [1.0]])})


def test_a_delphes_file_written_by_uproot(tmp_path):
    path = tmp_path / "delphes.root"
    write_delphes_by_hand(path)
    events = concatenate(rootfile.iterate_root(path, max_objects={"lepton": 1, "photon": 1, "jet": 3}))
    assert events.objects.shape == (3, 6, 7)
    first = events.objects[0][events.mask[0]]
    # the leading lepton is the 60 GeV muon (+1), then the three leading jets (b-tag = bit 0 of BTag), the MET
    assert first[0, F["lepton_charge"]] == 1 and np.isclose(first[0, F["pt"]], 0.060)
    assert np.allclose(first[1:4, F["pt"]], [0.300, 0.120, 0.080]) and first[1:4, F["bjet"]].tolist() == [-1, 1, -1]
    assert first[4, F["met"]] == 1 and np.isclose(first[4, F["pt"]], 0.150) and len(first) == 5
    second = events.objects[1][events.mask[1]]
    assert second[:, F["photon"]].tolist() == [1, 0, 0] and second[1, F["bjet"]] == 1
    assert events.mask.sum(axis=1).tolist() == [5, 3, 2]
    assert np.allclose(events.momenta[2, 1], [0.090, 0.090 * np.cos(1.0), 0.090 * np.sin(1.0), 0.0], atol=1e-7)
    assert events.high_level[0, 3] == 3 and events.high_level[0, 4] == 1  # n_jets, n_bjets over the kept jets


def test_a_flat_ntuple_through_a_mapping_file(tmp_path, sample):
    path, mapping = tmp_path / "flat.root", tmp_path / "mapping.json"
    mapping.write_text(json.dumps({
        "tree": "events",
        "jet": {"pt": "j_pt", "eta": "j_eta", "phi": "j_phi", "mass": "j_m", "btag": "j_b"},
        "muon": {"pt": "mu_pt", "eta": "mu_eta", "phi": "mu_phi", "charge": "mu_q"},
        "met": {"met": "met", "phi": "met_phi"}}))
    layout = rootfile.load_layout(mapping)
    with rootfile.RootWriter(path, layout) as writer:  # leptons are written where the layout has room: muons
        writer.write(sample)
    tree = uproot.open(path)["events"]
    assert tree["met"].array(library="np").ndim == 1, "one number per event in a flat ntuple"
    back = eventio.read_any(path, layout)
    assert np.array_equal(back.mask, sample.mask) and np.allclose(back.objects, sample.objects, atol=2e-5)


def test_layout_and_file_mistakes_are_named(tmp_path, sample):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tree": "t", "jet": {"pt": "a"}, "met": {"met": "m", "phi": "p"}}))
    with pytest.raises(EventFileError, match="'jet' needs branches for eta, phi, mass, btag"):
        rootfile.load_layout(bad)
    bad.write_text("{not json")
    with pytest.raises(EventFileError, match="not readable JSON"):
        rootfile.load_layout(bad)
    path = tmp_path / "stop.root"
    with rootfile.RootWriter(path) as writer:
        writer.write(sample[:10])
    other = rootfile.Layout("Delphes", {**rootfile.DELPHES.branches, "met": {"met": "MET.Value", "phi": "MET.Phi"}})
    with pytest.raises(EventFileError, match="has no branch MET.Value, MET.Phi"):
        next(rootfile.iterate_root(path, other))
    with pytest.raises(EventFileError, match="has no tree 'events'"):
        next(rootfile.iterate_root(path, rootfile.Layout("events", rootfile.DELPHES.branches)))
    (tmp_path / "junk.root").write_bytes(b"not a root file at all" * 10)
    with pytest.raises(EventFileError, match="is not readable"):
        next(rootfile.iterate_root(tmp_path / "junk.root"))
    with pytest.raises(EventFileError, match="unknown kind '.csv'"):
        eventio.kind_of("events.csv")


def test_hdf5_chunks_append_and_stream(tmp_path, sample):
    path = tmp_path / "stop.h5"
    with eventio.open_writer(path) as writer:
        assert isinstance(writer, Hdf5Writer)
        for start in range(0, 700, 250):
            writer.write(sample[start:start + 250])
    assert not path.exists() or writer.count == 700
    whole = load_events(path)
    assert np.array_equal(whole.objects, sample.objects) and whole.meta == sample.meta
    chunks = list(iterate_events(path, step_size=300))
    assert [len(c) for c in chunks] == [300, 300, 100]
    assert np.array_equal(concatenate(chunks).high_level, sample.high_level)
    assert eventio.info(path) == (700, sample.meta)


def test_a_failed_root_write_leaves_nothing(tmp_path, sample):
    path = tmp_path / "stop.root"
    with pytest.raises(ZeroDivisionError):
        with rootfile.RootWriter(path) as writer:
            writer.write(sample[:5])
            1 / 0
    assert list(tmp_path.iterdir()) == []
