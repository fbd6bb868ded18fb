"""Looking inside a tree: a text dump (XGBoost's ``get_dump`` format) and a matplotlib drawing.

Both work on one tree of a boosted model (``tree_index``) or on a CART ``DecisionTree*``.
"""
import numpy as np

__all__ = ["dump_tree", "plot_tree"]


def _nodes(model, tree_index):
    """Node arrays of the tree, and per node the text of its question or leaf."""
    if hasattr(model, "forest_"):
        if not 0 <= tree_index < model.forest_.n_trees:
            raise IndexError(f"tree_index {tree_index} out of range: the model has {model.forest_.n_trees} trees")
        nodes = model.forest_.tree(tree_index)
        details = [f"gain={g:.6g},cover={c:.6g}" for g, c in zip(nodes["gain"], nodes["cover"])]
        leaves = [f"leaf={v:.6g},cover={c:.6g}" for v, c in zip(nodes["value"], nodes["cover"])]
    elif hasattr(model, "tree_"):
        nodes = dict(model.tree_)
        nodes["default_left"] = np.zeros(len(nodes["feature"]), dtype=bool)
        criterion = model.criterion
        details = [f"samples={n},{criterion}={i:.4g}" for n, i in zip(nodes["n_samples"], nodes["impurity"])]
        leaves = [f"leaf={np.round(v, 4).tolist()},samples={n}" for v, n in zip(nodes["value"], nodes["n_samples"])]
    else:
        raise ValueError(f"{type(model).__name__} is not fitted (or not a glassnet tree model)")
    return nodes, details, leaves


def _feature_name(feature, feature_names):
    return feature_names[feature] if feature_names is not None else f"f{feature}"


def dump_tree(model, tree_index=0, feature_names=None):
    """One tree as indented text, one node per line:
    ``id:[feature<threshold] yes=left,no=right,missing=…,gain=…,cover=…`` or ``id:leaf=…``."""
    nodes, details, leaves = _nodes(model, tree_index)
    feature_names = feature_names if feature_names is not None else getattr(model, "feature_names_in_", None)
    lines, stack = [], [(0, 0)]
    while stack:
        node, depth = stack.pop()
        f = nodes["feature"][node]
        if f < 0:
            lines.append("\t" * depth + f"{node}:{leaves[node]}")
            continue
        left, right = nodes["left"][node], nodes["right"][node]
        missing = f"missing={left if nodes['default_left'][node] else right}," if hasattr(model, "forest_") else ""
        lines.append("\t" * depth + f"{node}:[{_feature_name(f, feature_names)}<{nodes['threshold'][node]:.6g}] "
                     f"yes={left},no={right},{missing}{details[node]}")
        stack.extend([(right, depth + 1), (left, depth + 1)])
    return "\n".join(lines) + "\n"


def plot_tree(model, tree_index=0, path=None, feature_names=None, ax=None):
    """Draw one tree: questions in boxes, leaves below, edges labeled "yes" / "no" (and where missing
    values go). Saves to ``path`` when given; returns the matplotlib Figure."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    nodes, _, _ = _nodes(model, tree_index)
    feature_names = feature_names if feature_names is not None else getattr(model, "feature_names_in_", None)
    position, depth_of = {}, {}
    next_leaf = [0]

    def place(node, depth):            # leaves left to right, parents centred over their children
        depth_of[node] = depth
        if nodes["feature"][node] < 0:
            position[node] = next_leaf[0]
            next_leaf[0] += 1
        else:
            place(nodes["left"][node], depth + 1)
            place(nodes["right"][node], depth + 1)
            position[node] = (position[nodes["left"][node]] + position[nodes["right"][node]]) / 2

    place(0, 0)
    n_leaves, max_depth = next_leaf[0], max(depth_of.values())
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(6, 1.6 * n_leaves), max(3, 1.4 * (max_depth + 1))))
    fig = ax.figure
    for node in position:
        x, y = position[node], -depth_of[node]
        f = nodes["feature"][node]
        if f >= 0:
            text = f"{_feature_name(f, feature_names)} < {nodes['threshold'][node]:.4g}"
            style = dict(boxstyle="round", facecolor="#dbe9f6", edgecolor="#3b6ea5")
            for child, label in ((nodes["left"][node], "yes"), (nodes["right"][node], "no")):
                missing = (child == nodes["left"][node]) == bool(nodes["default_left"][node])
                if hasattr(model, "forest_") and missing:
                    label += ", missing"
                cx, cy = position[child], -depth_of[child]
                ax.annotate("", xy=(cx, cy + 0.15), xytext=(x, y - 0.15),
                            arrowprops=dict(arrowstyle="->", color="#555555"))
                ax.text((x + cx) / 2, (y + cy) / 2, label, fontsize=7, ha="center", color="#444444",
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))
        else:
            value = nodes["value"][node]
            text = f"leaf {value:.4g}" if np.ndim(value) == 0 else "leaf " + ", ".join(f"{v:.2f}" for v in value)
            style = dict(boxstyle="round", facecolor="#e6f4e1", edgecolor="#4a8a3a")
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=style)
    ax.legend(handles=[Patch(facecolor="#dbe9f6", edgecolor="#3b6ea5", label="question (split)"),
                       Patch(facecolor="#e6f4e1", edgecolor="#4a8a3a", label="leaf (its value)")],
              loc="upper right", fontsize=8)
    ax.set_xlim(-0.8, n_leaves - 0.2)
    ax.set_ylim(-max_depth - 0.6, 0.6)
    ax.set_xlabel("leaves, left to right")
    ax.set_ylabel("depth")
    ax.set_yticks(-np.arange(max_depth + 1), np.arange(max_depth + 1))
    ax.set_xticks([])
    name = f"tree {tree_index} of {type(model).__name__}" if hasattr(model, "forest_") else type(model).__name__
    ax.set_title(f"{name}: left when the answer is yes")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
