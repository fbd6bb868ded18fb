"""glassnet.trees — Gradient-boosted decision trees with XGBoost's regularized second-order objective.
NumPy only (scikit-learn base classes for the estimator API)."""
from .boosting import GradientBoostingClassifier, GradientBoostingRegressor
from .cart import DecisionTreeClassifier, DecisionTreeRegressor
from .plot import dump_tree, plot_tree
from .serialize import load_model, save_model

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor", "DecisionTreeClassifier",
           "DecisionTreeRegressor", "dump_tree", "plot_tree", "save_model", "load_model"]
