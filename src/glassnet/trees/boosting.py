"""Gradient boosting with XGBoost's regularized second-order objective, as scikit-learn estimators.

The model is a sum of trees, ŷ(x) = b + Σ_t η f_t(x).  Round t fits f_t to the gradients g and
hessians h of the loss at the current ŷ, minimizing

    Σ_i [g_i f(x_i) + ½ h_i f(x_i)²] + γT + ½λ Σ_j w_j² + α Σ_j |w_j|

whose best leaf weights and split gains are in split.py.  Parameter names are XGBoost's
scikit-learn API (``XGBClassifier`` → ``GradientBoostingClassifier`` by changing the import).
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from tqdm.auto import tqdm

from ..backends.threads import job_threads, numba_threads
from .binning import BinMapper
from .forest import Forest
from .grower import TreeParams, grow_tree
from .losses import CustomLoss, Logistic, Softmax, SquaredError, sigmoid, softmax

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]


class _GradientBoosting(BaseEstimator):
    def __init__(self, *, n_estimators=100, learning_rate=0.3, max_depth=6, max_leaves=0,
                 grow_policy="depthwise", reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, min_child_weight=1.0,
                 subsample=1.0, colsample_bytree=1.0, max_bin=255, early_stopping_rounds=None,
                 random_state=None, n_jobs=None, objective=None, base_score=None, importance_type="gain"):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.max_leaves = max_leaves
        self.grow_policy = grow_policy
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.max_bin = max_bin
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.objective = objective
        self.base_score = base_score
        self.importance_type = importance_type

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ---- fitting -------------------------------------------------------------------------------
    def fit(self, X, y, *, sample_weight=None, eval_set=None, verbose=True):
        """Fit on X (n, F) (NaN = missing) and y. ``eval_set``: list of (X, y) scored after every round
        (``evals_result_``); the last one drives ``early_stopping_rounds``. ``verbose=False`` hides
        the progress bar."""
        with numba_threads(self.n_jobs):         # binning, gradients and trees all on n_jobs threads
            return self._fit(X, y, sample_weight, eval_set, verbose)

    def _fit(self, X, y, sample_weight, eval_set, verbose):
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64,
                             y_numeric=not isinstance(self, ClassifierMixin))
        self._check_params()
        y = self._encode_target(y)
        weight = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        self._loss = self._make_loss()
        evals = [(validate_data(self, Xe, reset=False, ensure_all_finite="allow-nan", dtype=np.float64),
                  self._encode_target(np.asarray(ye), fitting=False)) for Xe, ye in (eval_set or [])]
        if self.early_stopping_rounds and not evals:
            raise ValueError("early_stopping_rounds needs at least one validation set in fit(eval_set=[(X, y)])")

        self.bin_mapper_ = BinMapper(self.max_bin).fit(X, weight, n_threads=job_threads(self.n_jobs))
        # a feature of one value bin offers no split: the trees grow on the others only (their
        # histograms cost time, and a constant column costs the most, all rows adding into one bin)
        splittable = np.flatnonzero(self.bin_mapper_.n_bins() > 1)
        if len(splittable) == 0:
            splittable = np.array([0])      # one column, so that the root still has a histogram
        codes = self.bin_mapper_.transform(X, splittable)
        n_bins = self.bin_mapper_.n_bins()[splittable]
        K = self._loss.n_outputs
        self.base_score_ = (self._loss.margin(float(self.base_score)) if self.base_score is not None and K == 1
                            else self._loss.init_score(y, weight))
        raw = np.tile(self.base_score_, (len(X), 1))
        eval_raw = [np.tile(self.base_score_, (len(Xe), 1)) for Xe, _ in evals]
        self.evals_result_ = {f"validation_{i}": {self._loss.metric: []} for i in range(len(evals))}
        params = TreeParams(self.max_depth, self.max_leaves, self.grow_policy, self.learning_rate,
                            self.reg_lambda, self.reg_alpha, self.gamma, self.min_child_weight)
        rng = np.random.default_rng(0 if self.random_state is None else self.random_state)
        forest = Forest(K)
        best_score, self.best_iteration_ = np.inf, None

        for round_index in tqdm(range(self.n_estimators), desc="boosting", unit="tree",
                                disable=None if verbose else True):
            gradients, hessians = self._loss.gradients(y, raw)
            if weight is not None:
                gradients, hessians = gradients * weight[:, None], hessians * weight[:, None]
            rows = self._sample_rows(len(X), rng)
            features = self._sample_features(X.shape[1], rng)
            for k in range(K):
                gh = np.column_stack([gradients[:, k], hessians[:, k]])
                tree, leaves = grow_tree(codes, gh, rows, n_bins, features[splittable],
                                         self.bin_mapper_.missing_bin, params)
                internal = tree["feature"] >= 0
                tree["feature"][internal] = splittable[tree["feature"][internal]]
                forest.append(tree, self._thresholds(tree))
                if len(rows) == len(X):
                    for node, leaf_rows in leaves:
                        raw[leaf_rows, k] += tree["value"][node]
                else:
                    raw[:, k] += forest.predict_tree(X, forest.n_trees - 1)
                for (Xe, _), er in zip(evals, eval_raw):
                    er[:, k] += forest.predict_tree(Xe, forest.n_trees - 1)
            for i, ((_, ye), er) in enumerate(zip(evals, eval_raw)):
                self.evals_result_[f"validation_{i}"][self._loss.metric].append(self._loss.evaluate(ye, er, None))
            if self.early_stopping_rounds and evals:
                score = self.evals_result_[f"validation_{len(evals) - 1}"][self._loss.metric][-1]
                if score < best_score:
                    best_score, self.best_iteration_ = score, round_index
                elif round_index - self.best_iteration_ >= self.early_stopping_rounds:
                    break
        self.best_score_ = best_score if self.best_iteration_ is not None else None
        self.forest_ = forest
        return self

    def _check_params(self):
        checks = [(self.n_estimators >= 1, "n_estimators must be >= 1"),
                  (self.learning_rate > 0, "learning_rate must be > 0"),
                  (self.max_depth >= 0, "max_depth must be >= 0 (0 = no limit)"),
                  (self.max_leaves >= 0, "max_leaves must be >= 0 (0 = no limit)"),
                  (self.max_depth > 0 or self.max_leaves > 0 or self.grow_policy == "lossguide",
                   "max_depth=0 needs grow_policy='lossguide' or max_leaves > 0"),
                  (self.reg_lambda >= 0 and self.reg_alpha >= 0 and self.gamma >= 0, "reg_lambda, reg_alpha and gamma must be >= 0"),
                  (self.min_child_weight >= 0, "min_child_weight must be >= 0"),
                  (0 < self.subsample <= 1, "subsample must be in (0, 1]"),
                  (0 < self.colsample_bytree <= 1, "colsample_bytree must be in (0, 1]"),
                  (self.grow_policy in ("depthwise", "lossguide"), "grow_policy must be 'depthwise' or 'lossguide'"),
                  (self.importance_type in ("gain", "total_gain", "weight"), "importance_type must be 'gain', 'total_gain' or 'weight'")]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"{type(self).__name__}: {message}")

    def _sample_rows(self, n, rng):
        """Row subsampling: each row kept with probability ``subsample``, as XGBoost (sorted indices)."""
        if self.subsample >= 1:
            return np.arange(n, dtype=np.intp)
        rows = np.flatnonzero(rng.random(n) < self.subsample)
        return rows if len(rows) else np.array([rng.integers(n)], dtype=np.intp)

    def _sample_features(self, n_features, rng):
        mask = np.ones(n_features, dtype=bool)
        if self.colsample_bytree < 1:
            keep = max(1, int(self.colsample_bytree * n_features))
            mask[:] = False
            mask[rng.choice(n_features, keep, replace=False)] = True
        return mask

    def _thresholds(self, tree):
        cuts = self.bin_mapper_.cuts_
        return np.array([cuts[f][b] if f >= 0 else np.nan for f, b in zip(tree["feature"], tree["bin"])])

    # ---- predicting ----------------------------------------------------------------------------
    def _n_trees(self):
        """Trees used for predicting: up to the best iteration after early stopping, else all."""
        if self.best_iteration_ is not None:
            return (self.best_iteration_ + 1) * self._loss.n_outputs
        return self.forest_.n_trees

    def _raw(self, X, iteration_range=None):
        """b + the trees of rounds [begin, end) of ``iteration_range`` (XGBoost's argument), default
        all rounds up to the best iteration."""
        check_is_fitted(self, "forest_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        K = self._loss.n_outputs
        start, stop = (0, self._n_trees()) if iteration_range is None else (iteration_range[0] * K, iteration_range[1] * K)
        if not 0 <= start <= stop <= self.forest_.n_trees:
            raise ValueError(f"iteration_range {iteration_range} is outside the model's "
                             f"{self.forest_.n_trees // K} rounds")
        with numba_threads(self.n_jobs):
            return self.base_score_ + self.forest_.predict_raw(X, start, stop)

    def _staged_raw(self, X):
        check_is_fitted(self, "forest_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        raw = np.tile(self.base_score_, (len(X), 1))
        K = self._loss.n_outputs
        for t in range(self._n_trees()):
            raw[:, t % K] += self.forest_.predict_tree(X, t)
            if t % K == K - 1:
                yield raw.copy()

    @property
    def feature_importances_(self):
        """Per feature, normalized to sum 1: average split gain ("gain", XGBoost's default),
        summed gain ("total_gain") or number of splits ("weight")."""
        check_is_fitted(self, "forest_")
        forest = self.forest_.truncated(self._n_trees())
        feature, gain = forest.arrays["feature"], forest.arrays["gain"]
        internal = feature >= 0
        count = np.bincount(feature[internal], minlength=self.n_features_in_).astype(np.float64)
        total = np.bincount(feature[internal], weights=gain[internal], minlength=self.n_features_in_)
        scores = {"weight": count, "total_gain": total,
                  "gain": np.divide(total, count, out=np.zeros_like(total), where=count > 0)}[self.importance_type]
        return scores / scores.sum() if scores.sum() > 0 else scores

    def save_model(self, fname):
        """Save to one safetensors file (arrays + JSON metadata, no pickle), written atomically."""
        from .serialize import save_model
        save_model(self, fname)

    def load_model(self, fname):
        """Load a file written by ``save_model`` into this estimator (its parameters included)."""
        from .serialize import load_model_into
        return load_model_into(self, fname)


class GradientBoostingRegressor(RegressorMixin, _GradientBoosting):
    """Boosted regression trees (XGBRegressor's parameters). ``objective``: "reg:squarederror"
    (also when None) or a callable ``objective(y_true, y_pred) -> (grad, hess)``."""

    def _encode_target(self, y, fitting=True):
        return np.asarray(y, dtype=np.float64)

    def _make_loss(self):
        if callable(self.objective):
            return CustomLoss(self.objective, 1, SquaredError())
        if self.objective not in (None, "reg:squarederror"):
            raise ValueError(f"objective must be 'reg:squarederror' or a callable (y_true, y_pred) -> (grad, hess), got {self.objective!r}")
        return SquaredError()

    def predict(self, X, iteration_range=None):
        """ŷ(x) = b + Σ_t η f_t(x), over the best iteration's trees after early stopping."""
        return self._raw(X, iteration_range)[:, 0]

    def staged_predict(self, X):
        """Predictions after each boosting round."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class GradientBoostingClassifier(ClassifierMixin, _GradientBoosting):
    """Boosted classification trees (XGBClassifier's parameters): logistic loss for two classes,
    softmax for more. ``objective``: "binary:logistic" or "multi:softprob" (None: whichever fits the
    number of classes) or a callable on raw scores ``objective(y_true, y_pred) -> (grad, hess)``."""

    def _encode_target(self, y, fitting=True):
        if fitting:
            check_classification_targets(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(f"y has only one class ({self.classes_[0]!r}); a classifier needs at least two")
        encoded = np.searchsorted(self.classes_, y)
        unknown = (encoded >= len(self.classes_)) | (self.classes_[np.minimum(encoded, len(self.classes_) - 1)] != y)
        if np.any(unknown):
            raise ValueError(f"y has labels not seen in training: {np.unique(np.asarray(y)[unknown])[:5]}")
        return encoded.astype(np.float64)

    def _make_loss(self):
        n_classes = len(self.classes_)
        builtin = Logistic() if n_classes == 2 else Softmax(n_classes)
        if callable(self.objective):
            return CustomLoss(self.objective, builtin.n_outputs, builtin)
        if self.objective not in (None, builtin.name):
            raise ValueError(f"objective {self.objective!r} does not fit {n_classes} classes: "
                             f"use {builtin.name!r}, None or a callable (y_true, y_pred) -> (grad, hess)")
        return builtin

    def decision_function(self, X, iteration_range=None):
        """Raw scores (margins): (n,) for two classes, (n, K) for more."""
        raw = self._raw(X, iteration_range)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def _proba(self, raw):
        if raw.shape[1] == 1:
            p = sigmoid(raw[:, 0])
            return np.column_stack([1 - p, p])
        return softmax(raw)

    def predict_proba(self, X, iteration_range=None):
        """Class probabilities (n, n_classes): σ(ŷ) for two classes, softmax(ŷ) for more."""
        return self._proba(self._raw(X, iteration_range))

    def predict(self, X, iteration_range=None):
        proba = self.predict_proba(X, iteration_range)
        return self.classes_[np.argmax(proba, axis=1)]

    def staged_predict_proba(self, X):
        for raw in self._staged_raw(X):
            yield self._proba(raw)

    def staged_predict(self, X):
        """Predicted classes after each boosting round."""
        for proba in self.staged_predict_proba(X):
            yield self.classes_[np.argmax(proba, axis=1)]
