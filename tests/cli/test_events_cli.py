import pytest

pytest.importorskip("h5py")

from glassnet.cli import main  # noqa: E402


def test_generate_then_train_from_files(tmp_path, capsys):
    stop, ttbar = tmp_path / "stop.h5", tmp_path / "ttbar.h5"
    assert main(["events", "generate", "--process", "stop", "--m-stop", "500", "--m-neutralino", "100",
                 "-n", "600", "--out", str(stop), "--verbose", "0"]) == 0
    assert main(["events", "generate", "--process", "ttbar", "-n", "600", "--out", str(ttbar), "--verbose", "0"]) == 0
    assert main(["events", "train", "--model", "dnn", "--signal", str(stop), "--background", str(ttbar),
                 "--epochs", "1", "--out", str(tmp_path / "dnn.safetensors"), "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "| dnn | 0." in out and (tmp_path / "dnn.safetensors").exists()


def test_compare_quick_writes_table_and_figure(tmp_path, capsys):
    assert main(["events", "compare", "--quick", "-n", "800", "--out-dir", str(tmp_path), "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "| mpnn |" in out and "| dnn |" in out and "| bdt |" in out
    assert (tmp_path / "events_roc.png").stat().st_size > 10_000
    assert "| mpnn |" in (tmp_path / "events_compare.md").read_text()


@pytest.mark.parametrize("argv, message", [
    (["generate", "--process", "higgs"], "unknown process 'higgs'"),
    (["generate", "--process", "stop", "--m-stop", "300", "--m-neutralino", "200"], "stop → t χ̃⁰ is closed"),
    (["train", "--model", "bdt", "--out", "x"], "not available for the BDT"),
    (["compare", "--methods", "mpnn,cnn"], "unknown method"),
    (["train", "--model", "dnn", "--signal", "only.h5"], "give both --signal and --background"),
])
def test_user_mistakes_exit_2_with_one_line(tmp_path, capsys, argv, message):
    if argv[0] == "generate":
        argv = argv + ["-n", "10", "--out", str(tmp_path / "x.h5")]
    assert main(["events", *argv, "--verbose", "0"]) == 2
    assert message in capsys.readouterr().err


def test_corrupt_and_mismatched_files(tmp_path, capsys):
    stop, ttbar, bad = tmp_path / "stop.h5", tmp_path / "ttbar.h5", tmp_path / "bad.h5"
    main(["events", "generate", "--process", "stop", "-n", "50", "--out", str(stop), "--verbose", "0"])
    main(["events", "generate", "--process", "ttbar", "-n", "50", "--out", str(ttbar), "--verbose", "0"])
    bad.write_bytes(ttbar.read_bytes()[:500])
    args = ["events", "train", "--model", "dnn", "--verbose", "0"]
    assert main(args + ["--signal", str(stop), "--background", str(bad)]) == 2
    assert "corrupt or truncated" in capsys.readouterr().err
    assert main(args + ["--signal", str(ttbar), "--background", str(stop)]) == 2
    assert "--signal must hold stop events" in capsys.readouterr().err
    assert main(args + ["--signal", str(stop), "--background", str(tmp_path / "none.h5")]) == 2
    assert "does not exist" in capsys.readouterr().err
