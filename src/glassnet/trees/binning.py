"""Quantile binning: every feature value becomes a small integer code (uint8).

The histogram method never looks at raw values again after binning: a feature with
cut points c_0 < c_1 < ... < c_{k-1} maps a value x to the bin b = #{j : c_j <= x}, so
bin b holds [c_{b-1}, c_b).  A split "left if bin <= b" is the same as "left if x < c_b",
which is XGBoost's split condition.  Missing values (NaN) all go to one extra bin, the
last code ``max_bin``, whose gradients the split finder sends left or right.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..backends import compiled

numba = compiled.numba

__all__ = ["BinMapper"]


class BinMapper:
    """Learns per-feature cut points on training data and codes any X into uint8 bins.

    With at most ``max_bin`` distinct values a feature gets one bin per value (the cuts are
    the distinct values from the second on, as XGBoost does); otherwise the cuts are the
    ``max_bin - 1`` inner quantiles of the distinct values' distribution.
    """

    def __init__(self, max_bin=255):
        if not 2 <= max_bin <= 255:
            raise ValueError(f"max_bin must be between 2 and 255 (bins are uint8 with one code for missing), got {max_bin}")
        self.max_bin = int(max_bin)

    @property
    def missing_bin(self):
        return self.max_bin

    def fit(self, X, sample_weight=None, n_threads=1):
        """Rows of weight 0 take no part (as if they were not there).  The columns are sorted on
        ``n_threads`` threads (NumPy's sort lets go of the GIL)."""
        X = np.asarray(X, dtype=np.float64)
        if sample_weight is not None:
            X = X[np.asarray(sample_weight) > 0]
        with ThreadPoolExecutor(n_threads) as pool:
            self.cuts_ = list(pool.map(self._feature_cuts, X.T))
        return self

    def _feature_cuts(self, column):
        values = np.sort(column[~np.isnan(column)])
        if len(values) == 0:
            return values
        distinct = values[np.r_[True, values[1:] != values[:-1]]]
        if len(distinct) <= self.max_bin:
            return distinct[1:]
        # the "lower" q-quantiles, q = 1/max_bin, ..., (max_bin-1)/max_bin, read off the sorted values
        positions = np.floor(np.linspace(0, 1, self.max_bin + 1)[1:-1] * (len(values) - 1)).astype(np.intp)
        cuts = np.unique(values[positions])
        return cuts[cuts > distinct[0]]     # the first bin must hold the minimum

    def transform(self, X, features=None):
        """X (n, F) float -> codes (n, F) uint8; NaN -> ``missing_bin``.  With ``features`` (indices),
        the codes of those columns only, (n, len(features)).  Stored column by column (Fortran
        order): the histogram kernels read one feature's codes at a time.  The compiled path (the
        same binary search, rows shared out over the threads) gives the same codes."""
        X = np.asarray(X)
        features = np.arange(X.shape[1]) if features is None else np.asarray(features, dtype=np.intp)
        if compiled.active():
            return _transform_numba(X.astype(np.float64, copy=False), self._padded_cuts(features),
                                    features, self.missing_bin)
        codes = np.empty((len(X), len(features)), dtype=np.uint8, order="F")
        for j, f in enumerate(features):
            column = X[:, f]
            codes[:, j] = np.searchsorted(self.cuts_[f], column, side="right")
            codes[np.isnan(column), j] = self.missing_bin
        return codes

    def _padded_cuts(self, features):
        """The features' cuts as rows of one (len(features), 256) array, padded with +inf."""
        padded = np.full((len(features), 256), np.inf)
        for j, f in enumerate(features):
            padded[j, :len(self.cuts_[f])] = self.cuts_[f]
        return padded

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def n_bins(self):
        """Number of value bins per feature (without the missing bin), shape (F,)."""
        return np.array([len(c) + 1 for c in self.cuts_], dtype=np.int64)

    def threshold(self, feature, bin_index):
        """The raw-value threshold of the split "left if bin <= bin_index": x < cuts[bin_index]."""
        return float(self.cuts_[feature][bin_index])


if numba is not None:
    @numba.njit(parallel=True, cache=True)
    def _transform_numba(X, cuts, features, missing_bin):
        """codes[i, j] = #{cuts[j] <= X[i, features[j]]} by binary search (``searchsorted`` "right");
        ``cuts`` (F, 256) padded with +inf, so the count is 8 bits found bit by bit."""
        codes = np.empty((len(features), X.shape[0]), dtype=np.uint8).T     # Fortran order
        for i in numba.prange(X.shape[0]):
            for j in range(len(features)):
                x = X[i, features[j]]
                if np.isnan(x):
                    codes[i, j] = missing_bin
                    continue
                # 8 halving steps over the 256 padded cuts, without branches to mispredict
                position, step = 0, 128
                while step > 0:
                    if cuts[j, position + step - 1] <= x:
                        position += step
                    step //= 2
                codes[i, j] = position
        return codes
else:
    _transform_numba = None
