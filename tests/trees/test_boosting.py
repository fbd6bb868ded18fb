"""Behaviour of the boosted estimators: losses, growth policies, sampling, early stopping, staged
predictions, importances, missing values, and clear errors on bad input."""
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.backends import compiled
from glassnet.trees import GradientBoostingClassifier, GradientBoostingRegressor
from glassnet.trees.losses import sigmoid


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=1500, n_features=8, n_informative=5, random_state=0)
    return X[:1000], y[:1000], X[1000:], y[1000:]


def fit(model, X, y, **kwargs):
    return model.fit(X, y, verbose=False, **kwargs)


def test_boosting_learns_and_predicts_consistently(binary):
    X, y, X_test, y_test = binary
    model = fit(GradientBoostingClassifier(n_estimators=30, max_depth=3), X, y)
    proba = model.predict_proba(X_test)
    assert roc_auc_score(y_test, proba[:, 1]) > 0.9
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], sigmoid(model.decision_function(X_test)))
    np.testing.assert_array_equal(model.predict(X_test), model.classes_[(proba[:, 1] > 0.5).astype(int)])


def test_compiled_and_numpy_paths_give_the_same_model(binary):
    X, y, X_test, _ = binary
    fast = fit(GradientBoostingClassifier(n_estimators=5), X, y)
    with compiled.flags(enabled=False):
        slow = fit(GradientBoostingClassifier(n_estimators=5), X, y)
        reference = slow.decision_function(X_test)
    np.testing.assert_allclose(fast.decision_function(X_test), reference, rtol=1e-9)
    np.testing.assert_allclose(slow.decision_function(X_test), reference, rtol=1e-12)


def test_multiclass_softmax_and_labels():
    X, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_classes=3, random_state=1)
    labels = np.array(["a", "b", "c"])[y]
    model = fit(GradientBoostingClassifier(n_estimators=15, max_depth=3), X, labels)
    assert model.forest_.n_trees == 15 * 3
    proba = model.predict_proba(X)
    assert proba.shape == (600, 3) and model.decision_function(X).shape == (600, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.mean(model.predict(X) == labels) > 0.85


def test_regression_and_custom_objective_equal_builtin():
    X, y = make_regression(n_samples=500, n_features=5, noise=5.0, random_state=2)

    def squared_error(y_true, y_pred):
        return y_pred - y_true, np.ones_like(y_pred)

    builtin = fit(GradientBoostingRegressor(n_estimators=10, base_score=0.0), X, y)
    custom = fit(GradientBoostingRegressor(n_estimators=10, objective=squared_error), X, y)
    np.testing.assert_allclose(custom.predict(X), builtin.predict(X), rtol=1e-10)
    assert builtin.score(X, y) > 0.8


def test_lossguide_respects_max_leaves(binary):
    X, y, _, _ = binary
    model = fit(GradientBoostingClassifier(n_estimators=3, grow_policy="lossguide", max_leaves=5, max_depth=0), X, y)
    for t in range(3):
        assert np.sum(model.forest_.tree(t)["feature"] < 0) == 5


def test_regularization_shrinks_leaves(binary):
    X, y, _, _ = binary
    leaves = {}
    for name, params in {"plain": {}, "l2": {"reg_lambda": 50.0}, "l1": {"reg_alpha": 5.0}}.items():
        tree = fit(GradientBoostingClassifier(n_estimators=1, **params), X, y).forest_.tree(0)
        leaves[name] = np.abs(tree["value"][tree["feature"] < 0]).max()
    assert leaves["l2"] < leaves["plain"] and leaves["l1"] < leaves["plain"]


def test_gamma_prunes_small_gains(binary):
    X, y, _, _ = binary
    tree = fit(GradientBoostingClassifier(n_estimators=1, gamma=20.0), X, y).forest_.tree(0)
    internal = tree["feature"] >= 0
    assert np.all(tree["gain"][internal] >= 20.0)


def test_subsampling_is_seeded(binary):
    X, y, X_test, _ = binary
    params = dict(n_estimators=8, subsample=0.6, colsample_bytree=0.5)
    a = fit(GradientBoostingClassifier(random_state=1, **params), X, y).decision_function(X_test)
    b = fit(GradientBoostingClassifier(random_state=1, **params), X, y).decision_function(X_test)
    c = fit(GradientBoostingClassifier(random_state=2, **params), X, y).decision_function(X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_early_stopping_and_staged_predict(binary):
    X, y, X_val, y_val = binary
    model = fit(GradientBoostingClassifier(n_estimators=300, learning_rate=0.5, early_stopping_rounds=5),
                X, y, eval_set=[(X_val, y_val)])
    history = model.evals_result_["validation_0"]["logloss"]
    assert model.best_iteration_ == int(np.argmin(history))
    assert len(history) == model.best_iteration_ + 6 < 300
    staged = list(model.staged_predict_proba(X_val))
    assert len(staged) == model.best_iteration_ + 1
    np.testing.assert_allclose(staged[-1], model.predict_proba(X_val))
    assert len(list(model.staged_predict(X_val))) == len(staged)
    np.testing.assert_allclose(model.predict_proba(X_val, iteration_range=(0, 3)), staged[2])
    with pytest.raises(ValueError, match="iteration_range"):
        model.predict(X_val, iteration_range=(0, 10_000))


def test_feature_importances_find_the_informative_features():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(800, 5))
    y = (X[:, 2] + 0.5 * X[:, 4] > 0).astype(int)
    for importance_type in ("gain", "total_gain", "weight"):
        model = fit(GradientBoostingClassifier(n_estimators=10, max_depth=2, importance_type=importance_type), X, y)
        importances = model.feature_importances_
        assert importances.sum() == pytest.approx(1.0)
        assert set(np.argsort(importances)[-2:]) == {2, 4}


def test_nan_goes_the_learned_default_direction():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1000, 2))
    y = (X[:, 0] > 0).astype(int)
    missing = rng.random(1000) < 0.2
    X[missing & (y == 0), 0] = np.nan        # missing values here are all negatives (x < 0: the left side)
    model = fit(GradientBoostingClassifier(n_estimators=1, max_depth=1), X, y)
    root = model.forest_.tree(0)
    assert root["feature"][0] == 0 and root["default_left"][0]
    assert model.predict(np.array([[np.nan, 0.0]]))[0] == 0


@pytest.mark.parametrize("bad, message", [
    (np.array([[1.0, np.inf]] * 4), "infinity"),
    (np.zeros((0, 2)), "0 sample"),
])
def test_bad_training_input_is_refused_clearly(bad, message):
    with pytest.raises(ValueError, match=message):
        GradientBoostingClassifier(n_estimators=2).fit(bad, np.arange(len(bad)) % 2, verbose=False)


def test_single_class_is_refused_clearly():
    with pytest.raises(ValueError, match="only one class"):
        GradientBoostingClassifier().fit(np.zeros((5, 2)), np.ones(5), verbose=False)


def test_wrong_feature_count_and_inf_at_predict_are_refused(binary):
    X, y, _, _ = binary
    model = fit(GradientBoostingClassifier(n_estimators=2), X, y)
    with pytest.raises(ValueError, match="X has 3 features, but GradientBoostingClassifier is expecting 8"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="infinity"):
        model.predict(np.full((1, 8), np.inf))


def test_bad_parameters_are_named():
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="subsample"):
        GradientBoostingClassifier(subsample=0).fit(X, y, verbose=False)
    with pytest.raises(ValueError, match="early_stopping_rounds needs"):
        GradientBoostingClassifier(early_stopping_rounds=3).fit(X, y, verbose=False)


def test_works_in_pipeline_and_grid_search(binary):
    X, y, _, _ = binary
    search = GridSearchCV(make_pipeline(StandardScaler(), GradientBoostingClassifier(n_estimators=5)),
                          {"gradientboostingclassifier__max_depth": [1, 3]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["gradientboostingclassifier__max_depth"] == 3
