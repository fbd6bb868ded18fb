"""The lectures' tiny tables: the km -> miles predictor, the ladybug / caterpillar classifier, and the
truth tables of the logic gates (AND, OR, NOT and XOR, the one a single layer cannot learn)."""
from __future__ import annotations

import numpy as np

BUG_NAMES = ("ladybug", "caterpillar")
# The lecture refines the dividing line y = A·x towards these lengths, just above the ladybug's
# and just below the caterpillar's, so that the line separates them (ΔA = L·E/x).
BUG_LINE_TARGETS = np.array([1.1, 2.9], dtype=np.float32)


def km_miles():
    """The predictor's true examples: kilometres -> miles, ``(km, miles)`` float32 of shape (2,).

    (0 km, 0 miles) and (100 km, 62.137 miles): the slope c in miles = c·km is what the predictor learns.
    """
    return np.array([0.0, 100.0], dtype=np.float32), np.array([0.0, 62.137], dtype=np.float32)


def ladybug_caterpillar():
    """The classifier's training data: X float32 (2, 2) of (width, length), y int64 (2,).

    Ladybug (label 0) 3.0 wide and 1.0 long; caterpillar (label 1) 1.0 wide and 3.0 long. ``BUG_NAMES``
    names the labels; ``BUG_LINE_TARGETS`` holds the lecture's target lengths 1.1 and 2.9.
    """
    X = np.array([[3.0, 1.0], [1.0, 3.0]], dtype=np.float32)
    return X, np.array([0, 1], dtype=np.int64)


_GATES = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
}


def logic_gate(name: str):
    """A truth table: X float32 (4, 2) rows (0,0), (0,1), (1,0), (1,1) and y int64 (4,) for "and", "or",
    "xor"; X (2, 1) rows 0, 1 and y (2,) for "not"."""
    key = name.lower()
    if key == "not":
        x = np.array([0, 1])
        return x[:, None].astype(np.float32), (1 - x).astype(np.int64)
    if key not in _GATES:
        raise ValueError(f"unknown logic gate {name!r}; choose from and, or, not, xor")
    a, b = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    return np.stack([a, b], axis=1).astype(np.float32), _GATES[key](a, b).astype(np.int64)


def xor_table():
    """The lecture's XOR table: X float32 (4, 2), y int64 (4,) = 0, 1, 1, 0."""
    return logic_gate("xor")
