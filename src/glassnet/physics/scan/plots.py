"""Figures of a scan (matplotlib, Agg backend, written to PNG files):
2-D projections of the good points, the likelihood per iteration, and the efficiency against random."""
from __future__ import annotations

import itertools
import os

import numpy as np

UNIFORM_ORIGINS = ("initial", "random")  # points drawn uniformly: they measure a random scan's efficiency


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_projections(results, space, threshold: float, path) -> str:
    """Every pair of parameters: all evaluated points in grey, invalid ones as red crosses, good ones
    (L > threshold) coloured by L."""
    plt = _pyplot()
    pairs = list(itertools.combinations(range(len(space)), 2)) or [(0, 0)]
    cols = min(3, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 4.2 * rows), squeeze=False)
    good, invalid, likelihood = results.good(threshold), ~results.valid, results.likelihood
    for ax, (i, j) in zip(axes.flat, pairs):
        x, y = results.params[:, i], results.params[:, j] if j != i else likelihood
        ax.scatter(x, y, s=2, c="0.8", label="evaluated", rasterized=True)
        ax.scatter(x[invalid], y[invalid], s=6, c="tab:red", marker="x", linewidths=0.6, label="invalid")
        points = ax.scatter(x[good], y[good], s=4, c=likelihood[good], cmap="viridis", vmin=threshold, vmax=1,
                            label=f"good (L > {threshold:g})")
        ax.set_xlabel(space.names[i])
        ax.set_ylabel(space.names[j] if j != i else "likelihood")
        for axis, k in (("x", i), ("y", j)):
            if space.dimensions[k].log and (axis == "x" or j != i):
                getattr(ax, f"set_{axis}scale")("log")
        ax.legend(loc="upper right", fontsize=7, markerscale=2)
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    fig.colorbar(points, ax=axes.ravel().tolist(), label="likelihood L")
    fig.suptitle(f"Good points: {int(good.sum())} of {len(results)} evaluations")
    return _save(fig, path)


def plot_likelihood_per_iteration(results, threshold: float, path) -> str:
    """L of every evaluated point against its iteration, and the share of good points per iteration."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(results))
    ax.scatter(results.iteration + jitter, results.likelihood, s=2, alpha=0.3, c="tab:blue", label="evaluated point")
    ax.axhline(threshold, ls="--", c="0.4", lw=1, label=f"threshold L = {threshold:g}")
    ax.set_xlabel("iteration")
    ax.set_ylabel("likelihood L")
    iterations = np.unique(results.iteration)
    share = [results.good(threshold)[results.iteration == k].mean() for k in iterations]
    twin = ax.twinx()
    twin.plot(iterations, share, c="tab:orange", marker="o", ms=3, label="share of good points")
    twin.set_ylabel("share of good points per iteration")
    twin.set_ylim(0, 1)
    lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(lines, [line.get_label() for line in lines], loc="upper left", fontsize=8)
    ax.set_title("Likelihood per iteration")
    return _save(fig, path)


def plot_efficiency(results, threshold: float, path) -> str:
    """Good points found against evaluations spent, with what a uniform random scan would have found
    (its efficiency estimated from the scan's own uniform points: the initial and exploration ones)."""
    plt = _pyplot()
    order = np.argsort(results.id, kind="stable")
    good = results.good(threshold)[order]
    n = np.arange(1, len(good) + 1)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(n, np.cumsum(good), c="tab:blue", label=f"this scan ({good.mean():.1%} good)")
    uniform = np.isin(results.origin, UNIFORM_ORIGINS)
    if uniform.any():
        rate = results.good(threshold)[uniform].mean()
        ratio = f", ×{good.mean() / rate:.1f}" if rate > 0 else ""
        ax.plot(n, rate * n, c="0.4", ls="--", label=f"random scan (≈{rate:.1%} good{ratio})")
    ax.set_xlabel("exact evaluations")
    ax.set_ylabel(f"good points (L > {threshold:g})")
    ax.set_title("Efficiency against a random scan")
    ax.legend()
    return _save(fig, path)


def plot_scan(results, space, threshold: float, folder) -> list:
    """The three figures, written to ``folder``; returns their paths."""
    os.makedirs(folder, exist_ok=True)
    return [plot_projections(results, space, threshold, os.path.join(folder, "scan_projections.png")),
            plot_likelihood_per_iteration(results, threshold, os.path.join(folder, "scan_likelihood.png")),
            plot_efficiency(results, threshold, os.path.join(folder, "scan_efficiency.png"))]


def _save(fig, path) -> str:
    tmp = f"{path}.tmp.png"
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    os.replace(tmp, path)
    return path
