"""scikit-learn's estimator checks on every glassnet.trees estimator (Pipeline / GridSearchCV: test_boosting)."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet.trees import (DecisionTreeClassifier, DecisionTreeRegressor, GradientBoostingClassifier,
                            GradientBoostingRegressor)

# Small models keep the checks fast; they must still fit the checks' toy problems well.
ESTIMATORS = [GradientBoostingClassifier(n_estimators=10, n_jobs=1), GradientBoostingRegressor(n_estimators=10, n_jobs=1),
              DecisionTreeClassifier(), DecisionTreeRegressor()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
