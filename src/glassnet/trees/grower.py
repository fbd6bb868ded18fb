"""Growing one regression tree on binned data, gradients and hessians.

The tree's row indices are kept in one array in which each node owns a contiguous block; a split
partitions the block in place (partition.py), so children are blocks again.  The codes and
gradients never move: the histogram kernels read them through the indices.

- depth-wise (XGBoost's default): split every node of a level before going deeper;
- loss-guided (``grow_policy="lossguide"``, LightGBM's way): always split the leaf of largest gain.

Both stop at ``max_depth`` (0 = no limit), ``max_leaves`` (0 = no limit), when no split gains more
than γ (``gamma``), or when a child would weigh less than ``min_child_weight``.  Of two children
only the smaller one's histogram is built; the larger one's is parent - smaller.
"""
import heapq
from dataclasses import dataclass

import numpy as np

from .histogram import build_histograms
from .partition import partition
from .split import Split, find_best_split, leaf_weight

__all__ = ["TreeParams", "grow_tree"]


@dataclass
class TreeParams:
    max_depth: int = 6
    max_leaves: int = 0
    grow_policy: str = "depthwise"
    learning_rate: float = 0.3
    reg_lambda: float = 1.0
    reg_alpha: float = 0.0
    gamma: float = 0.0
    min_child_weight: float = 1.0


@dataclass
class _Node:
    id: int
    start: int
    stop: int
    depth: int
    sums: np.ndarray          # (G, H)
    hist: np.ndarray
    split: Split | None = None


class _TreeBuilder:
    """Holds the data of one round and the growing tree's node arrays."""

    def __init__(self, codes, gh, rows, n_bins, feature_mask, missing_bin, params):
        self.codes, self.gh, self.order = codes, gh, rows.copy()     # only the indices are reordered
        self.ordered = np.empty((len(rows), 2))     # the Numba kernel's buffer for gathered (g, h)
        self.n_bins, self.feature_mask, self.params = n_bins, feature_mask, params
        self.missing_bin = missing_bin
        self.hist_width = missing_bin + 1       # value bins, then the missing bin
        self.node_arrays = {k: [] for k in ("feature", "bin", "default_left", "left", "right", "value", "gain", "cover")}

    def can_split(self, depth):
        return self.params.max_depth == 0 or depth < self.params.max_depth

    def new_node(self, start, stop, depth, sums, hist):
        node = _Node(len(self.node_arrays["feature"]), start, stop, depth, sums, hist)
        for name, empty in (("feature", -1), ("bin", 0), ("default_left", False), ("left", -1),
                            ("right", -1), ("gain", 0.0)):
            self.node_arrays[name].append(empty)
        p = self.params
        self.node_arrays["value"].append(p.learning_rate * leaf_weight(sums[0], sums[1], p.reg_lambda, p.reg_alpha,
                                                                   p.min_child_weight))
        self.node_arrays["cover"].append(float(sums[1]))
        if self.can_split(depth):
            node.split = find_best_split(hist, sums, self.n_bins, self.feature_mask,
                                         p.reg_lambda, p.reg_alpha, p.min_child_weight)
            if node.split is not None and node.split.gain < p.gamma:
                node.split = None
        return node

    def histograms(self, blocks):
        """Histograms of the nodes whose rows are order[start:stop] for (start, stop) in blocks."""
        starts, stops = zip(*blocks)
        return build_histograms(self.codes, self.gh, self.order, starts, stops, self.hist_width, self.ordered)

    def root(self):
        hist = self.histograms([(0, len(self.order))])[0]
        # every row is in exactly one bin of feature 0 (its missing bin included): (G, H) of all rows
        return self.new_node(0, len(self.order), 0, hist[0].sum(axis=0), hist)

    def split(self, nodes):
        """Split each of ``nodes`` (a tree level, or one leaf): partition its rows, build the smaller
        child's histogram (of all the nodes in one call), and take parent - smaller for the other.
        Returns the children, left and right of each node in turn."""
        middles = partition(self.codes, self.order, [node.start for node in nodes], [node.stop for node in nodes],
                            [node.split.feature for node in nodes], [node.split.bin for node in nodes],
                            [node.split.default_left for node in nodes], self.missing_bin)
        middles = [int(middle) for middle in middles]
        # children at the depth limit stay leaves: they need no histograms
        growing = [k for k, node in enumerate(nodes) if self.can_split(node.depth + 1)]
        left_is_smaller = {k: middles[k] - nodes[k].start <= nodes[k].stop - middles[k] for k in growing}
        smaller = [(nodes[k].start, middles[k]) if left_is_smaller[k] else (middles[k], nodes[k].stop) for k in growing]
        built = dict(zip(growing, self.histograms(smaller))) if growing else {}
        children = []
        for k, (node, middle) in enumerate(zip(nodes, middles)):
            left_hist = right_hist = None
            if k in built:
                small, large = built[k], node.hist - built[k]
                left_hist, right_hist = (small, large) if left_is_smaller[k] else (large, small)
            node.hist = None    # no longer needed; keeps memory at about one level of histograms
            s = node.split
            left = self.new_node(node.start, middle, node.depth + 1, s.left_sums, left_hist)
            right = self.new_node(middle, node.stop, node.depth + 1, s.right_sums, right_hist)
            c = self.node_arrays
            c["feature"][node.id], c["bin"][node.id], c["default_left"][node.id] = s.feature, s.bin, s.default_left
            c["left"][node.id], c["right"][node.id], c["gain"][node.id] = left.id, right.id, s.gain
            children += [left, right]
        return children


def grow_tree(codes, gh, rows, n_bins, feature_mask, missing_bin, params):
    """Grow one tree. codes (n, F) uint8 with missing coded ``missing_bin`` (fastest in Fortran
    order, as ``BinMapper.transform`` makes them); gh (n, 2) the rows'
    (g_i, h_i) float64; rows the (sorted) row indices this tree sees.

    Returns (tree, leaves): the node arrays as a dict (feature -1 marks a leaf; "bin" is the split
    bin; "value" is the leaf weight times the learning rate), and for each leaf (node id, rows)."""
    builder = _TreeBuilder(codes, gh, rows, n_bins, feature_mask, missing_bin, params)
    root = builder.root()
    max_leaves = params.max_leaves if params.max_leaves > 0 else np.inf
    if params.grow_policy == "depthwise":
        leaves = _grow_depthwise(builder, root, max_leaves)
    elif params.grow_policy == "lossguide":
        leaves = _grow_lossguide(builder, root, max_leaves)
    else:
        raise ValueError(f"grow_policy must be 'depthwise' or 'lossguide', got {params.grow_policy!r}")
    tree = {name: np.asarray(values) for name, values in builder.node_arrays.items()}
    return tree, [(node.id, builder.order[node.start:node.stop]) for node in leaves]


def _grow_depthwise(builder, root, max_leaves):
    level, leaves, n_leaves = [root], [], 1
    while level:
        splitting = []
        for node in level:
            if node.split is None or n_leaves >= max_leaves:
                leaves.append(node)
                continue
            splitting.append(node)
            n_leaves += 1
        level = builder.split(splitting) if splitting else []
    return leaves


def _grow_lossguide(builder, root, max_leaves):
    # heap of (-gain, node id, node): the id breaks ties in creation order
    heap, leaves, n_leaves = [], [], 1

    def push(node):
        if node.split is None:
            leaves.append(node)
        else:
            heapq.heappush(heap, (-node.split.gain, node.id, node))

    push(root)
    while heap:
        _, _, node = heapq.heappop(heap)
        if n_leaves >= max_leaves:
            leaves.append(node)
            continue
        for child in builder.split([node]):
            push(child)
        n_leaves += 1
    return leaves
