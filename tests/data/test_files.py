import gzip

import numpy as np
import pytest

from glassnet.data import DataFileError, load_csv, load_mnist, read_idx


def write_idx(path, array, code=0x08):
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">i4").tobytes()
    data = header + array.astype({0x08: ">u1", 0x0D: ">f4"}[code]).tobytes()
    path.write_bytes(gzip.compress(data) if str(path).endswith(".gz") else data)


def test_mnist_idx_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 4, 3)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    write_idx(tmp_path / "img.gz", images)
    write_idx(tmp_path / "lab", labels)
    X, y = load_mnist(tmp_path / "img.gz", tmp_path / "lab")
    assert X.shape == (5, 12) and X.dtype == np.float32
    np.testing.assert_allclose(X * 255, images.reshape(5, 12))
    np.testing.assert_array_equal(y, labels)
    assert load_mnist(tmp_path / "img.gz", flatten=False)[0].shape == (5, 1, 4, 3)
    floats = np.linspace(0, 1, 6).reshape(2, 3)
    write_idx(tmp_path / "f", floats, code=0x0D)
    np.testing.assert_allclose(read_idx(tmp_path / "f"), floats, rtol=1e-6)


def test_bad_idx_files(tmp_path):
    write_idx(tmp_path / "img", np.zeros((5, 4, 3)))
    (tmp_path / "cut").write_bytes((tmp_path / "img").read_bytes()[:-7])
    with pytest.raises(DataFileError, match="promises shape"):
        read_idx(tmp_path / "cut")
    (tmp_path / "junk").write_bytes(b"hello world")
    with pytest.raises(DataFileError, match="not an IDX file"):
        read_idx(tmp_path / "junk")
    write_idx(tmp_path / "lab", np.zeros(4))
    with pytest.raises(DataFileError, match=r"shape \(4,\); expected 5 labels"):
        load_mnist(tmp_path / "img", tmp_path / "lab")
    with pytest.raises(FileNotFoundError, match="nope"):
        read_idx(tmp_path / "nope")


def test_csv_features_and_targets(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,label,b\n1.5,0,2\n-1,1,3e2\n0,2,4\n")
    X, y, names = load_csv(path, target="label")
    np.testing.assert_allclose(X, [[1.5, 2], [-1, 300], [0, 4]])
    assert y.dtype == np.int64 and list(y) == [0, 1, 2] and names == ["a", "b"]
    path.write_text("x,y\n1,0.5\n2,1.5\n")
    assert load_csv(path, target="y")[1].dtype == np.float32
    path.write_text("x,kind\n1,cat\n2,dog\n")
    assert list(load_csv(path, target="kind")[1]) == ["cat", "dog"]


@pytest.mark.parametrize("content,message", [
    ("", "empty"),
    ("a,b\n", "no data"),
    ("a,b\n1,2\n3,x\n", "line 3: column 'b' holds 'x'"),
    ("a,b\n1,2\n3\n", "line 3: 1 fields"),
])
def test_bad_csv_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataFileError, match=message):
        load_csv(path)


def test_csv_missing_target(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataFileError, match="no column 'label' \\(columns: a, b\\)"):
        load_csv(path, target="label")


def test_csv_cells_that_are_not_finite_numbers_are_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,nan,0\n2,3,1\ninf,1e39,0\n")
    with pytest.raises(DataFileError, match=r"line 2, column 'b' holds 'nan'; line 4, column 'a' holds 'inf'; "
                                            r"line 4, column 'b' holds '1e39': not a finite number"):
        load_csv(path, target="y")
    X, y, _ = load_csv(path, target="y", finite=False)  # NaN as "missing", for the boosted trees
    assert np.isnan(X[0, 1]) and y.tolist() == [0, 1, 0]


def test_csv_duplicate_columns_empty_targets_and_big_integers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(DataFileError, match="columns 1 and 3 are both named 'a'"):
        load_csv(path)
    path.write_text("a,y\n1,0\n2,\n")
    with pytest.raises(DataFileError, match="line 3: the target column 'y' is empty"):
        load_csv(path, target="y")
    path.write_text("a,y\n1,100000000000000000000\n2,0\n")
    y = load_csv(path, target="y")[1]
    assert y.dtype == np.float32 and y[0] == np.float32(1e20)  # not an int64 overflow
