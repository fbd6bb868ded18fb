"""glassnet.trees — Gradient-boosted decision trees with XGBoost's regularized second-order objective.
NumPy only (scikit-learn base classes for the estimator API)."""
