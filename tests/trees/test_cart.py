"""The teaching CART trees against scikit-learn's, and their impurity functions."""
import numpy as np
import pytest
from sklearn import tree as sk_tree
from sklearn.datasets import load_diabetes, load_iris

from glassnet.trees import DecisionTreeClassifier, DecisionTreeRegressor
from glassnet.trees.cart import entropy, gini


def test_impurities():
    assert gini(np.array([5, 5])) == pytest.approx(0.5)
    assert entropy(np.array([5, 5])) == pytest.approx(1.0)
    assert gini(np.array([4, 0])) == entropy(np.array([4, 0])) == 0


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_classifier_matches_sklearn(criterion):
    X, y = load_iris(return_X_y=True)
    ours = DecisionTreeClassifier(criterion=criterion, max_depth=3).fit(X, y)
    theirs = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(np.sort(ours.tree_["impurity"]), np.sort(theirs.tree_.impurity), atol=1e-12)
    assert ours.score(X, y) == theirs.score(X, y)


def test_regressor_matches_sklearn():
    X, y = load_diabetes(return_X_y=True)
    ours = DecisionTreeRegressor(max_depth=4, min_samples_leaf=5).fit(X, y)
    theirs = sk_tree.DecisionTreeRegressor(max_depth=4, min_samples_leaf=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)
    assert ours.tree_["n_samples"][ours.tree_["feature"] < 0].min() >= 5


def test_cart_refuses_missing_values():
    X = np.array([[0.0], [np.nan], [1.0]])
    with pytest.raises(ValueError, match="NaN"):
        DecisionTreeClassifier().fit(X, [0, 1, 0])
