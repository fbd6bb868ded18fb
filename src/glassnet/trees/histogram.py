"""Gradient/hessian histograms, the hot loop of the histogram method.

For a node holding rows R, the histogram of feature f is

    hist[f, b] = ( Σ_{i∈R, bin(x_if)=b} g_i ,  Σ_{i∈R, bin(x_if)=b} h_i )

Every split candidate of the node is then read off cumulative sums of these (see split.py).
The data never move: ``codes`` (n, F) uint8 (row-major, so one row's F codes share a cache line)
and ``gh`` (n, 2) = (g_i, h_i) stay as they are, and a node is the index array ``rows`` of its
rows, in increasing order (partition.py keeps it so, which makes the gathers walk memory forward).
Three implementations, held equal by the tests:

- ``build_histogram_reference``: the loops, for reading.
- ``build_histogram_numpy``: one ``np.bincount`` over "feature offset + bin" codes.
- ``build_histogram_numba``: the loops compiled with Numba (optional, the ``fast`` extra).
  Nodes of ``PARALLEL_MIN_ROWS`` rows or more are split over Numba's threads by rows, each thread
  adding into its own histogram and the few F·B partial sums added at the end; a split by features
  instead would make every thread read every row.  The sums are float64 whatever the split, so
  threaded and serial histograms differ only in the order of additions (≈1e-16 relative).

The grower also uses the sibling-subtraction trick: hist(parent) = hist(left) + hist(right), so
only the smaller child is built and the larger one is ``parent - smaller``.
"""
import numpy as np

try:
    import numba
except ImportError:      # the NumPy path is complete on its own
    numba = None

__all__ = ["build_histogram", "build_histogram_reference", "build_histogram_numpy",
           "build_histogram_numba", "HAS_NUMBA"]

HAS_NUMBA = numba is not None


def build_histogram_reference(codes, gh, rows, n_bins):
    """codes (n, F) uint8, gh (n, 2) rows of (g_i, h_i), rows (m,) the node's row indices
    -> hist (F, n_bins, 2) float64."""
    hist = np.zeros((codes.shape[1], n_bins, 2))
    for i in rows:
        for f in range(codes.shape[1]):
            hist[f, codes[i, f]] += gh[i]
    return hist


def build_histogram_numpy(codes, gh, rows, n_bins):
    """Same as the reference: the (row, feature) pairs become flat indices f·n_bins + bin,
    and ``np.bincount`` adds each row's g (then h) into its F slots at once."""
    n_features = codes.shape[1]
    flat = codes[rows].astype(np.intp)
    flat += np.arange(n_features) * n_bins
    flat = flat.ravel()
    size = n_features * n_bins
    hist = np.empty((n_features, n_bins, 2))
    for j in range(2):
        hist[..., j] = np.bincount(flat, np.repeat(gh[rows, j], n_features), size).reshape(n_features, n_bins)
    return hist


if HAS_NUMBA:
    @numba.njit(nogil=True, cache=True)
    def _accumulate(codes, gh, rows, start, stop, hist):
        for k in range(start, stop):
            i = rows[k]
            g = gh[i, 0]
            h = gh[i, 1]
            for f in range(codes.shape[1]):
                b = codes[i, f]
                hist[f, b, 0] += g
                hist[f, b, 1] += h

    @numba.njit(parallel=True, cache=True)
    def _build_parallel(codes, gh, rows, n_bins, n_chunks):
        partial = np.zeros((n_chunks, codes.shape[1], n_bins, 2))
        chunk = (len(rows) + n_chunks - 1) // n_chunks
        for c in numba.prange(n_chunks):
            _accumulate(codes, gh, rows, c * chunk, min(len(rows), (c + 1) * chunk), partial[c])
        hist = partial[0]
        for c in range(1, n_chunks):
            hist += partial[c]
        return hist

    @numba.njit(nogil=True, cache=True)
    def _build_serial(codes, gh, rows, n_bins):
        hist = np.zeros((codes.shape[1], n_bins, 2))
        _accumulate(codes, gh, rows, 0, len(rows), hist)
        return hist

    def build_histogram_numba(codes, gh, rows, n_bins):
        """The reference loops compiled; rows split over Numba's threads for nodes that are not small."""
        n_threads = numba.get_num_threads()
        if n_threads > 1 and len(rows) >= PARALLEL_MIN_ROWS:
            return _build_parallel(codes, gh, rows, n_bins, n_threads)
        return _build_serial(codes, gh, rows, n_bins)
else:
    build_histogram_numba = None

# below this many rows a thread's start-up and its own F·B histogram cost more than its share saves
PARALLEL_MIN_ROWS = 2_000


def build_histogram(codes, gh, rows, n_bins, use_numba=True):
    """The fastest available implementation (Numba when installed, else NumPy)."""
    if use_numba and HAS_NUMBA:
        return build_histogram_numba(codes, gh, rows, n_bins)
    return build_histogram_numpy(codes, gh, rows, n_bins)
