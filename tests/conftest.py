import numpy as np
import pytest

import glassnet as gn


@pytest.fixture(autouse=True)
def _seed():
    gn.manual_seed(0)
    np.random.seed(0)
