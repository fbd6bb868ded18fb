"""Scans on a Dask cluster the scan starts itself: a LocalCluster stands in for the batch system's."""
import pytest

from glassnet.cli import main
from glassnet.physics.scan.cluster import start_cluster
from glassnet.physics.scan.config import ConfigError, load_config
from glassnet.physics.scan.results import read_results

distributed = pytest.importorskip("distributed")

CONFIG = """
[scan]
method = "random"
budget = 12
batch_size = 6
[parameters]
x = { min = 0, max = 1 }
[observable]
function = "cluster_model:observables"
[likelihood]
O = { value = 0.5, sigma = 0.1 }
[cluster]
kind = "local"
jobs = 1
processes = false
"""


def test_a_config_scan_runs_on_the_cluster_it_starts(tmp_path, capsys):
    (tmp_path / "cluster_model.py").write_text("def observables(p):\n    return {'O': 2 * p['x']}\n")
    (tmp_path / "scan.toml").write_text(CONFIG)
    config = load_config(tmp_path / "scan.toml")
    assert config.build().scheduler == {"kind": "local", "jobs": 1, "processes": False}
    assert main(["scan", "run", str(tmp_path / "scan.toml"), "--verbose", "0"]) == 0
    results = read_results(tmp_path / "results.csv", ["x"], ["O"])
    assert len(results) == 12 and (results.values[:, 0] == 2 * results.params[:, 0]).all()


def test_batch_system_clusters_are_made_from_the_options():
    jobqueue = pytest.importorskip("dask_jobqueue")
    cluster = start_cluster({"kind": "slurm", "jobs": 0, "cores": 2, "memory": "4GB", "walltime": "01:30:00",
                             "queue": "short", "scheduler_options": {"dashboard_address": None}})
    try:
        assert isinstance(cluster, jobqueue.SLURMCluster)
        script = cluster.job_script()
        assert "#SBATCH -p short" in script and "--cpus-per-task=2" in script and "01:30:00" in script
    finally:
        cluster.close()


@pytest.mark.parametrize("spec, message", [({"kind": "lsf"}, "cluster kind must be one of slurm"),
                                           ({"kind": "local", "jobs": -1}, "jobs must be an integer >= 0"),
                                           ({"kind": "slurm", "cores": 1, "memry": "1GB"}, "cannot make a slurm")])
def test_bad_cluster_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        start_cluster(spec)


def test_a_cluster_option_that_does_not_exist_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "cluster_model.py").write_text("def observables(p):\n    return {'O': p['x']}\n")
    (tmp_path / "scan.toml").write_text(CONFIG.replace("processes = false", "procesess = false"))
    assert main(["scan", "run", str(tmp_path / "scan.toml"), "--verbose", "0"]) == 2
    assert "cannot make a local cluster" in capsys.readouterr().err


def test_cluster_and_scheduler_address_exclude_each_other(tmp_path):
    (tmp_path / "scan.toml").write_text(CONFIG.replace("[scan]", "[scan]\nscheduler = 'tcp://127.0.0.1:8786'"))
    with pytest.raises(ConfigError, match="either 'scan.scheduler' or a \\[cluster\\] table"):
        load_config(tmp_path / "scan.toml")
