"""The trained ensemble: all trees' nodes in flat arrays, and prediction.

Tree t of a model with K outputs adds to output t mod K (round ⌊t/K⌋).  A node sends x left when
x[feature] < threshold, and a missing x (NaN) the way ``default_left`` says.  Leaves have
feature -1 and point to themselves, so walking ``depth`` steps from the root lands every row on
its leaf without checking where it stopped.
"""
import numpy as np

from ..backends import compiled

numba = compiled.numba

__all__ = ["Forest"]

FIELDS = {"feature": np.int32, "threshold": np.float64, "default_left": np.bool_, "left": np.int32,
          "right": np.int32, "value": np.float64, "gain": np.float64, "cover": np.float64}


class Forest:
    """Flat node arrays of every tree plus ``roots`` (first node of each tree) and ``depths``."""

    def __init__(self, n_outputs, arrays=None, roots=None, depths=None):
        self.n_outputs = int(n_outputs)
        self._arrays = arrays if arrays is not None else {name: np.empty(0, dtype) for name, dtype in FIELDS.items()}
        self._roots = np.asarray(roots if roots is not None else [], dtype=np.int64)
        self._depths = np.asarray(depths if depths is not None else [], dtype=np.int64)
        self._pending = []

    @property
    def arrays(self):
        self._flush()
        return self._arrays

    @property
    def roots(self):
        self._flush()
        return self._roots

    @property
    def depths(self):
        self._flush()
        return self._depths

    @property
    def n_trees(self):
        return len(self._roots) + len(self._pending)

    def append(self, tree, thresholds):
        """Add one tree from the grower (local child ids, -1 for leaves) with its raw thresholds."""
        offset = self._size()
        ids = np.arange(len(tree["feature"]))
        leaf = tree["feature"] < 0
        nodes = {
            "feature": tree["feature"], "threshold": np.where(leaf, np.nan, thresholds),
            "default_left": tree["default_left"],
            "left": np.where(leaf, ids, tree["left"]) + offset, "right": np.where(leaf, ids, tree["right"]) + offset,
            "value": tree["value"], "gain": tree["gain"], "cover": tree["cover"],
        }
        self._pending.append(({k: np.asarray(v, FIELDS[k]) for k, v in nodes.items()}, offset, _depth(tree)))

    def _size(self):
        if self._pending:
            nodes, offset, _ = self._pending[-1]
            return offset + len(nodes["feature"])
        return len(self._arrays["feature"])

    def _flush(self):
        """Appending stays cheap; arrays are joined once, when they are read."""
        if self._pending:
            self._arrays = {k: np.concatenate([self._arrays[k]] + [p[0][k] for p in self._pending]) for k in FIELDS}
            self._roots = np.concatenate([self._roots, [p[1] for p in self._pending]]).astype(np.int64)
            self._depths = np.concatenate([self._depths, [p[2] for p in self._pending]]).astype(np.int64)
            self._pending = []

    def tree(self, t):
        """Node arrays of tree t with local ids."""
        start = self.roots[t]
        stop = self.roots[t + 1] if t + 1 < len(self.roots) else len(self.arrays["feature"])
        nodes = {k: v[start:stop] for k, v in self.arrays.items()}
        nodes["left"], nodes["right"] = nodes["left"] - start, nodes["right"] - start
        return nodes

    def truncated(self, n_trees):
        """The first n_trees trees as a Forest of their own (for early stopping's best iteration)."""
        stop = self.roots[n_trees] if n_trees < len(self.roots) else len(self.arrays["feature"])
        return Forest(self.n_outputs, {k: v[:stop].copy() for k, v in self.arrays.items()},
                      self.roots[:n_trees].copy(), self.depths[:n_trees].copy())

    def predict_tree(self, X, t):
        """Leaf values of tree t for X (n, F) float64: the reference walk, all rows at once."""
        a = self.arrays
        node = np.full(len(X), self.roots[t])
        rows = np.arange(len(X))
        for _ in range(self.depths[t]):
            x = X[rows, a["feature"][node]]
            goes_left = np.where(np.isnan(x), a["default_left"][node], x < a["threshold"][node])
            node = np.where(goes_left, a["left"][node], a["right"][node])
        return a["value"][node]

    def predict_raw(self, X, start=0, stop=None):
        """Σ over trees start..stop-1 of leaf values, (n, K), without the base score
        (start a multiple of K)."""
        stop = self.n_trees if stop is None else stop
        X = np.ascontiguousarray(X, dtype=np.float64)
        if compiled.active():
            a = self.arrays
            return _predict_numba(X, a["feature"], a["threshold"], a["default_left"], a["left"], a["right"],
                                  a["value"], self.roots[start:stop], self.n_outputs)
        raw = np.zeros((len(X), self.n_outputs))
        for t in range(start, stop):
            raw[:, t % self.n_outputs] += self.predict_tree(X, t)
        return raw


def _depth(tree):
    depth = np.zeros(len(tree["feature"]), dtype=np.int64)
    for node in range(len(depth)):        # children always come after their parent
        if tree["feature"][node] >= 0:
            depth[tree["left"][node]] = depth[tree["right"][node]] = depth[node] + 1
    return int(depth.max())


if numba is not None:
    @numba.njit(parallel=True, cache=True)
    def _predict_numba(X, feature, threshold, default_left, left, right, value, roots, n_outputs):
        raw = np.zeros((X.shape[0], n_outputs))
        for i in numba.prange(X.shape[0]):
            for t in range(len(roots)):
                node = roots[t]
                while feature[node] >= 0:
                    x = X[i, feature[node]]
                    if np.isnan(x):
                        node = left[node] if default_left[node] else right[node]
                    else:
                        node = left[node] if x < threshold[node] else right[node]
                raw[i, t % n_outputs] += value[node]
        return raw
