"""scikit-learn's own estimator checks, run on both estimators: every check passes, none is marked as
an expected failure (the skipped ones are skipped by scikit-learn itself, e.g. for lack of sample_weight)."""
import pytest

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


@parametrize_with_checks(
    [NeuralNetClassifier(random_state=0), NeuralNetRegressor(random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
