"""Issue 22's labs state lecture claims as checks; they must hold on any seed, not only on the tour's."""
import os

import pytest

from glassnet.lab import PASSED, get

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")


@pytest.mark.parametrize("name", ["rbm_pretraining", "hopfield", "hebbian"])
def test_the_lab_passes_on_a_freshly_drawn_seed(tmp_path, name):
    seed = int.from_bytes(os.urandom(2), "little")
    result = get(name).run(tmp_path, quick=True, seed=seed)
    failed = [f"{c.statement} ({c.detail})" for c in result.checks if not c.passed]
    assert result.status == PASSED, (seed, result.error, failed)
