"""A single CART decision tree, for teaching: exact splits, Gini / entropy / squared error.

A tree classifies by asking one question per node, "is x[feature] < threshold?", and descending
left or right until a leaf.  CART grows it greedily: at each node it tries every feature and every
threshold halfway between two consecutive distinct values, and keeps the split with the lowest
weighted impurity of the children,

    n_L · I(L) + n_R · I(R),   I = Gini 1 - Σ_k p_k²,  entropy -Σ_k p_k log₂ p_k,  or variance,

stopping at ``max_depth``, at pure nodes, or when a child would hold fewer than ``min_samples_leaf`` rows.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor"]


def gini(counts):
    """counts (..., K) class counts -> Gini impurity 1 - Σ p_k²."""
    n = counts.sum(axis=-1)
    p = counts / np.maximum(n, 1)[..., None]
    return 1.0 - (p ** 2).sum(axis=-1)


def entropy(counts):
    """counts (..., K) -> entropy -Σ p_k log₂ p_k (0 log 0 = 0)."""
    n = counts.sum(axis=-1)
    p = counts / np.maximum(n, 1)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=-1)


def variance(stats):
    """stats (..., 3) = (n, Σy, Σy²) -> variance Σy²/n - (Σy/n)²."""
    n = np.maximum(stats[..., 0], 1)
    return np.maximum(stats[..., 2] / n - (stats[..., 1] / n) ** 2, 0.0)


class _DecisionTree(BaseEstimator):
    def __init__(self, *, criterion, max_depth=None, min_samples_split=2, min_samples_leaf=1):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=isinstance(self, RegressorMixin))
        if self.max_depth is not None and self.max_depth < 1 or self.min_samples_leaf < 1 or self.min_samples_split < 2:
            raise ValueError(f"{type(self).__name__}: need max_depth >= 1 (or None), min_samples_leaf >= 1, "
                             "min_samples_split >= 2")
        stats = self._row_stats(y)       # per row: what the impurity is computed from (one-hot or (1, y, y²))
        impurity = self._impurity_function()
        nodes = {k: [] for k in ("feature", "threshold", "left", "right", "value", "impurity", "n_samples")}
        importances = np.zeros(X.shape[1])
        stack = [(np.arange(len(X)), 0, None)]   # (rows, depth, (parent id, side))
        while stack:
            rows, depth, parent = stack.pop()
            node = len(nodes["feature"])
            if parent is not None:
                nodes[parent[1]][parent[0]] = node
            total = stats[rows].sum(axis=0)
            node_impurity = float(impurity(total))
            for key, value in (("feature", -1), ("threshold", np.nan), ("left", -1), ("right", -1),
                               ("value", self._leaf_value(total)), ("impurity", node_impurity),
                               ("n_samples", len(rows))):
                nodes[key].append(value)
            if (self.max_depth is not None and depth >= self.max_depth) or len(rows) < self.min_samples_split \
                    or node_impurity <= 1e-12:
                continue
            best = self._best_split(X[rows], stats[rows], impurity)
            if best is None:
                continue
            feature, threshold, children_impurity = best
            importances[feature] += len(rows) * node_impurity - children_impurity
            nodes["feature"][node], nodes["threshold"][node] = feature, threshold
            goes_left = X[rows, feature] < threshold
            stack.append((rows[~goes_left], depth + 1, (node, "right")))
            stack.append((rows[goes_left], depth + 1, (node, "left")))
        self.tree_ = {k: np.asarray(v) for k, v in nodes.items()}
        self.feature_importances_ = importances / importances.sum() if importances.sum() > 0 else importances
        return self

    def _best_split(self, X, stats, impurity):
        """Scan every feature's sorted values; the impurity of each prefix/suffix comes from cumulative sums."""
        n, best = len(X), None
        for feature in range(X.shape[1]):
            order = np.argsort(X[:, feature], kind="stable")
            x = X[order, feature]
            left = np.cumsum(stats[order], axis=0)[:-1]          # left = first i+1 rows, i = 0..n-2
            right = left[-1] + stats[order[-1]] - left if n > 1 else left
            n_left = np.arange(1, n)
            score = n_left * impurity(left) + (n - n_left) * impurity(right)
            valid = (x[1:] > x[:-1]) & (n_left >= self.min_samples_leaf) & (n - n_left >= self.min_samples_leaf)
            if not np.any(valid):
                continue
            i = int(np.argmin(np.where(valid, score, np.inf)))
            if best is None or score[i] < best[2] - 1e-12:
                best = (feature, float((x[i] + x[i + 1]) / 2), float(score[i]))
        return best

    def apply(self, X):
        """Leaf index of every row of X."""
        check_is_fitted(self, "tree_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        t = self.tree_
        node = np.zeros(len(X), dtype=np.intp)
        while True:
            internal = t["feature"][node] >= 0
            if not np.any(internal):
                return node
            rows = np.flatnonzero(internal)
            at = node[rows]
            goes_left = X[rows, t["feature"][at]] < t["threshold"][at]
            node[rows] = np.where(goes_left, t["left"][at], t["right"][at])


class DecisionTreeClassifier(ClassifierMixin, _DecisionTree):
    """CART classifier; criterion "gini" or "entropy"; leaves hold class fractions."""

    def __init__(self, *, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1):
        super().__init__(criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf)

    def _row_stats(self, y):
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return np.eye(len(self.classes_))[encoded]

    def _impurity_function(self):
        functions = {"gini": gini, "entropy": entropy}
        if self.criterion not in functions:
            raise ValueError(f"criterion must be 'gini' or 'entropy', got {self.criterion!r}")
        return functions[self.criterion]

    def _leaf_value(self, counts):
        return counts / counts.sum()

    def predict_proba(self, X):
        leaves = self.apply(X)
        return self.tree_["value"][leaves]

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DecisionTreeRegressor(RegressorMixin, _DecisionTree):
    """CART regressor; criterion "squared_error" (variance); leaves hold the mean of y."""

    def __init__(self, *, criterion="squared_error", max_depth=None, min_samples_split=2, min_samples_leaf=1):
        super().__init__(criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf)

    def _row_stats(self, y):
        y = np.asarray(y, dtype=np.float64)
        return np.column_stack([np.ones_like(y), y, y * y])

    def _impurity_function(self):
        if self.criterion != "squared_error":
            raise ValueError(f"criterion must be 'squared_error', got {self.criterion!r}")
        return variance

    def _leaf_value(self, stats):
        return stats[1] / stats[0]

    def predict(self, X):
        leaves = self.apply(X)
        return self.tree_["value"][leaves]
