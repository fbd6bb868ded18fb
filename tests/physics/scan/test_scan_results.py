import numpy as np
import pytest

from glassnet.physics.scan import ResultsFile, ScanResults, read_results


def _rows(n, start=0):
    rng = np.random.default_rng(start)
    values = rng.random((n, 1)) / 3
    values[0] = np.nan
    return ScanResults(["x", "y"], ["O"], np.arange(start, start + n), np.zeros(n, int),
                       np.array(["initial"] * n, dtype=object), rng.random((n, 2)) * 1e-3, values,
                       np.where(np.isnan(values[:, 0]), -np.inf, -values[:, 0]), ~np.isnan(values[:, 0]),
                       np.array(["exit code 1: it, \"broke\""] + [""] * (n - 1), dtype=object))


def test_rows_read_back_exactly(tmp_path):
    file = ResultsFile(tmp_path / "r.csv", ["x", "y"], ["O"])
    file.create()
    written = _rows(5)
    file.append(written)
    read = file.load()
    for field in ("id", "iteration", "origin", "params", "log_likelihood", "valid", "reason"):
        np.testing.assert_array_equal(getattr(read, field), getattr(written, field))
    np.testing.assert_array_equal(read.values, written.values)  # NaN where invalid, bit-exact elsewhere
    header = (tmp_path / "r.csv").read_text().splitlines()[0]
    assert header == "id,iteration,origin,x,y,O,log_likelihood,likelihood,valid,reason"


def test_a_half_written_last_line_is_cut_off(tmp_path):
    file = ResultsFile(tmp_path / "r.csv", ["x", "y"], ["O"])
    file.create()
    file.append(_rows(3))
    with open(file.path, "a") as f:
        f.write("3,0,initial,0.1,0.")  # the crash came mid-line
    assert len(file.load()) == 3
    assert (tmp_path / "r.csv").read_text().endswith("\n")


def test_a_file_of_another_scan_is_refused(tmp_path):
    ResultsFile(tmp_path / "r.csv", ["x", "y"], ["O"]).create()
    with pytest.raises(ValueError, match="do not match"):
        read_results(tmp_path / "r.csv", ["x", "z"], ["O"])


def test_pending_batch_round_trip(tmp_path):
    file = ResultsFile(tmp_path / "r.csv", ["x", "y"], ["O"])
    assert file.read_pending() is None
    file.write_pending(3, [7, 8], ["ml", "random"], np.array([[0.1, 0.2], [1 / 3, 2.0]]))
    iteration, ids, origins, params = file.read_pending()
    assert iteration == 3 and ids.tolist() == [7, 8] and origins.tolist() == ["ml", "random"]
    assert params.tolist() == [[0.1, 0.2], [1 / 3, 2.0]]
    file.clear_pending()
    assert file.read_pending() is None


def test_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    _rows(4).to_parquet(tmp_path / "r.parquet")
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.column_names[:5] == ["id", "iteration", "origin", "x", "y"] and table.num_rows == 4
