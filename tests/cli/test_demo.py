import pytest

from glassnet.cli import main


def test_demo_trains_and_reports_accuracy(capsys):
    pytest.importorskip("sklearn")
    assert main(["demo", "--epochs", "5", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "held-out accuracy" in out and "confusion matrix" in out


def test_demo_rejects_bad_epochs_with_exit_code_2(capsys):
    assert main(["demo", "--epochs", "0"]) == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err
