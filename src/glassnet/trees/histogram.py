"""Gradient/hessian histograms, the hot loop of the histogram method.

For a node holding rows R, the histogram of feature f is

    hist[f, b] = ( Σ_{i∈R, bin(x_if)=b} g_i ,  Σ_{i∈R, bin(x_if)=b} h_i )

Every split candidate of the node is then read off cumulative sums of these (see split.py).
The grower keeps each node's rows contiguous (it moves the rows' codes and gradients when it
partitions a node), so a histogram is built from a plain block of rows: ``codes`` (m, F) uint8 and
``gh`` (m, 2) = (g_i, h_i).  Three implementations, held equal by the tests:

- ``build_histogram_reference``: the loops, for reading.
- ``build_histogram_numpy``: one ``np.bincount`` over "feature offset + bin" codes.
- ``build_histogram_numba``: the loops compiled with Numba (optional, the ``fast`` extra),
  split over threads by rows, each thread with its own histogram, summed at the end.

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


def build_histogram_reference(codes, gh, n_bins):
    """codes (m, F) uint8, gh (m, 2) rows of (g_i, h_i) -> hist (F, n_bins, 2) float64."""
    hist = np.zeros((codes.shape[1], n_bins, 2))
    for i in range(len(codes)):
        for f in range(codes.shape[1]):
            hist[f, codes[i, f]] += gh[i]
    return hist


def build_histogram_numpy(codes, gh, n_bins):
    """Same as the reference: the (row, feature) pairs become flat indices f·n_bins + bin,
    and ``np.bincount`` adds each row's g (then h) into its F slots at once."""
    n_features = codes.shape[1]
    flat = codes.astype(np.intp)
    flat += np.arange(n_features) * n_bins
    flat = flat.ravel()
    size = n_features * n_bins
    hist = np.empty((n_features, n_bins, 2))
    for j in range(2):
        hist[..., j] = np.bincount(flat, np.repeat(gh[:, j], n_features), size).reshape(n_features, n_bins)
    return hist


if HAS_NUMBA:
    @numba.njit(nogil=True, cache=True)
    def _accumulate(codes, gh, start, stop, hist):
        for i in range(start, stop):
            g = gh[i, 0]
            h = gh[i, 1]
            for f in range(codes.shape[1]):
                b = codes[i, f]
                hist[f, b, 0] += g
                hist[f, b, 1] += h

    @numba.njit(parallel=True, cache=True)
    def _build_parallel(codes, gh, n_bins, n_chunks):
        partial = np.zeros((n_chunks, codes.shape[1], n_bins, 2))
        chunk = (len(codes) + n_chunks - 1) // n_chunks
        for c in numba.prange(n_chunks):
            _accumulate(codes, gh, c * chunk, min(len(codes), (c + 1) * chunk), partial[c])
        hist = partial[0]
        for c in range(1, n_chunks):
            hist += partial[c]
        return hist

    @numba.njit(cache=True)
    def _build_serial(codes, gh, n_bins):
        hist = np.zeros((codes.shape[1], n_bins, 2))
        _accumulate(codes, gh, 0, len(codes), hist)
        return hist

    # below this many rows the threads cost more than they save
    _PARALLEL_MIN_ROWS = 20_000

    def build_histogram_numba(codes, gh, n_bins):
        """The reference loops compiled; rows split over Numba's threads for large nodes."""
        n_threads = numba.get_num_threads()
        if n_threads > 1 and len(codes) >= _PARALLEL_MIN_ROWS:
            return _build_parallel(codes, gh, n_bins, n_threads)
        return _build_serial(codes, gh, n_bins)
else:
    build_histogram_numba = None


def build_histogram(codes, gh, n_bins, use_numba=True):
    """The fastest available implementation (Numba when installed, else NumPy)."""
    if use_numba and HAS_NUMBA:
        return build_histogram_numba(codes, gh, n_bins)
    return build_histogram_numpy(codes, gh, n_bins)
