import pytest

import glassnet as gn
from glassnet import nn
from glassnet.data import make_circle


@pytest.fixture
def circle():
    X, y = make_circle(240, noise=0.1, rng=0)
    Xv, yv = make_circle(120, noise=0.1, rng=1)
    return (X, y), (Xv, yv)


def _make_net(hidden=16):
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))


@pytest.fixture
def make_net():
    """A small classifier for 2-D points: make_net(hidden=16)."""
    return _make_net


@pytest.fixture
def seeded():
    gn.manual_seed(0)
