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


def test_compare_quick_writes_table_and_figure_into_its_own_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["events", "compare", "--quick", "-n", "800", "--verbose", "0"]) == 0
    tmp_path = tmp_path / "events_compare"
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


def test_compare_uses_the_files_just_generated_here(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    main(["events", "generate", "--process", "stop", "-n", "300", "--out", "stop.root", "--verbose", "0"])
    main(["events", "generate", "--process", "ttbar", "-n", "300", "--verbose", "0"])  # ttbar.h5 by default
    assert main(["events", "compare", "--quick", "--methods", "dnn", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "using the events files ./stop.root (signal) and ./ttbar.h5 (background)" in out
    assert "(180 test events)" in out
    main(["events", "generate", "--process", "ttbar", "-n", "30", "--out", "more.h5", "--verbose", "0"])
    assert main(["events", "compare", "--quick", "--methods", "dnn", "--verbose", "0"]) == 2
    assert "say which with --signal and --background" in capsys.readouterr().err


def test_convert_and_stream_train_a_root_file(tmp_path, capsys):
    stop, ttbar = tmp_path / "stop.root", tmp_path / "ttbar.root"
    main(["events", "generate", "--process", "stop", "-n", "400", "--out", str(stop), "--verbose", "0"])
    main(["events", "generate", "--process", "ttbar", "-n", "400", "--out", str(ttbar), "--verbose", "0"])
    assert main(["events", "convert", str(stop), str(tmp_path / "stop.h5"), "--chunk-size", "150"]) == 0
    assert "wrote 400 events" in capsys.readouterr().out
    assert main(["events", "train", "--model", "mpnn", "--stream", "--signal", str(stop), "--background",
                 str(ttbar), "--chunk-size", "300", "--out", str(tmp_path / "w.safetensors"), "--verbose", "0"]) == 0
    assert "trained EventMPNN on 800 events in chunks of 300" in capsys.readouterr().out


def test_compare_paper_reports_every_mass_point(tmp_path, capsys):
    assert main(["events", "compare", "--paper", "--quick", "-n", "500", "--masses", "400,700",
                 "--out-dir", str(tmp_path), "--verbose", "0"]) == 0
    report = (tmp_path / "events_paper.md").read_text()
    assert "| 400 |" in report and "| 700 |" in report and "MPNN gain over DNN" in report
    assert "How the toy differs from the paper" in report
    assert (tmp_path / "events_paper_reach.png").stat().st_size > 10_000


def test_every_option_has_help_with_its_default(capsys):
    for action in ("generate", "convert", "train", "compare", "scan"):
        with pytest.raises(SystemExit):
            main(["events", action, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--seed SEED random seed (default: 0)" in text
        assert "--threads THREADS" in text and "(default: 1)" in text
