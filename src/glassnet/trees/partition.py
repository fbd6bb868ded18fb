"""Splitting a node's rows in two: the index array is reordered in place, left rows first,
each side in its old (increasing) order.

The grower keeps one array ``order`` of row indices in which every node owns a block
[start, stop); a split reorders the block so that the left child's rows come first, and the
children are blocks again.  Only the indices move (8 bytes a row), never the rows' codes or
gradients, which the histogram kernels read through the indices.  A row goes left when
code <= bin, or when it is missing (code ``missing_bin``) and the split sends missing values left.
"""
import numpy as np

from ..backends import compiled

numba = compiled.numba

__all__ = ["partition", "partition_numpy", "partition_numba"]


def partition_numpy(codes, order, start, stop, feature, bin_index, default_left, missing_bin):
    """Reorder order[start:stop]; returns the first right row's position."""
    block = order[start:stop]
    column = codes[block, feature]
    goes_left = column <= bin_index
    if default_left:
        goes_left |= column == missing_bin
    left = block[goes_left]
    order[start + len(left):stop] = block[~goes_left]
    order[start:start + len(left)] = left
    return start + len(left)


if numba is not None:
    @numba.njit(nogil=True, cache=True)
    def partition_numba(codes, order, start, stop, feature, bin_index, default_left, missing_bin):
        """The same in one pass: left rows move forward in place, right rows wait in a buffer.
        Every row is written to both places and only the counters decide which copy is kept: no
        branch for the CPU to mispredict (left or right is a coin toss for a good split)."""
        right = np.empty(stop - start, dtype=order.dtype)
        left, n_right = start, 0
        for k in range(start, stop):
            i = order[k]
            code = codes[i, feature]
            goes_left = (code <= bin_index) | (default_left & (code == missing_bin))
            order[left] = i         # left <= k: that slot has been read already
            right[n_right] = i
            left += goes_left
            n_right += 1 - goes_left
        order[left:stop] = right[:n_right]
        return left

    @numba.njit(parallel=True, cache=True)
    def _partition_nodes(codes, order, starts, stops, features, bins, default_lefts, missing_bin):
        """``partition_numba`` of each node, the nodes shared out over the threads."""
        middles = np.empty(len(starts), dtype=np.intp)
        for j in numba.prange(len(starts)):
            middles[j] = partition_numba(codes, order, starts[j], stops[j], features[j], bins[j],
                                         default_lefts[j], missing_bin)
        return middles
else:
    partition_numba = None


def partition(codes, order, starts, stops, features, bins, default_lefts, missing_bin):
    """Split several nodes at once (a tree level): node j's block order[starts[j]:stops[j]] by its
    split (features[j], bins[j], default_lefts[j]).  Returns the first right row of each block.
    The compiled path shares the nodes out over the threads (the blocks do not overlap)."""
    if compiled.active():
        return _partition_nodes(codes, order, np.asarray(starts, dtype=np.intp), np.asarray(stops, dtype=np.intp),
                                np.asarray(features, dtype=np.intp), np.asarray(bins, dtype=np.intp),
                                np.asarray(default_lefts, dtype=np.bool_), missing_bin)
    return [partition_numpy(codes, order, *split, missing_bin)
            for split in zip(starts, stops, features, bins, default_lefts)]
