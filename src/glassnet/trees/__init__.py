"""glassnet.trees — Gradient-boosted decision trees with XGBoost's regularized second-order objective.
NumPy only (scikit-learn base classes for the estimator API)."""
from .boosting import GradientBoostingClassifier, GradientBoostingRegressor
from .cart import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor", "DecisionTreeClassifier",
           "DecisionTreeRegressor"]
