import numpy as np
import pytest

import glassnet.data as gd


def test_km_miles():
    km, miles = gd.km_miles()
    np.testing.assert_allclose(miles[1] / km[1], 0.62137, rtol=1e-6)


def test_ladybug_caterpillar_separated_by_line_targets():
    X, y = gd.ladybug_caterpillar()
    width, length = X[:, 0], X[:, 1]
    assert gd.BUG_NAMES[y[0]] == "ladybug" and width[0] == 3.0 and length[0] == 1.0
    # the line y = A·x through the targets lies above the ladybug and below the caterpillar
    assert length[0] < gd.BUG_LINE_TARGETS[0] and gd.BUG_LINE_TARGETS[1] < length[1]


@pytest.mark.parametrize("name,expected", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0])])
def test_logic_gates(name, expected):
    X, y = gd.logic_gate(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, expected)


def test_not_gate_and_unknown_gate():
    X, y = gd.logic_gate("NOT")
    np.testing.assert_array_equal(y, [1, 0])
    with pytest.raises(ValueError, match="nand"):
        gd.logic_gate("nand")


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = gd.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and 0 <= X.min() and X.max() == 1.0
    assert gd.load_digits(as_images=True)[0].shape == (1797, 1, 8, 8)
    assert set(np.unique(y)) == set(range(10))
