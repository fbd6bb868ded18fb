"""`glassnet train` and `glassnet predict` on careless and hostile tables, and bad --out places.

Every case runs the real command in a child process: one clear line naming the row and column,
exit code 2, no traceback, and nothing overwritten or left behind.
"""
from __future__ import annotations

import os

import numpy as np
import pytest


def table(rows=60, seed=0, header="x1,x2,label", label=None) -> str:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) if label is None else label(X)
    return header + "\n" + "".join(f"{a:.4f},{b:.4f},{t}\n" for (a, b), t in zip(X, y))


def with_cell(text: str, line: int, column: int, value: str) -> str:
    lines = text.splitlines()
    cells = lines[line - 1].split(",")
    cells[column] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def one_clear_line(result, *words):
    assert result.returncode == 2, result.output[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    line = result.last_line()
    assert line.startswith("glassnet "), result.stderr
    for word in words:
        assert word in line, (word, line)


@pytest.mark.parametrize("content, words", [
    (with_cell(table(), 5, 1, "nan"), ("line 5", "'x2'", "nan")),
    (with_cell(table(), 9, 0, "inf"), ("line 9", "'x1'", "inf")),
    (with_cell(table(), 7, 0, "1e39"), ("line 7", "'x1'", "1e39")),
    (with_cell(table(), 4, 2, "nan"), ("line 4", "'label'", "nan")),
    (with_cell(table(), 4, 2, ""), ("line 4", "'label'", "empty")),
    (table(label=lambda X: np.where(X[:, 0] > 0, "100000000000000000000", "0")), ("'label'", "1e+20")),
    (table(header="a,a,label"), ("'a'", "columns 1 and 2")),
    ("label\n0\n1\n0\n1\n", ("no feature",)),
    (table(rows=2), ("2 rows", "validation")),
    (table(rows=4, label=lambda X: np.arange(4)), ("validation",)),
], ids=["nan-cell", "inf-cell", "float32-overflow", "nan-target", "empty-target", "huge-target",
        "duplicate-columns", "target-only", "two-rows", "one-row-per-class"])
def test_train_refuses_a_bad_table_before_training(hostile, tmp_path, content, words):
    (tmp_path / "data.csv").write_text(content)
    before = snapshot(tmp_path)
    result = hostile.glassnet("train", "--data", "data.csv", "--target", "label", "--epochs", "3",
                              "--out", "model.safetensors", "--quiet", cwd=tmp_path)
    one_clear_line(result, *words)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("out, words", [
    ("data.csv", ("--out", "data.csv", "input")),
    ("./data.csv", ("--out", "data.csv", "input")),
    (".", ("--out", "folder")),
    ("data.csv/model.safetensors", ("--out", "data.csv", "not a folder")),
    ("missing/model.safetensors", ("--out", "missing")),
])
def test_train_refuses_an_out_that_is_the_input_or_unwritable(hostile, tmp_path, out, words):
    (tmp_path / "data.csv").write_text(table())
    before = snapshot(tmp_path)
    result = hostile.glassnet("train", "--data", "data.csv", "--target", "label", "--epochs", "2",
                              "--out", out, "--quiet", cwd=tmp_path)
    one_clear_line(result, *words)
    assert snapshot(tmp_path) == before


def test_a_nan_loss_stops_training_with_its_reason_and_saves_nothing(hostile, tmp_path):
    (tmp_path / "data.csv").write_text(table(rows=200, label=lambda X: (X[:, 0] * 1e6).round(2)))
    result = hostile.glassnet("train", "--data", "data.csv", "--target", "label", "--task", "regression",
                              "--lr", "1e30", "--epochs", "20", "--out", "m.safetensors", "--quiet", cwd=tmp_path)
    one_clear_line(result, "diverged", "the loss became", "nothing was saved")
    assert not (tmp_path / "m.safetensors").exists()


EARLY_STOPPING_ON_NAN = """
import math
import numpy as np
import glassnet as gn
from glassnet.train import EarlyStopping, Trainer

net = gn.nn.Linear(2, 1)
X, y = np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)
nan_loss = lambda output, target: (output - target).sum() * float("nan")
trainer = Trainer(net, nan_loss, gn.optim.SGD(net.parameters(), lr=0.1), callbacks=[EarlyStopping(patience=2)], verbose=0)
history = trainer.fit((X, y), (X, y), epochs=10)
print(len(history), "|", history.stop_reason)
"""


def test_early_stopping_counts_nan_as_not_improved_and_says_so(hostile):
    result = hostile.python(EARLY_STOPPING_ON_NAN)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.output[-2000:]
    epochs, reason = result.stdout.strip().split(" | ")
    assert epochs == "2" and "val_loss" in reason and "nan" in reason, result.stdout


@pytest.fixture
def trained_model(hostile, tmp_path):
    (tmp_path / "data.csv").write_text(table(rows=100))
    result = hostile.glassnet("train", "--data", "data.csv", "--target", "label", "--epochs", "3",
                              "--out", "model.safetensors", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.output[-2000:]
    return tmp_path / "model.safetensors"


def test_predict_refuses_rows_it_cannot_score_naming_them(hostile, tmp_path, trained_model):
    content = with_cell(with_cell(table(rows=10, seed=1), 4, 0, "nan"), 8, 1, "-inf")
    (tmp_path / "new.csv").write_text(content)
    result = hostile.glassnet("predict", trained_model, "new.csv", cwd=tmp_path)
    one_clear_line(result, "line 4", "'x1'", "line 8", "'x2'")
    assert "prediction" not in result.stdout


def test_predict_reads_duplicate_columns_as_an_error_not_twice_the_first(hostile, tmp_path, trained_model):
    (tmp_path / "new.csv").write_text(table(rows=10, header="x1,x1,x2"))
    one_clear_line(hostile.glassnet("predict", trained_model, "new.csv", cwd=tmp_path), "'x1'", "columns 1 and 2")


@pytest.mark.parametrize("out, words", [
    ("missing/p.csv", ("--out", "missing")),
    ("new.csv", ("--out", "input")),
    ("model.safetensors", ("--out", "model")),
    (".", ("--out", "folder")),
])
def test_predict_refuses_a_bad_out(hostile, tmp_path, trained_model, out, words):
    (tmp_path / "new.csv").write_text(table(rows=10, seed=1))
    before = snapshot(tmp_path)
    one_clear_line(hostile.glassnet("predict", trained_model, "new.csv", "--out", out, cwd=tmp_path), *words)
    assert snapshot(tmp_path) == before
