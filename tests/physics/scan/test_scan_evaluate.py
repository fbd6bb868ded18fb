import sys
import textwrap

import numpy as np
import pytest

from glassnet.physics.scan import (
    Command, EvaluationError, Gaussian, Likelihood, ParameterSpace, RandomScan, evaluate_point, parse_output,
)

# One program for every way an external code misbehaves, chosen by the parameter x.
MISBEHAVING = textwrap.dedent("""
    import json, math, sys, time
    x = float(sys.argv[1])
    if x < 0.2:
        time.sleep(60)                              # hangs
    elif x < 0.4:
        sys.exit("segmentation fault (core dumped)")  # crashes
    elif x < 0.6:
        print("%%$ garbage {{ not json")            # prints garbage
    elif x < 0.8:
        print(json.dumps({"O": float("nan")}))      # returns NaN
    else:
        print(json.dumps({"O": x}))                 # works
""")


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(MISBEHAVING)
    return Command([sys.executable, str(path), "{x}"], timeout=1.0)


@pytest.mark.parametrize("x, reason", [(0.1, "timed out after 1 s"),
                                       (0.3, "exit code 1: segmentation fault (core dumped)"),
                                       (0.5, "unparseable output line"),
                                       (0.7, "observable 'O' is nan")])
def test_a_misbehaving_program_gives_an_invalid_point_with_its_reason(program, x, reason):
    values, found = evaluate_point(program, ["O"], {"x": x})
    assert np.isnan(values).all()
    assert found.startswith(reason)


def test_a_working_program_gives_its_observables(program):
    values, reason = evaluate_point(program, ["O"], {"x": 0.9})
    assert reason == "" and values.tolist() == [0.9]


def test_the_scan_goes_on_past_every_failure(program, tmp_path):
    space = ParameterSpace.from_bounds({"x": (0, 1)})
    scan = RandomScan(space, program, Likelihood([Gaussian("O", 0.9, 0.1)]), tmp_path / "r.csv", batch_size=10,
                      workers=2, verbose=0)
    results = scan.run(10)
    assert len(results) == 10
    x = results.params[:, 0]
    assert (results.valid == (x >= 0.8)).all()
    reasons = dict(zip(np.floor(x * 5).astype(int), results.reason))
    assert all(reasons[k].startswith(("timed out", "exit code 1", "unparseable", "observable 'O' is nan")[k])
               for k in reasons if k < 4)
    assert np.isfinite(results.log_likelihood[results.valid]).all()


def test_parse_output_json_and_text():
    assert parse_output('{"a": 1, "b": 2.5}') == {"a": 1, "b": 2.5}
    assert parse_output("a = 1\nb: 2.5\n# comment\nc 3") == {"a": 1.0, "b": 2.5, "c": 3.0}
    assert parse_output("[1, 2]") == [1, 2]
    with pytest.raises(EvaluationError, match="not JSON"):
        parse_output("a = 1", "json")
    with pytest.raises(EvaluationError, match="printed nothing"):
        parse_output("  \n")


def test_function_failures_become_reasons():
    def broken(params):
        raise RuntimeError("no convergence\nat step 3")
    assert evaluate_point(broken, ["O"], {})[1] == "RuntimeError: no convergence | at step 3"
    assert evaluate_point(lambda p: None, ["O"], {})[1] == "no observables returned"
    assert evaluate_point(lambda p: {"P": 1}, ["O"], {})[1] == "missing observable 'O'"
    assert evaluate_point(lambda p: [1, 2], ["O"], {})[1].startswith("expected 1 observables")
    assert evaluate_point(lambda p: "abc", ["O"], {})[1].startswith("observables are not numbers")
    values, reason = evaluate_point(lambda p: (p["x"], 2 * p["x"]), ["A", "B"], {"x": 1.5})
    assert reason == "" and values.tolist() == [1.5, 3.0]


def test_command_placeholder_must_be_a_parameter(tmp_path):
    values, reason = evaluate_point(Command("echo {y}"), ["O"], {"x": 1.0})
    assert reason == "command placeholder 'y' is not a parameter"
