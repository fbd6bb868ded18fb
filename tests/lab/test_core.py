import math

import pytest

from glassnet.cli import UsageError, main
from glassnet.cli.lab import parse_params
from glassnet.lab import FAILED, PASSED, RAN, REGISTRY, WAITING, LabResult, get, lab, labs, require
from glassnet.lab.core import Number


def test_numbers_pass_to_the_lectures_printed_precision():
    assert Number("dE/dw", -0.026505, -0.0265, 4).passed
    assert not Number("dE/dw", -0.02656, -0.0265, 4).passed
    assert Number("sigmoid", 0.908877, 0.909, 3).passed
    assert not Number("sigmoid", 0.9096, 0.909, 3).passed
    assert Number("free", 1.5).passed is None
    assert Number("exact", 2.0, 2.0).passed


def test_verdict_is_failed_when_any_number_or_check_fails(tmp_path):
    r = LabResult(tmp_path)
    assert r.verdict == RAN
    r.number("x", 1.0, 1.0, 1)
    assert r.verdict == PASSED
    r.check("a statement", False)
    assert r.verdict == FAILED


def test_every_lab_names_its_lecture_and_has_defaults_for_its_params():
    assert len(labs()) >= 30
    for each in labs():
        assert each.source and each.title
        assert all(not isinstance(v, type(math)) for v in each.defaults.values())


@pytest.fixture
def registry():
    """Labs registered inside a test are removed afterwards."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


def test_a_lab_that_raises_is_reported_failed_with_its_error(tmp_path, registry):
    def boom(out, quick=False):
        raise RuntimeError("the lab broke")

    lab("boom", "Always fails", "nowhere")(boom)
    result = get("boom").run(tmp_path)
    assert result.status == FAILED and "RuntimeError: the lab broke" in result.error


def test_a_lab_that_needs_a_missing_part_is_waiting_with_a_plain_message(tmp_path, registry):
    def needs(out, quick=False):
        require("glassnet.no_such_part", "Thing", issue=99)

    lab("needs_missing", "Waits", "nowhere")(needs)
    result = get("needs_missing").run(tmp_path)
    assert result.status == WAITING
    assert result.error == "waiting for glassnet.no_such_part.Thing (issue 99)"


def test_registering_a_parameter_without_default_is_refused(registry):
    with pytest.raises(TypeError, match="needs a default"):
        lab("bad_params", "x", "y", params={"n": "help"})(lambda out, n, quick=False: None)


def test_lab_run_params_are_converted_and_checked():
    km = get("km_to_miles")
    assert parse_params(km, ["--steps", "3", "--lr", "1e-4"]) == {"steps": 3, "lr": 1e-4}
    with pytest.raises(UsageError, match="no parameter '--nope'"):
        parse_params(km, ["--nope", "1"])
    with pytest.raises(UsageError, match="expects a int"):
        parse_params(km, ["--steps", "many"])


def test_cli_lab_run_prints_numbers_beside_the_lecture(tmp_path, capsys):
    assert main(["lab", "run", "gradient_example", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "-0.0265   lecture -0.0265  ✔" in out
    assert (tmp_path / "gradient_example.png").exists()


def test_cli_lab_errors_are_one_line_usage_errors(capsys):
    assert main(["lab", "run", "no_such_lab"]) == 2
    assert "no lab named 'no_such_lab'" in capsys.readouterr().err
    assert main(["lab", "run", "km_to_miles", "--bogus", "1"]) == 2
    assert main(["lab", "list"]) == 0


def test_a_missing_third_party_package_is_an_error_not_waiting(tmp_path, registry):
    def needs(out, quick=False):
        require("no_such_third_party_package", issue=1)

    lab("needs_package", "Needs a package", "nowhere")(needs)
    result = get("needs_package").run(tmp_path)
    assert result.status == FAILED
    assert "needs the package 'no_such_third_party_package'" in result.error
