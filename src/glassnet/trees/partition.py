"""Splitting a node's block of rows in two, in place: left rows first, order kept.

The grower stores every row's codes, (g, h) and original index in arrays permuted so that each
node's rows form one block [start, stop); a split reorders the block so that the left child's rows
come first.  The histogram of a child then reads one contiguous block (cache friendly) instead of
gathering scattered rows.  A row goes left when code <= bin, or when it is missing (code
``missing_bin``) and the split sends missing values left.
"""
import numpy as np

from .histogram import numba

__all__ = ["partition", "partition_numpy", "partition_numba"]


def partition_numpy(codes, gh, order, start, stop, feature, bin_index, default_left, missing_bin):
    """Reorder rows [start, stop) of codes, gh and order; returns the first right row's position."""
    column = codes[start:stop, feature]
    goes_left = column <= bin_index
    if default_left:
        goes_left |= column == missing_bin
    permutation = np.concatenate([np.flatnonzero(goes_left), np.flatnonzero(~goes_left)])
    for array in (codes, gh, order):
        array[start:stop] = array[start:stop][permutation]
    return start + int(np.count_nonzero(goes_left))


if numba is not None:
    @numba.njit(nogil=True, cache=True)
    def _move(codes, gh, order, source, target_codes, target_gh, target_order, target):
        for j in range(codes.shape[1]):        # element by element: no slice objects per row
            target_codes[target, j] = codes[source, j]
        target_gh[target, 0] = gh[source, 0]
        target_gh[target, 1] = gh[source, 1]
        target_order[target] = order[source]

    @numba.njit(nogil=True, cache=True)
    def partition_numba(codes, gh, order, start, stop, feature, bin_index, default_left, missing_bin):
        """The same in one pass: left rows move forward in place, right rows wait in a buffer."""
        right_codes = np.empty((stop - start, codes.shape[1]), dtype=codes.dtype)
        right_gh = np.empty((stop - start, 2), dtype=gh.dtype)
        right_order = np.empty(stop - start, dtype=order.dtype)
        left, n_right = start, 0
        for i in range(start, stop):
            code = codes[i, feature]
            if code <= bin_index or (default_left and code == missing_bin):
                if left != i:
                    _move(codes, gh, order, i, codes, gh, order, left)
                left += 1
            else:
                _move(codes, gh, order, i, right_codes, right_gh, right_order, n_right)
                n_right += 1
        for k in range(n_right):
            _move(right_codes, right_gh, right_order, k, codes, gh, order, left + k)
        return left
else:
    partition_numba = None


def partition(codes, gh, order, start, stop, feature, bin_index, default_left, missing_bin, use_numba=True):
    if use_numba and partition_numba is not None:
        return partition_numba(codes, gh, order, start, stop, feature, bin_index, default_left, missing_bin)
    return partition_numpy(codes, gh, order, start, stop, feature, bin_index, default_left, missing_bin)
