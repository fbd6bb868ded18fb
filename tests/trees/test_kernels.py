"""Binning, the three histogram implementations, and split finding against brute force."""
import numpy as np
import pytest

from glassnet.trees.binning import BinMapper
from glassnet.backends import compiled
from glassnet.trees.histogram import build_histograms_numba, build_histograms_numpy, build_histograms_reference
from glassnet.trees.partition import partition, partition_numba, partition_numpy
from glassnet.trees.losses import Logistic
from glassnet.trees.split import find_best_split_numba, find_best_split_numpy, leaf_score, leaf_weight

HAS_NUMBA = compiled.is_available()
SPLIT_FINDERS = [find_best_split_numpy] + ([find_best_split_numba] if HAS_NUMBA else [])


def test_bins_are_the_distinct_values_when_few():
    X = np.array([[3.0], [1.0], [2.0], [2.0], [np.nan]])
    mapper = BinMapper(max_bin=255).fit(X)
    np.testing.assert_array_equal(mapper.cuts_[0], [2.0, 3.0])
    np.testing.assert_array_equal(mapper.transform(X)[:, 0], [2, 0, 1, 1, 255])


def test_bins_are_quantiles_when_many_and_split_condition_matches():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 2))
    mapper = BinMapper(max_bin=16).fit(X)
    codes = mapper.transform(X)
    assert codes.dtype == np.uint8 and codes.max() <= 15
    counts = np.bincount(codes[:, 0])
    assert counts.min() > 0.5 * len(X) / 16          # roughly equal-frequency bins
    for b in range(len(mapper.cuts_[0])):             # bin <= b  <=>  x < threshold(b)
        np.testing.assert_array_equal(codes[:, 0] <= b, X[:, 0] < mapper.threshold(0, b))


@pytest.mark.skipif(not HAS_NUMBA, reason="numba (the 'fast' extra) is not installed")
def test_numba_binning_equals_numpy():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 4))
    X[:, 1] = rng.integers(0, 5, size=3000)             # few distinct values
    X[rng.random(X.shape) < 0.05] = np.nan
    mapper = BinMapper(max_bin=32).fit(X[:2000])        # values outside the fitted range too
    features = np.array([3, 1, 0])
    with compiled.flags(enabled=False):
        expected, all_expected = mapper.transform(X, features), mapper.transform(X)
    codes = mapper.transform(X, features)
    assert codes.flags.f_contiguous and expected.flags.f_contiguous
    np.testing.assert_array_equal(codes, expected)
    np.testing.assert_array_equal(mapper.transform(X), all_expected)


def test_max_bin_must_fit_in_uint8_with_missing():
    with pytest.raises(ValueError, match="max_bin"):
        BinMapper(max_bin=256)


def _histogram_case(seed=0, n=1000, n_features=9, n_bins=17):
    """Codes, gradients, and three nodes: blocks of a shuffled index array, each in increasing order."""
    rng = np.random.default_rng(seed)
    codes = np.asfortranarray(rng.integers(0, n_bins, size=(n, n_features)).astype(np.uint8))
    gh = np.column_stack([rng.normal(size=n), rng.random(n)])
    bounds = np.sort(rng.choice(np.arange(1, n), 3, replace=False))
    order = np.concatenate([np.sort(block) for block in np.split(rng.permutation(n), bounds)])
    return codes, gh, order, bounds[:-1], bounds[1:], n_bins


def test_numpy_histogram_equals_reference():
    case = _histogram_case(n=300)
    np.testing.assert_array_equal(build_histograms_numpy(*case), build_histograms_reference(*case))


@pytest.mark.skipif(not HAS_NUMBA, reason="numba (the 'fast' extra) is not installed")
@pytest.mark.parametrize("n", [300, 60_000])        # serial and threaded paths
@pytest.mark.parametrize("layout", ["F", "C"])
def test_numba_histogram_equals_numpy_bit_for_bit(n, layout):
    codes, *rest = _histogram_case(n=n)
    codes = np.asarray(codes, order=layout)
    np.testing.assert_array_equal(build_histograms_numba(codes, *rest), build_histograms_numpy(codes, *rest))


@pytest.mark.parametrize("default_left", [False, True])
def test_partition_is_stable_and_both_paths_agree(default_left):
    codes, *_, n_bins = _histogram_case(n=200)
    codes[::9, 2] = n_bins                              # missing
    order = np.random.default_rng(1).permutation(200)
    paths = [partition_numpy] + ([partition_numba] if HAS_NUMBA else [])
    for path in paths:
        o = order.copy()
        middle = path(codes, o, 50, 180, 2, 7, default_left, n_bins)
        block = order[50:180]
        goes_left = (codes[block, 2] <= 7) | (default_left & (codes[block, 2] == n_bins))
        assert middle == 50 + goes_left.sum()
        np.testing.assert_array_equal(o, np.r_[order[:50], block[goes_left], block[~goes_left], order[180:]])


def test_partition_of_several_nodes_at_once_is_the_same_on_both_paths():
    codes, _, order, starts, stops, n_bins = _histogram_case(n=500)
    splits = ([0, 3], [4, 9], [False, True])              # (features, bins, default_lefts) of the two nodes
    results = []
    for switch in [False] + ([True] if HAS_NUMBA else []):
        o = order.copy()
        with compiled.flags(enabled=switch):
            middles = partition(codes, o, starts, stops, *splits, n_bins)
        results.append((list(middles), o))
    expected = order.copy()
    for start, stop, *split in zip(starts, stops, *splits):
        partition_numpy(codes, expected, start, stop, *split, n_bins)
    for middles, o in results:
        np.testing.assert_array_equal(o, expected)
        assert middles == results[0][0]


def _brute_force_split(codes, gh, missing_bin, reg_lambda, reg_alpha, min_child_weight):
    G, H = gh.sum(axis=0)
    best = (-np.inf, None)
    for f in range(codes.shape[1]):
        for b in range(int(codes[:, f][codes[:, f] != missing_bin].max())):
            for default_left in (False, True):
                left = (codes[:, f] <= b) | (default_left & (codes[:, f] == missing_bin))
                GL, HL = gh[left].sum(axis=0)
                if HL < min_child_weight or H - HL < min_child_weight:
                    continue
                gain = (leaf_score(GL, HL, reg_lambda, reg_alpha) + leaf_score(G - GL, H - HL, reg_lambda, reg_alpha)
                        - leaf_score(G, H, reg_lambda, reg_alpha))
                if gain > best[0] + 1e-12:
                    best = (gain, (f, b))
    return best


@pytest.mark.parametrize("find_best_split", SPLIT_FINDERS)
@pytest.mark.parametrize("reg_lambda, reg_alpha, min_child_weight", [(1.0, 0.0, 1.0), (0.0, 0.5, 0.0), (5.0, 2.0, 3.0)])
def test_best_split_equals_brute_force(find_best_split, reg_lambda, reg_alpha, min_child_weight):
    rng = np.random.default_rng(1)
    n, n_bins = 200, 8
    codes = rng.integers(0, n_bins, size=(n, 3)).astype(np.uint8)
    codes[rng.random((n, 3)) < 0.1] = n_bins          # some missing values
    gh = np.column_stack([rng.normal(size=n) + (codes[:, 1] > 4), rng.random(n) + 0.1])
    hist = build_histograms_reference(codes, gh, np.arange(n), [0], [n], n_bins + 1)[0]
    split = find_best_split(hist, gh.sum(axis=0), np.full(3, n_bins), np.ones(3, bool),
                            reg_lambda, reg_alpha, min_child_weight)
    gain, where = _brute_force_split(codes, gh, n_bins, reg_lambda, reg_alpha, min_child_weight)
    assert (split.feature, split.bin) == where
    assert split.gain == pytest.approx(gain, rel=1e-9)
    mask = np.array([True, False, True])                # column subsampling: feature 1 is never chosen
    masked = find_best_split(hist, gh.sum(axis=0), np.full(3, n_bins), mask, reg_lambda, reg_alpha, min_child_weight)
    assert masked.feature != 1


def test_leaf_weight_soft_thresholds_and_respects_min_child_weight():
    assert leaf_weight(-3.0, 1.0, reg_lambda=1.0, reg_alpha=0.0) == pytest.approx(1.5)
    assert leaf_weight(-3.0, 1.0, reg_lambda=1.0, reg_alpha=1.0) == pytest.approx(1.0)
    assert leaf_weight(0.5, 1.0, reg_lambda=1.0, reg_alpha=1.0) == 0.0
    assert leaf_weight(-3.0, 0.5, reg_lambda=1.0, reg_alpha=0.0, min_child_weight=1.0) == 0.0


@pytest.mark.skipif(not HAS_NUMBA, reason="numba (the 'fast' extra) is not installed")
def test_numba_logistic_gradients_equal_numpy():
    rng = np.random.default_rng(3)
    y = (rng.random(5000) < 0.4).astype(np.float64)
    raw = rng.normal(scale=8, size=(5000, 1))
    loss = Logistic()
    for fast, reference in zip(loss.gradients(y, raw), loss.gradients_numpy(y, raw)):
        # σ as 1/(1+e^-z) against the tanh form: equal but for the last bits
        np.testing.assert_allclose(fast, reference, rtol=1e-14, atol=1e-15)
