import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.data import load_digits, make_moons, make_regression_plane, train_val_test_split  # noqa: E402
from glassnet.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, _, X_test, y_train, _, y_test = train_val_test_split(X, y, val_size=0.0, test_size=0.25,
                                                                  stratify=y, rng=0)
    return X_train, X_test, y_train, y_test


def test_digits_reach_97_percent(digits):
    X_train, X_test, y_train, y_test = digits
    clf = NeuralNetClassifier(hidden_layer_sizes=(100,), batch_size=32, max_iter=40, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.97
    assert clf.n_iter_ == len(clf.loss_curve_) <= 40 and clf.loss_curve_[-1] < clf.loss_curve_[0] / 10
    assert clf.predict_proba(X_test).shape == (len(X_test), 10) and clf.n_features_in_ == 64


def test_string_labels_and_same_seed_same_model():
    X, y = make_moons(200, noise=0.1, rng=0)
    labels = np.array(["left", "right"])[y]
    a = NeuralNetClassifier((16,), max_iter=30, random_state=3, dropout=0.1, input_noise=0.05).fit(X, labels)
    b = NeuralNetClassifier((16,), max_iter=30, random_state=3, dropout=0.1, input_noise=0.05).fit(X, labels)
    assert list(a.classes_) == ["left", "right"] and set(a.predict(X)) <= {"left", "right"}
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert isinstance(a.module_[0], nn.GaussianNoise) and isinstance(a.module_[3], nn.Dropout)


def test_early_stopping_uses_a_validation_split():
    X, y = make_moons(400, noise=0.3, rng=1)
    clf = NeuralNetClassifier((32,), lr=0.01, max_iter=500, early_stopping=True, n_iter_no_change=5,
                              random_state=0).fit(X, y)
    assert clf.n_iter_ < 500 and len(clf.validation_scores_) == clf.n_iter_
    best = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ - 1 - best <= 5 + 5  # stopped within patience (ties do not count as improvement)


def test_partial_fit_continues():
    X, y = make_moons(200, noise=0.1, rng=0)
    clf = NeuralNetClassifier((16,), lr=0.03, batch_size=50, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(30):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 30 and clf.score(X, y) > 0.95
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, y + 5)


def test_regressor_in_pipeline_and_grid_search():
    X, y = make_regression_plane(300, rng=0)
    pipe = make_pipeline(StandardScaler(), NeuralNetRegressor((16,), lr=0.01, max_iter=100, random_state=0))
    search = GridSearchCV(pipe, {"neuralnetregressor__alpha": [1e-4, 1e-1]}, cv=2).fit(X, y)
    assert search.best_score_ > 0.95
    assert search.predict(X).dtype == np.float64 and search.predict(X).shape == (300,)


def test_multi_output_regression_and_user_module():
    X, y = make_regression_plane(200, rng=0)
    Y = np.stack([y, -2 * y], axis=1)
    reg = NeuralNetRegressor(module=lambda n_in, n_out: nn.Sequential(nn.Linear(n_in, n_out)),
                             lr=0.01, max_iter=300, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 2) and reg.score(X, Y) > 0.99


def test_bad_parameters_are_named():
    X, y = make_moons(20, rng=0)
    for params, word in [({"activation": "swish"}, "activation"), ({"optimizer": "lbfgs"}, "optimizer"),
                         ({"dropout": 1.0}, "dropout"), ({"batch_size": 0}, "batch_size")]:
        with pytest.raises(ValueError, match=word):
            NeuralNetClassifier(**params).fit(X, y)


def test_fitted_network_saves_with_gn_save(tmp_path):
    X, y = make_moons(100, rng=0)
    clf = NeuralNetClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    gn.save(clf.module_, tmp_path / "m.safetensors")
    np.testing.assert_array_equal(gn.load(tmp_path / "m.safetensors")(X.astype(np.float32)).data,
                                  clf.module_(X.astype(np.float32)).data)
