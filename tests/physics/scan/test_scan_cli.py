import os

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.physics.scan import Command, DaskExecutor
from glassnet.physics.scan.config import load_config
from glassnet.physics.scan.results import read_results

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "scan", "toy_model.toml")

CONFIG = """
[scan]
output = "out/results.csv"
budget = 120
batch_size = 40
workers = 0
good_threshold = 0.5
[parameters]
x = { min = -2, max = 2 }
y = { min = -2, max = 2 }
[observable]
function = "model:observables"
record = ["r"]
[likelihood]
O = { value = 1.0, sigma = 0.1 }
[ml]
n_initial = 40
hidden = [16, 16]
first_train_steps = 100
train_steps = 30
n_candidates = 3000
validity_classifier = true
"""

MODEL = """
def observables(p):
    r = (p["x"] ** 2 + p["y"] ** 2) ** 0.5
    if r > 1.5:
        raise ValueError("outside the model's range")
    return {"O": p["x"] + p["y"], "r": r}
"""


def test_run_resume_and_plot(tmp_path, capsys):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "scan.toml").write_text(CONFIG)
    config = str(tmp_path / "scan.toml")
    os.makedirs(tmp_path / "out")
    assert main(["scan", "run", config, "--verbose", "0"]) == 0
    assert "120 evaluations" in capsys.readouterr().out
    assert main(["scan", "resume", config, "--budget", "160", "--verbose", "0"]) == 0
    assert "160 evaluations" in capsys.readouterr().out
    results = read_results(tmp_path / "out" / "results.csv", ["x", "y"], ["O", "r"])
    assert len(results) == 160 and results.iteration.max() == 3
    outside = np.hypot(results.params[:, 0], results.params[:, 1]) > 1.5
    assert (~results.valid == outside).all()
    assert set(results.reason[outside]) == {"ValueError: outside the model's range"}
    np.testing.assert_allclose(results.values[~outside, 1], np.hypot(*results.params[~outside].T))
    assert main(["scan", "plot", config]) == 0
    paths = capsys.readouterr().out.split()
    assert [os.path.basename(p) for p in paths] == ["scan_projections.png", "scan_likelihood.png",
                                                    "scan_efficiency.png"]
    assert all(os.path.getsize(p) > 10_000 for p in paths)
    pq = pytest.importorskip("pyarrow.parquet")
    assert main(["scan", "export", config, str(tmp_path / "r.parquet")]) == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == 160 and table.column_names[3:6] == ["x", "y", "O"]


def test_plot_needs_results(tmp_path, capsys):
    (tmp_path / "scan.toml").write_text(CONFIG)
    assert main(["scan", "plot", str(tmp_path / "scan.toml")]) == 2
    assert "no results yet" in capsys.readouterr().err


def test_the_example_config_describes_a_command_scan():
    config = load_config(EXAMPLE)
    assert isinstance(config.observable, Command) and config.method == "ml"
    assert config.space.names == ["m0", "m12", "tanb"] and config.likelihood.observables == ["mh", "omega"]


@pytest.mark.parametrize("argv, message", [(["--budget", "0"], "--budget must be >= 1")])
def test_bad_arguments(tmp_path, capsys, argv, message):
    (tmp_path / "scan.toml").write_text(CONFIG)
    assert main(["scan", "run", str(tmp_path / "scan.toml"), *argv]) == 2
    assert message in capsys.readouterr().err


def test_results_of_another_scan_and_an_unreachable_scheduler(tmp_path, capsys):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "scan.toml").write_text(CONFIG)
    os.makedirs(tmp_path / "out")
    (tmp_path / "out" / "results.csv").write_text("id,iteration,origin,a,b\n")
    assert main(["scan", "resume", str(tmp_path / "scan.toml"), "--verbose", "0"]) == 2
    assert "do not match" in capsys.readouterr().err
    pytest.importorskip("distributed")
    with pytest.raises(ConnectionError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        DaskExecutor("tcp://127.0.0.1:1", timeout=1)
