"""Against XGBoost: the same first tree (split features, thresholds, default directions) with matched
λ, γ, depth and learning rate, and the same test AUC (within 0.002)."""
import json

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from glassnet.trees import GradientBoostingClassifier, GradientBoostingRegressor

xgb = pytest.importorskip("xgboost")


def _xgb_tree(model, index):
    trees = json.loads(model.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    tree = trees[index]
    internal = np.array(tree["left_children"]) >= 0
    return (np.array(tree["split_indices"])[internal], np.array(tree["split_conditions"], dtype=np.float32)[internal],
            np.array(tree["default_left"], dtype=bool)[internal], np.array(tree["loss_changes"])[internal])


def _ours(model, index):
    tree = model.forest_.tree(index)
    internal = tree["feature"] >= 0
    return (tree["feature"][internal], tree["threshold"][internal].astype(np.float32),
            tree["default_left"][internal], tree["gain"][internal])


def _small_data():
    X, y = make_classification(n_samples=400, n_features=6, n_informative=4, random_state=3)
    X = np.round(X, 1)                       # few distinct values: every value is a bin in both libraries
    X[::7, 1] = np.nan                       # missing values: the default directions must match too
    return X, y


@pytest.mark.parametrize("params", [
    dict(max_depth=3, learning_rate=0.3, reg_lambda=1.0, gamma=0.0),
    dict(max_depth=4, learning_rate=0.1, reg_lambda=5.0, gamma=2.0),
    dict(max_depth=2, learning_rate=0.5, reg_lambda=0.5, gamma=0.0, reg_alpha=1.0, min_child_weight=3.0),
])
def test_first_trees_equal_xgboost(params):
    X, y = _small_data()
    common = dict(n_estimators=3, base_score=0.5, **params)
    theirs = xgb.XGBClassifier(tree_method="hist", max_bin=255, n_jobs=1, **common).fit(X, y)
    ours = GradientBoostingClassifier(max_bin=255, **common).fit(X, y, verbose=False)
    for index in range(3):                   # the first tree, and the next ones built on its gradients
        features, thresholds, default_left, gain = _ours(ours, index)
        x_features, x_thresholds, x_default_left, x_gain = _xgb_tree(theirs, index)
        np.testing.assert_array_equal(features, x_features)
        np.testing.assert_array_equal(thresholds, x_thresholds)
        np.testing.assert_array_equal(default_left, x_default_left)
        np.testing.assert_allclose(gain, x_gain, rtol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)


def test_regression_first_tree_equals_xgboost():
    X, _ = _small_data()
    y = np.nan_to_num(X[:, 1]) * 2 + X[:, 0] ** 2
    common = dict(n_estimators=2, max_depth=3, learning_rate=0.3, reg_lambda=1.0, base_score=0.0)
    theirs = xgb.XGBRegressor(tree_method="hist", max_bin=255, n_jobs=1, **common).fit(X, y)
    ours = GradientBoostingRegressor(**common).fit(X, y, verbose=False)
    for got, expected in zip(_ours(ours, 0)[:3], _xgb_tree(theirs, 0)[:3]):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-4, atol=1e-4)


def test_test_auc_within_0_002_of_xgboost():
    X, y = make_classification(n_samples=15_000, n_features=20, n_informative=12, random_state=0)
    X_train, y_train, X_test, y_test = X[:10_000], y[:10_000], X[10_000:], y[10_000:]
    common = dict(n_estimators=40, max_depth=6, learning_rate=0.1, reg_lambda=1.0, max_bin=255)
    theirs = xgb.XGBClassifier(tree_method="hist", n_jobs=1, **common).fit(X_train, y_train)
    ours = GradientBoostingClassifier(n_jobs=1, **common).fit(X_train, y_train, verbose=False)
    auc_theirs = roc_auc_score(y_test, theirs.predict_proba(X_test)[:, 1])
    auc_ours = roc_auc_score(y_test, ours.predict_proba(X_test)[:, 1])
    print(f"test AUC: glassnet {auc_ours:.5f}, XGBoost {auc_theirs:.5f}")
    assert abs(auc_ours - auc_theirs) <= 0.002, (auc_ours, auc_theirs)
