import numpy as np
import pytest

from glassnet.physics.scan import DaskExecutor, MLScan, RandomScan
from glassnet.physics.scan.testfunctions import egg_box

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        yield c


def test_scan_on_a_dask_client(cluster, tmp_path):
    problem = egg_box()
    with distributed.Client(cluster) as client:
        scan = MLScan(problem.space, problem.observable, problem.likelihood, tmp_path / "r.csv", n_initial=30,
                      batch_size=20, hidden=(16,), first_train_steps=30, train_steps=10, n_candidates=2000,
                      scheduler=client, verbose=0)
        results = scan.run(70)
        assert client.status == "running"  # a client we were given is left open
    assert len(results) == 70 and sorted(results.id) == list(range(70))
    expected = np.array([problem.observable(problem.space.as_dict(p))["O"] for p in results.params])
    np.testing.assert_allclose(results.values[:, 0], expected)


def test_scheduler_address(cluster, tmp_path):
    problem = egg_box()
    scan = RandomScan(problem.space, problem.observable, problem.likelihood, tmp_path / "r.csv", batch_size=10,
                      scheduler=cluster.scheduler_address, verbose=0)
    assert len(scan.run(20)) == 20


def _negate(params):
    return -params["x"]


def test_executor_yields_every_point_once(cluster):
    with distributed.Client(cluster) as client:
        executor = DaskExecutor(client)
        executor.check(_negate)
        done = {i: (values, reason) for i, values, reason in
                executor.evaluate(_negate, ["O"], [{"x": float(i)} for i in range(5)])}
        executor.close()
    assert sorted(done) == list(range(5))
    assert [done[i][0][0] for i in range(5)] == [0, -1, -2, -3, -4] and {r for _, r in done.values()} == {""}
