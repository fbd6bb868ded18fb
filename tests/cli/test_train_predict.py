import csv

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.data import make_circle, make_regression_plane


def write_csv(path, X, y, names=("x1", "x2"), target="label"):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*names, target])
        writer.writerows([[*row, label] for row, label in zip(X.tolist(), y.tolist())])
    return str(path)


def test_train_then_predict_classifier(tmp_path, capsys):
    X, y = make_circle(300, noise=0.05, rng=0)
    data = write_csv(tmp_path / "d.csv", X, np.array(["out", "in"])[y])
    out = str(tmp_path / "m.safetensors")
    code = main(["train", "--data", data, "--target", "label", "--hidden", "16,8", "--epochs", "60",
                 "--lr", "0.01", "--out", out, "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0 and "Total params: 202" in printed and "validation: loss" in printed
    accuracy = float(printed.split("accuracy ")[1].split()[0])
    assert accuracy > 0.9
    _, meta = gn.load(out, with_metadata=True)
    assert meta["classes"] == ["in", "out"] and meta["features"] == ["x1", "x2"]
    assert main(["predict", out, data, "--out", str(tmp_path / "p.csv")]) == 0
    rows = list(csv.DictReader(open(tmp_path / "p.csv")))
    assert len(rows) == 300 and set(rows[0]) == {"prediction", "probability_in", "probability_out"}
    hits = np.mean([r["prediction"] == ["out", "in"][label] for r, label in zip(rows, y)])
    assert hits > 0.9


def test_train_then_predict_regression_to_stdout(tmp_path, capsys):
    X, y = make_regression_plane(200, rng=0)
    data = write_csv(tmp_path / "r.csv", X, y, target="height")
    out = str(tmp_path / "r.safetensors")
    assert main(["train", "--data", data, "--target", "height", "--hidden", "8", "--epochs", "40",
                 "--lr", "0.01", "--out", out, "--quiet"]) == 0
    assert "r2" in capsys.readouterr().out
    assert main(["predict", out, data]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "prediction" and len(lines) == 201
    assert np.corrcoef([float(v) for v in lines[1:]], y)[0, 1] > 0.95


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    ("", "empty"),
    ("a,b\n1,2\n", "no column 'label'"),
    ("a,label\n1,0\nx,1\n", "column 'a' holds 'x', not a number"),
    ("a,label\n1,0\n2,0\n", "single class"),
])
def test_train_errors_are_one_line_exit_2_nothing_written(tmp_path, capsys, content, message):
    data = tmp_path / "bad.csv"
    if content is not None:
        data.write_text(content)
    out = tmp_path / "m.safetensors"
    code = main(["train", "--data", str(data), "--target", "label", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and err.startswith("glassnet train: error:")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == (["bad.csv"] if content is not None else [])


def test_predict_errors(tmp_path, capsys):
    X, y = make_circle(60, rng=0)
    data = write_csv(tmp_path / "d.csv", X, y)
    assert main(["predict", str(tmp_path / "none.safetensors"), data]) == 2
    (tmp_path / "junk.safetensors").write_bytes(b"\x80\x04junk")
    assert main(["predict", str(tmp_path / "junk.safetensors"), data]) == 2
    assert "pickle" in capsys.readouterr().err
    out = str(tmp_path / "m.safetensors")
    main(["train", "--data", data, "--target", "label", "--hidden", "4", "--epochs", "1", "--out", out, "--quiet"])
    other = write_csv(tmp_path / "o.csv", X, y, names=("x1", "z"))
    capsys.readouterr()
    assert main(["predict", out, other]) == 2
    assert "no column 'x2'" in capsys.readouterr().err
    gn.save(gn.nn.Sequential(gn.nn.Linear(2, 2)), tmp_path / "plain.safetensors")
    assert main(["predict", str(tmp_path / "plain.safetensors"), data]) == 2
    assert "not a model made by `glassnet train`" in capsys.readouterr().err


def test_bad_arguments(tmp_path, capsys):
    X, y = make_circle(20, rng=0)
    data = write_csv(tmp_path / "d.csv", X, y)
    assert main(["train", "--data", data, "--target", "label", "--hidden", "8,x", "--out", "m"]) == 2
    assert main(["train", "--data", data, "--target", "label", "--out", str(tmp_path / "no" / "m")]) == 2
    err = capsys.readouterr().err
    assert "--hidden expects" in err and "no folder" in err
