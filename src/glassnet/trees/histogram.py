"""Gradient/hessian histograms, the hot loop of the histogram method.

For a node holding rows R, the histogram of feature f is

    hist[f, b] = ( Σ_{i∈R, bin(x_if)=b} g_i ,  Σ_{i∈R, bin(x_if)=b} h_i )

Every split candidate of the node is then read off cumulative sums of these (see split.py).
The data never move: ``codes`` (n, F) uint8 and ``gh`` (n, 2) = (g_i, h_i) stay as they are, and
the grower keeps one array ``order`` of row indices in which node j owns the block
order[starts[j]:stops[j]], in increasing row order (partition.py keeps it so).  The kernels build
the histograms of several nodes at once (all the nodes of a tree level that need one), so that
the threads start once per level instead of once per node.  Three implementations:

- ``build_histograms_reference``: the loops, for reading.
- ``build_histograms_numpy``: per node one ``np.bincount`` over "feature offset + bin" codes.
- ``build_histograms_numba``: compiled with Numba (optional, the ``fast`` extra), two features
  at a time.  The codes are stored column by column (Fortran order), so one feature's codes are
  one contiguous n-byte column (200 kB for 200,000 rows, it stays in cache) and the gradients
  of the nodes' rows are first gathered once into a contiguous buffer (LightGBM's "ordered
  gradients"), which every feature then reads in sequence.  The threads share out the feature
  pairs (``numba.prange``): every node's histogram uses all threads, with no per-thread copies to
  add up.  (Row by row over C-ordered codes, with per-thread histograms, was slower below the
  root: a deep node's rows are scattered, and each one costs a cache miss in codes and in gh.)

Every bin receives its rows' g and h in the same order (increasing row index) in all three, so
they give bit-for-bit the same sums whatever the number of threads.

The grower also uses the sibling-subtraction trick: hist(parent) = hist(left) + hist(right), so
only the smaller child is built and the larger one is ``parent - smaller``.
"""
import numpy as np

from ..backends import compiled

numba = compiled.numba
__all__ = ["build_histograms", "build_histograms_reference", "build_histograms_numpy", "build_histograms_numba"]


def build_histograms_reference(codes, gh, order, starts, stops, n_bins):
    """codes (n, F) uint8, gh (n, 2) rows of (g_i, h_i), order (m,) row indices, node j's rows
    order[starts[j]:stops[j]] -> hist (nodes, F, n_bins, 2) float64."""
    hist = np.zeros((len(starts), codes.shape[1], n_bins, 2))
    for j in range(len(starts)):
        for i in order[starts[j]:stops[j]]:
            for f in range(codes.shape[1]):
                hist[j, f, codes[i, f]] += gh[i]
    return hist


def build_histograms_numpy(codes, gh, order, starts, stops, n_bins):
    """Same as the reference: the (row, feature) pairs of a node become flat indices
    f·n_bins + bin, and ``np.bincount`` adds each row's g (then h) into its F slots at once."""
    n_features = codes.shape[1]
    offsets = np.arange(n_features) * n_bins
    hist = np.empty((len(starts), n_features, n_bins, 2))
    for j in range(len(starts)):
        rows = order[starts[j]:stops[j]]
        flat = (codes[rows].astype(np.intp) + offsets).ravel()
        for k in range(2):
            hist[j, ..., k] = np.bincount(flat, np.repeat(gh[rows, k], n_features),
                                          n_features * n_bins).reshape(n_features, n_bins)
    return hist


if numba is not None:
    @numba.njit(nogil=True, cache=True)
    def _gather(gh, order, starts, stops, ordered):
        """ordered[k] = gh[order[k]] over the nodes' blocks."""
        for j in range(len(starts)):
            for k in range(starts[j], stops[j]):
                ordered[k, 0] = gh[order[k], 0]
                ordered[k, 1] = gh[order[k], 1]

    @numba.njit(nogil=True, cache=True)
    def _pair_histograms(codes, ordered, order, starts, stops, hist, f):
        """Features f and f + 1 in one pass over the rows: the row index and its (g, h) are read once
        for both, and the two features' additions form two independent chains that the CPU overlaps
        (about 1.5x faster than one feature at a time).  Feature f alone when it is the last one."""
        first = codes[:, f]
        if f + 1 == codes.shape[1]:
            for j in range(len(starts)):
                for k in range(starts[j], stops[j]):
                    b = first[order[k]]
                    hist[j, f, b, 0] += ordered[k, 0]
                    hist[j, f, b, 1] += ordered[k, 1]
            return
        second = codes[:, f + 1]
        for j in range(len(starts)):
            hist_first, hist_second = hist[j, f], hist[j, f + 1]
            for k in range(starts[j], stops[j]):
                i = order[k]
                g = ordered[k, 0]
                h = ordered[k, 1]
                b = first[i]
                hist_first[b, 0] += g
                hist_first[b, 1] += h
                b = second[i]
                hist_second[b, 0] += g
                hist_second[b, 1] += h

    @numba.njit(parallel=True, cache=True)
    def _build_parallel(codes, gh, order, starts, stops, n_bins, ordered):
        _gather(gh, order, starts, stops, ordered)
        hist = np.zeros((len(starts), codes.shape[1], n_bins, 2))
        for pair in numba.prange((codes.shape[1] + 1) // 2):
            _pair_histograms(codes, ordered, order, starts, stops, hist, 2 * pair)
        return hist

    @numba.njit(nogil=True, cache=True)
    def _build_serial(codes, gh, order, starts, stops, n_bins, ordered):
        _gather(gh, order, starts, stops, ordered)
        hist = np.zeros((len(starts), codes.shape[1], n_bins, 2))
        for f in range(0, codes.shape[1], 2):
            _pair_histograms(codes, ordered, order, starts, stops, hist, f)
        return hist

    def build_histograms_numba(codes, gh, order, starts, stops, n_bins, ordered=None):
        """The loops compiled, features shared out over Numba's threads unless the nodes are small.
        ``ordered``: an (len(order), 2) float64 buffer to reuse for the gathered gradients."""
        if ordered is None:
            ordered = np.empty((len(order), 2))
        starts, stops = np.asarray(starts, dtype=np.intp), np.asarray(stops, dtype=np.intp)
        if numba.get_num_threads() > 1 and np.sum(stops - starts) >= PARALLEL_MIN_ROWS:
            return _build_parallel(codes, gh, order, starts, stops, n_bins, ordered)
        return _build_serial(codes, gh, order, starts, stops, n_bins, ordered)
else:
    build_histograms_numba = None

# below this many rows (over all the nodes of a call) starting the threads costs more than they save
PARALLEL_MIN_ROWS = 2_000


def build_histograms(codes, gh, order, starts, stops, n_bins, ordered=None):
    """The compiled kernel when the compiled kernels are on (``glassnet.backends.compiled``), else NumPy."""
    if compiled.active():
        return build_histograms_numba(codes, gh, order, starts, stops, n_bins, ordered)
    return build_histograms_numpy(codes, gh, order, starts, stops, n_bins)
