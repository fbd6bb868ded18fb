"""Lab: the optimizers of the lesson (SGD, Momentum, Nesterov, Adagrad, AdaDelta, RMSprop, Adam) on the Ackley
function (many local minima) and on a saddle point, trajectories drawn over the contour plot."""
from __future__ import annotations

import numpy as np

from .. import nn, optim
from .core import LabResult, lab, subplots

LESSON = "002_26639f9cc4b3e0cd · OPTIMIZER"


def ackley(p, a: float = 20.0, b: float = 0.2, c: float = 2 * np.pi):
    """f(x) = a + e − a·exp(−b·√((1/n)Σx_i²)) − exp((1/n)Σcos(c·x_i)); global minimum f(0) = 0."""
    n = p.shape[-1]
    radius = ((p * p).sum(-1) / n + 1e-12).sqrt()
    return a + np.e - a * (-b * radius).exp() - ((c * p).cos().sum(-1) / n).exp()


def saddle(p):
    """f(x, y) = x² − y²: a minimum along x, a maximum along y, zero gradient at the origin."""
    return p[..., 0] ** 2 - p[..., 1] ** 2


OPTIMIZERS = {  # name: (class, keyword arguments); PyTorch's update rules
    "SGD": (optim.SGD, {"lr": 0.05}),
    "Momentum": (optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "Nesterov": (optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "Adagrad": (optim.Adagrad, {"lr": 0.5}),
    "AdaDelta": (optim.Adadelta, {"lr": 10.0}),
    "RMSprop": (optim.RMSprop, {"lr": 0.05}),
    "Adam": (optim.Adam, {"lr": 0.2}),
}


def descend(f, start, make, steps: int) -> np.ndarray:
    """The path of one optimizer from ``start`` on the surface ``f``: (steps + 1, 2)."""
    point = nn.Parameter(np.array(start, dtype=np.float64))
    cls, kwargs = make
    opt = cls([point], **kwargs)
    path = [point.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        f(point).backward()
        opt.step()
        path.append(point.detach().numpy().copy())
    return np.array(path)


def surface(ax, f, lo, hi, levels):
    grid = np.linspace(lo, hi, 240)
    xx, yy = np.meshgrid(grid, grid)
    zz = f(nn.Parameter(np.stack([xx, yy], -1))).detach().numpy()
    contour = ax.contour(xx, yy, zz, levels=levels, cmap="Greys", linewidths=0.6)
    return contour


@lab("optimizers", "Optimizers on the Ackley function and on a saddle point", LESSON,
     params={"steps": "steps per optimizer on the Ackley function"})
def optimizers(out, quick=False, steps=400):
    """Each optimizer minimizes f(θ) with θ an nn.Parameter of two numbers and its optim class's update rule."""
    res = LabResult(out)
    steps = steps // 2 if quick else steps
    origin = nn.Parameter(np.zeros(2))
    res.number("Ackley f(0, 0): the global optimum", ackley(origin).item(), 0.0, 1)
    start = (-2.3, 2.8)
    ackley_paths = {name: descend(ackley, start, make, steps) for name, make in OPTIMIZERS.items()}
    for name, path in ackley_paths.items():
        res.number(f"Ackley: {name} ends at f =", ackley(nn.Parameter(path[-1])).item())
    final = {name: ackley(nn.Parameter(path[-1])).item() for name, path in ackley_paths.items()}
    res.check("momentum carries the descent out of local minima where plain SGD stays", final["Momentum"] < final["SGD"],
              f"f = {final['Momentum']:.2f} vs {final['SGD']:.2f}")
    saddle_steps = 200
    saddle_paths = {name: descend(saddle, (1.0, 1e-3), make, saddle_steps) for name, make in OPTIMIZERS.items()}
    escape = {}
    for name, path in saddle_paths.items():
        away = np.nonzero(np.abs(path[:, 1]) > 1.0)[0]
        escape[name] = int(away[0]) if len(away) else None
        res.number(f"saddle: {name} steps to |y| > 1", np.nan if escape[name] is None else escape[name],
                   note="" if escape[name] is not None else f"still near the saddle after {saddle_steps}")
    sgd = escape["SGD"] if escape["SGD"] is not None else np.inf
    for name in ("RMSprop", "Adam"):
        res.check(f"{name} leaves the saddle point faster than plain SGD",
                  escape[name] is not None and escape[name] < sgd, f"{escape[name]} vs {escape['SGD']} steps")
    fig, (left, right) = subplots(1, 2, figsize=(14, 6))
    surface(left, ackley, -6, 8, 25)
    surface(right, saddle, -1.6, 1.6, np.linspace(-2.5, 2.5, 21))
    colors = dict(zip(OPTIMIZERS, ("tab:red", "tab:orange", "gold", "tab:green", "tab:cyan", "tab:blue", "tab:purple")))
    for name in OPTIMIZERS:
        a, s = ackley_paths[name], np.clip(saddle_paths[name], -1.6, 1.6)
        left.plot(a[:, 0], a[:, 1], ".-", ms=2, lw=1, color=colors[name], label=name)
        right.plot(s[:, 0], s[:, 1], ".-", ms=2, lw=1, color=colors[name], label=name)
    left.plot(*start, "k^", ms=10, label="start")
    left.plot(0, 0, "k*", ms=14, label="global minimum")
    left.set(xlabel="x₁", ylabel="x₂", xlim=(-6, 8), ylim=(-6, 8), title=f"Ackley function, {steps} steps")
    right.plot(1.0, 0.0, "k^", ms=10, label="start (1, 0.001)")
    right.set(xlabel="x", ylabel="y", title=f"Saddle f = x² − y², {saddle_steps} steps")
    left.legend(fontsize=8, loc="lower right")
    right.legend(fontsize=8, loc="lower left")
    res.figure(fig, "optimizers")
    res.say("On the saddle the gradient along y starts at 0.002: SGD barely moves, while RMSprop and Adam "
            "divide by the gradient's running size and walk off at full speed. On the Ackley function the "
            "local minima trap plain SGD; momentum carries the others further.")
    return res
