"""The quick tour runs once for this module; the tests read its results and its report."""
import base64
import importlib
import re

import pytest

from glassnet.cli import main
from glassnet.lab import FAILED, PASSED, REGISTRY, WAITING, lab, tour

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def quick_tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    results = {r.name: r for r in tour(out, quick=True, verbose=0)}
    return out, results


# Labs that state the lectures' numbers, and the numbers they must reproduce (name fragment → value).
LECTURE_NUMBERS = {
    "km_to_miles": {"error = 62.137 − 50": 12.137, "after training": 62.137, "with c = 0.5": 50},
    "ladybug_classifier": {"(ΔA = E/x): line through (1.0, 2.9)": 2.9},
    "gradient_example": {"Σ_j": 2.3, "sigmoid(2.3)": 0.909, "sigmoid·(1 − sigmoid)": 0.083,
                         "o_j for w₁,₁": 0.4, "∂E/∂w₁,₁ (autograd)": -0.0265},
    "error_functions": {"Σ |t − o|": 0.2, "Σ (t − o)²": 0.02, "Σ (t − o)": 0},
    "entropy": {"H([0,0,0,1])": 0, "H([0.25,0.25,0.25,0.25])": 2},
    "logic_gates": {"AND(1, 1)": 1, "OR(0, 1)": 1, "NOT(1,)": 0},
    "xor": {"y(0, 0)": 1, "y(0, 1)": 0},
    "optimizers": {"Ackley f(0, 0)": 0.0},
    "pooling": {"output[0, 0]": 4, "output[1, 0]": 2},
    "conv_kernels": {"edge: sum": 0, "blur: sum": 1},
    "event_graph_table": {"node features": 7, "state size": 30, "rounds T": 2},
}


@pytest.mark.parametrize("name", sorted(LECTURE_NUMBERS))
def test_lab_reproduces_the_lectures_numbers_to_their_printed_precision(quick_tour, name):
    result = quick_tour[1][name]
    if result.status == WAITING:
        pytest.skip(result.error)
    assert result.status == PASSED, result.error
    for fragment, value in LECTURE_NUMBERS[name].items():
        number = next(n for n in result.numbers if fragment in n.name)
        assert number.expected == pytest.approx(value)
        digits = number.digits if number.digits is not None else 6
        assert abs(number.value - value) <= 0.5 * 10 ** -digits + 1e-12, (number.name, number.value)


def test_every_lab_that_can_run_passes_or_runs(quick_tour):
    failed = {name: r.error or [c.statement for c in r.checks if not c.passed]
              for name, r in quick_tour[1].items() if r.status == FAILED}
    assert not failed


def part_missing(message: str) -> bool:
    module, _, name = re.match(r"waiting for (\S+) \(issue \d+\)", message).group(1).rpartition(".")
    try:
        return not hasattr(importlib.import_module(module), name)
    except ImportError:
        return True


def test_waiting_labs_wait_exactly_for_parts_that_are_missing(quick_tour):
    for name, result in quick_tour[1].items():
        if result.status == WAITING:
            assert part_missing(result.error), (name, result.error)
    assert "cnn_digits" in quick_tour[1]
    conv_missing = not hasattr(importlib.import_module("glassnet.nn"), "Conv2d")
    assert (quick_tour[1]["cnn_digits"].status == WAITING) == conv_missing


def test_report_is_one_self_contained_html_file(quick_tour):
    out, results = quick_tour
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "src=\"http" not in page and "<link" not in page
    for name, result in results.items():
        assert f'id="{name}"' in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == sum(len(r.figures) for r in results.values()) > 20
    assert base64.b64decode(images[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "-0.0265" in page
    if any(r.status == WAITING for r in results.values()):
        assert "… waiting" in page


def test_every_lab_that_ran_wrote_its_figures(quick_tour):
    for name, result in quick_tour[1].items():
        if result.status in (PASSED, "ran"):
            assert result.figures and all(p.exists() for p in result.figures), name


def test_failing_lab_does_not_stop_the_tour_and_sets_the_exit_code(tmp_path, capsys):
    def broken(out, quick=False):
        raise ValueError("deliberately broken")

    lab("broken_lab", "A broken lab", "tests")(broken)
    try:
        code = main(["tour", "--quick", "--only", "broken_lab,error_functions", "--out", str(tmp_path),
                     "--verbose", "0"])
    finally:
        REGISTRY.pop("broken_lab")
    out = capsys.readouterr().out
    assert code == 1
    assert "✘ failed" in out and "ValueError: deliberately broken" in out and "error_functions" in out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "deliberately broken" in page and 'id="error_functions"' in page


def test_tour_rejects_unknown_lab_names(capsys):
    assert main(["tour", "--only", "nonsense"]) == 2
