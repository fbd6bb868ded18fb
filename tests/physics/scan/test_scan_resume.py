"""A scan killed mid-run and resumed keeps every evaluation exactly once."""
import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np

import glassnet
from glassnet.cli import main

MODEL = """
import time
def observables(p):
    time.sleep(0.01)
    return {"O": p["x"] + p["y"]}
"""

CONFIG = """
[scan]
method = "ml"
output = "results.csv"
budget = 400
batch_size = 50
workers = 2
[parameters]
x = { min = 0, max = 1 }
y = { min = 0, max = 1 }
[observable]
function = "model:observables"
[likelihood]
O = { value = 1.0, sigma = 0.05 }
[ml]
n_initial = 50
hidden = [16, 16]
train_steps = 20
first_train_steps = 50
n_candidates = 2000
"""


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))[1:]


def test_killed_scan_resumes_with_every_evaluation_exactly_once(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "scan.toml").write_text(CONFIG)
    results = tmp_path / "results.csv"
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(glassnet.__file__))}
    process = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "scan", "run", "scan.toml", "--verbose", "0"],
                               cwd=tmp_path, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and len(_rows(results)) >= 120:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the scan ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the scan and its worker processes, mid-batch
    process.wait()
    before = results.read_text()
    before = before[:before.rfind("\n") + 1]
    killed_rows = len(_rows(results))
    assert 120 <= killed_rows < 400

    assert main(["scan", "resume", str(tmp_path / "scan.toml"), "--verbose", "0"]) == 0

    after = results.read_text()
    assert after.startswith(before)  # nothing finished before the kill was lost or changed
    rows = _rows(results)
    ids = sorted(int(r[0]) for r in rows)
    assert ids == list(range(400))  # every proposed point evaluated, exactly once
    points = {(r[3], r[4]) for r in rows}
    assert len(points) == 400
    assert not (tmp_path / "results.csv.pending.json").exists()
    assert np.isin(np.array([r[2] for r in rows]), ["initial", "ml", "random"]).all()


def test_run_refuses_to_overwrite_and_resume_needs_results(tmp_path, capsys):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "scan.toml").write_text(CONFIG.replace('method = "ml"', 'method = "random"')
                                        .replace("workers = 2", "workers = 0").replace("budget = 400", "budget = 5")
                                        .split("[ml]")[0])
    config = str(tmp_path / "scan.toml")
    assert main(["scan", "resume", config]) == 2
    assert "no results to resume" in capsys.readouterr().err
    assert main(["scan", "run", config, "--verbose", "0"]) == 0
    assert main(["scan", "run", config, "--verbose", "0"]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main(["scan", "resume", config, "--budget", "8", "--verbose", "0"]) == 0
    assert len(_rows(tmp_path / "results.csv")) == 8


def test_a_second_scan_on_the_same_results_file_is_refused(tmp_path, capsys):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "scan.toml").write_text(CONFIG.replace('method = "ml"', 'method = "random"').split("[ml]")[0])
    first = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "scan", "run", "scan.toml", "--verbose", "0"],
                             cwd=tmp_path, env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(glassnet.__file__))})
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "results.csv").exists() or len(_rows(tmp_path / "results.csv")) < 5:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        assert main(["scan", "resume", str(tmp_path / "scan.toml"), "--verbose", "0"]) == 2
        assert "another scan is writing to it now" in capsys.readouterr().err
    finally:
        first.kill()
        first.wait()
