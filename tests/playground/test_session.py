import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.playground import data
from glassnet.playground.export import python_code
from glassnet.playground.session import Session, linear_layers
from glassnet.playground.settings import SettingsError

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_circle_learns_and_state_has_every_neuron():
    session = Session()
    before = session.state()
    for _ in range(30):
        session.train_epoch()
    after = session.state()
    assert session.epoch == 30
    assert after["testLoss"] < 0.5 * before["testLoss"]
    assert [len(layer) for layer in after["neurons"]] == [4, 2]
    assert [np.array(w).shape for w in after["weights"]] == [(4, 2), (2, 4), (1, 2)]
    assert len(after["gradFlow"]) == 3 and all(g > 0 for g in after["gradFlow"])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_optimizer_and_the_extras_train(optimizer):
    session = Session()
    session.configure({"optimizer": optimizer, "activation": "elu", "dropout": 0.1, "regularization": "L1",
                       "regularizationRate": 0.001, "learningRate": 0.01})
    start = session.state()["trainLoss"]
    for _ in range(10):
        session.train_epoch()
    assert session.state()["trainLoss"] < start


def test_multiclass_blobs_use_softmax_classes():
    session = Session()
    assert session.configure({"dataset": "blobs", "numClasses": 4}) == "reset"
    for _ in range(5):
        session.train_epoch()
    state = session.state()
    assert session.problem == "multiclass" and np.array(state["weights"][-1]).shape[0] == 4
    assert "outputClass" in state and state["testLoss"] < np.log(4)


def test_live_settings_keep_the_weights():
    session = Session()
    session.train_epoch()
    weights = linear_layers(session.network)[0].weight.detach().numpy().copy()
    assert session.configure({"learningRate": 0.3}) == "live"
    assert session.optimizer.param_groups[0]["lr"] == 0.3
    assert np.array_equal(linear_layers(session.network)[0].weight.data, weights)
    assert session.configure({"activation": "relu"}) == "reset" and session.epoch == 0


def test_set_weight_and_its_bounds():
    session = Session()
    session.set_weight(1, 1, 3, 0.5)
    assert linear_layers(session.network)[1].weight.data[1, 3] == 0.5
    for args, words in [((7, 0, 0, 1.0), "layer must be 0 to 2"), ((0, 4, 0, 1.0), "to must be 0 to 3"),
                        ((0, 0, 0, "abc"), "the weight must be a number"), ((0, 0, 0, 1e9), "between -100 and 100")]:
        with pytest.raises(SettingsError, match=words):
            session.set_weight(*args)


def test_csv_upload_kinds_and_refusals():
    points, scale = data.parse_csv(b"x1,x2,label\n1,2,0\n-3,4,1\n0,-10,1\n2,2,0\n")
    assert points.problem == "classification" and scale == pytest.approx(0.5)
    assert np.abs(points.X).max() == pytest.approx(5.0)
    assert data.parse_csv(b"1,1,0\n2,2,1\n3,3,2\n4,4,0\n")[0].problem == "multiclass"
    assert data.parse_csv(b"1,1,0.5\n2,2,0.1\n3,3,-0.2\n4,4,0.3\n")[0].problem == "regression"
    for content, words in [(b"1,2\n3,4\n5,6\n7,8\n", "row 1: expected three numbers"), (b"1,1,1\n", "needs 4 to"),
                           (b"1,1,nan\n2,2,1\n3,3,0\n4,4,1\n", "row 1, column label: nan is not a finite number"), (b"\xff\xfe", "not UTF-8"),
                           (b"1" * (data.MAX_UPLOAD_BYTES + 1), "the limit is")]:
        with pytest.raises(SettingsError, match=words):
            data.parse_csv(content)


def test_a_diverging_session_stops_and_says_why_without_nan():
    import json

    session = Session()
    session.configure({"learningRate": 10, "activation": "relu", "networkShape": [8, 8, 8], "dataset": "reg-gauss"})
    for _ in range(20):
        session.train_epoch()
        if session.diverged:
            break
    state = session.state()
    assert "lower the learning rate (now 10)" in state["diverged"] and "press reset" in state["diverged"]
    json.dumps(state, allow_nan=False)  # strict JSON: no NaN or Infinity left
    updates = session.updates
    assert session.train_for(1.0, 100) == 0 and session.updates == updates  # no more steps
    session.reset()
    assert session.state()["diverged"] is None and session.train_for(1.0, 5) == 5


def uploaded_blobs(session):
    rows = "\n".join(f"{x},{(x * 7) % 11 - 5},{x % 3}" for x in range(-30, 30))
    session.use_upload(*data.parse_csv(rows.encode()))


@pytest.mark.parametrize("prepare", [
    lambda s: s.configure({"dataset": "xor", "networkShape": [5, 3], "optimizer": "adam", "learningRate": 0.01,
                           "regularization": "L2", "regularizationRate": 0.001, "xTimesY": True}),
    lambda s: s.configure({"dataset": "reg-gauss", "networkShape": [4], "optimizer": "nesterov", "dropout": 0.2}),
    uploaded_blobs,
], ids=["xor", "regression", "uploaded-multiclass"])
def test_exported_code_rebuilds_and_retrains_the_same_network(tmp_path, prepare):
    session = Session()
    prepare(session)
    for _ in range(3):
        session.train_epoch()
    script = tmp_path / "model.py"
    script.write_text(python_code(session))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": SRC, "PATH": ""})
    assert result.returncode == 0, result.stderr
    state = session.state()
    assert result.stdout.strip() == f"epochs 3: train loss {state['trainLoss']:.4f}, test loss {state['testLoss']:.4f}"


@pytest.mark.parametrize("changes", [{}, {"dropout": 0.2, "activation": "leakyrelu", "dataset": "blobs"}])
def test_glassnet_file_loads_back_with_gn_load(tmp_path, changes):
    import glassnet as gn
    from glassnet.playground.export import glassnet_file

    session = Session()
    session.configure(changes)
    session.train_epoch()
    (tmp_path / "model.gn").write_bytes(glassnet_file(session))
    model, metadata = gn.load(tmp_path / "model.gn", with_metadata=True)
    assert metadata["playground"] == session.settings and metadata["epoch"] == 1
    model.eval()
    expected = session.forward_all(session.test_x)[-1]
    assert np.allclose(model(gn.tensor(session.test_x)).data, expected, atol=1e-6)
