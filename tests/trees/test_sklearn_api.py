"""scikit-learn's estimator checks on every glassnet.trees estimator, and use in Pipeline / GridSearchCV."""
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet.trees import (DecisionTreeClassifier, DecisionTreeRegressor, GradientBoostingClassifier,
                            GradientBoostingRegressor)

# Small models keep the checks fast; they must still fit the checks' toy problems well.
ESTIMATORS = [GradientBoostingClassifier(n_estimators=10), GradientBoostingRegressor(n_estimators=10),
              DecisionTreeClassifier(), DecisionTreeRegressor()]

EXPECTED_FAILURES = {}


def expected_failures(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
