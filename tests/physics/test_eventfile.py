import json

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from glassnet.physics import events as ev  # noqa: E402
from glassnet.physics.eventfile import EventFileError, load_events, save_events  # noqa: E402
from glassnet.physics.search import make_dataset  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    return ev.generate("stop", 500, m_stop=600, m_neutralino=50, rng=2, verbose=0)


def test_round_trip(tmp_path, sample):
    path = tmp_path / "stop.h5"
    save_events(sample, path)
    loaded = load_events(path)
    for name in ("objects", "momenta", "mask", "high_level"):
        assert np.array_equal(getattr(loaded, name), getattr(sample, name))
    assert loaded.meta == sample.meta
    assert [p.name for p in tmp_path.iterdir()] == ["stop.h5"], "no temporary file left"


def test_a_truncated_file_is_a_clear_error(tmp_path, sample):
    path = tmp_path / "stop.h5"
    save_events(sample, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(EventFileError, match="corrupt or truncated"):
        load_events(path)


def test_a_text_file_is_not_an_events_file(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("hello")
    with pytest.raises(EventFileError, match="not a readable HDF5 file"):
        load_events(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_events(tmp_path / "nothing.h5")


def _rewrite(path, edit):
    with h5py.File(path, "a") as f:
        edit(f)


@pytest.mark.parametrize("edit, message", [
    (lambda f: f.attrs.__setitem__("format", "other"), "not a glassnet events file"),
    (lambda f: f.attrs.__setitem__("version", 99), "version 99"),
    (lambda f: f.attrs.__setitem__("features", json.dumps(["pt", "eta"])), "feature names"),
    (lambda f: f.__delitem__("momenta"), "missing dataset"),
    (lambda f: (f.__delitem__("objects"), f.create_dataset("objects", data=np.zeros((500, 6, 5)))),
     "'objects' has shape"),
    (lambda f: (f.__delitem__("high_level"), f.create_dataset("high_level", data=np.zeros((499, 9)))),
     "'high_level' has shape"),
    (lambda f: f["objects"].__setitem__((0, 0, 4), np.nan), "NaN"),
])
def test_schema_violations_are_named(tmp_path, sample, edit, message):
    path = tmp_path / "stop.h5"
    save_events(sample, path)
    _rewrite(path, edit)
    with pytest.raises(EventFileError, match=message):
        load_events(path)


def test_a_failed_write_leaves_nothing(tmp_path, sample):
    broken = ev.EventSample(sample.objects, sample.momenta, sample.mask, object(), sample.meta)
    with pytest.raises(TypeError):
        save_events(broken, tmp_path / "stop.h5")
    assert list(tmp_path.iterdir()) == []


def test_mismatched_signal_and_background(sample):
    background = ev.generate("ttbar", 100, rng=1, verbose=0)
    narrower = ev.EventSample(background.objects[:, :5], background.momenta[:, :5], background.mask[:, :5],
                              background.high_level, background.meta)
    with pytest.raises(ValueError, match="do not match: objects per event"):
        make_dataset(sample, narrower)
    with pytest.raises(ValueError, match="signal sample must be 'stop'"):
        make_dataset(background, background)
