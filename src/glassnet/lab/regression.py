"""Labs of the Python research-practice lesson (0基础Python科研实践 第五课): linear regression by gradient
descent on J(θ), logistic regression, vectorization timing, batch size."""
from __future__ import annotations

import time

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, subplots

LESSON = "002_26639f9cc4b3e0cd"


@lab("linear_regression", "Linear regression by gradient descent on J(θ), with the cost surface",
     f"{LESSON} · 线性回归 / 梯度下降", params={"alpha": "learning rate α", "steps": "gradient-descent steps"})
def linear_regression(out, quick=False, alpha=0.2, steps=300):
    """f(x) = θ₀x + θ₁;  J(θ) = 1/(2m) Σ (y_i − f(x_i))²;  θ_j := θ_j − α ∂J/∂θ_j."""
    res = LabResult(out)
    steps = steps // 2 if quick else steps
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 4, 50).astype(np.float32)[:, None]
    y = (1.5 * x + 0.8 + rng.normal(0, 0.4, x.shape)).astype(np.float32)
    model = nn.Linear(1, 1)
    with no_grad():
        model.weight.data[...] = -1.0
        model.bias.data[...] = 4.0
    opt = optim.SGD(model.parameters(), lr=alpha)
    path, costs = [(model.weight.item(), model.bias.item())], []
    for _ in range(steps):
        opt.zero_grad()
        J = 0.5 * F.mse_loss(model(tensor(x)), y)
        J.backward()
        opt.step()
        costs.append(J.item())
        path.append((model.weight.item(), model.bias.item()))
    best = np.polyfit(x[:, 0].astype(np.float64), y[:, 0].astype(np.float64), 1)  # least squares, for reference
    res.number("θ₀ (slope) by gradient descent", path[-1][0])
    res.number("θ₁ (intercept) by gradient descent", path[-1][1])
    res.number("final cost J(θ)", costs[-1])
    distance = np.hypot(path[-1][0] - best[0], path[-1][1] - best[1])
    res.check("gradient descent reaches the least-squares minimum of J", distance < 1e-2,
              f"distance to the exact minimum ({best[0]:.4f}, {best[1]:.4f}): {distance:.1e}")
    res.check("J decreases at every step (α small enough)", np.all(np.diff(costs) <= 1e-7))
    t0, t1 = np.meshgrid(np.linspace(-1.5, 3.5, 120), np.linspace(-1.5, 5, 120))
    surface = 0.5 * ((y[:, 0, None, None] - (t0 * x[:, 0, None, None] + t1)) ** 2).mean(axis=0)
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.5))
    contour = left.contour(t0, t1, surface, levels=np.geomspace(surface.min() + 1e-3, surface.max(), 20),
                           cmap="viridis")
    fig.colorbar(contour, ax=left, label="J(θ₀, θ₁)")
    path = np.array(path)
    left.plot(path[:, 0], path[:, 1], "r.-", ms=3, label="gradient-descent path")
    left.plot(*best, "k*", ms=14, label="least-squares minimum")
    left.set(xlabel="θ₀ (slope)", ylabel="θ₁ (intercept)", title="Cost surface J(θ) and the descent")
    left.legend()
    grid = np.linspace(0, 4, 10)
    right.plot(x, y, "o", alpha=0.6, label="data")
    right.plot(grid, path[-1, 0] * grid + path[-1, 1], "r", label=f"f(x) = {path[-1, 0]:.2f}x + {path[-1, 1]:.2f}")
    right.set(xlabel="x (e.g. area)", ylabel="y (e.g. price)", title="The fitted line")
    right.legend()
    res.figure(fig, "linear_regression")
    res.say(f"nn.Linear(1, 1) holds θ₀ (weight) and θ₁ (bias); optim.SGD with α = {alpha} walks down the "
            f"bowl-shaped J(θ) to the least-squares line in {steps} steps.")
    return res


@lab("logistic_regression", "Logistic regression vs a thresholded straight line (shaded area → positive?)",
     f"{LESSON} · CLASSIFICATION / LOGISTIC 回归", params={"steps": "Adam steps per model"})
def logistic_regression(out, quick=False, steps=600):
    """S(x) = 1/(1 + e^{−x}); predict positive when S(θ₀x + θ₁) > ½; trained on the binary cross-entropy."""
    res = LabResult(out)
    steps = steps // 2 if quick else steps
    rng = np.random.default_rng(1)
    # negatives below 4.5, positives above 5.5, and three very large positive areas
    area = np.r_[rng.uniform(0, 4.5, 20), rng.uniform(5.5, 10, 20), [28.0, 32.0, 36.0]].astype(np.float32)
    positive = (area > 5).astype(np.float32)
    scale = area.std()
    x = (area / scale)[:, None]
    fits = {}
    for name, loss_fn in (("straight line f(x) > ½", lambda z, t: F.mse_loss(z[:, 0], t)),
                          ("logistic S(f(x)) > ½", lambda z, t: F.binary_cross_entropy_with_logits(z[:, 0], t))):
        manual_seed(0)
        model = nn.Linear(1, 1)
        opt = optim.Adam(model.parameters(), lr=0.1)
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(tensor(x)), positive).backward()
            opt.step()
        w, b = model.weight.item() / scale, model.bias.item()
        border = ((0.5 if "line" in name else 0.0) - b) / w
        fits[name] = (model, border)
        accuracy = (((area > border) == positive.astype(bool)).mean())
        res.number(f"{name}: decision border (area)", border)
        res.number(f"{name}: accuracy", accuracy)
    accuracies = [n.value for n in res.numbers if "accuracy" in n.name]
    res.check("large areas drag the straight line's border past some positives", accuracies[0] < 1.0,
              f"accuracy {accuracies[0]:.3f}")
    res.check("logistic regression classifies every example", accuracies[1] == 1.0, f"accuracy {accuracies[1]:.3f}")
    grid = np.linspace(0, 38, 300, dtype=np.float32)
    fig, ax = subplots(figsize=(8, 4.2))
    ax.plot(area, positive, "ko", label="examples (1 = positive)")
    for (name, (model, border)), color in zip(fits.items(), ("tab:orange", "tab:blue")):
        z = model(tensor((grid / scale)[:, None])).detach().numpy()[:, 0]
        ax.plot(grid, z if "line" in name else 1 / (1 + np.exp(-z)), color=color, label=name)
        ax.axvline(border, color=color, ls=":", label=f"border at {border:.2f}")
    ax.set(xlabel="shaded area", ylabel="prediction", ylim=(-0.3, 1.3), title="Thresholded line vs logistic regression")
    ax.legend(fontsize=8)
    res.figure(fig, "logistic_regression")
    res.say("A line fitted to 0/1 labels tilts towards the far-away examples and misplaces its ½ border; "
            "the sigmoid saturates, so far examples barely move the logistic border.")
    return res


def python_matmul(a: list, b: list) -> list:
    """C_ij = Σ_k A_ik B_kj with three Python loops (what vectorization avoids)."""
    n, m, p = len(a), len(b), len(b[0])
    c = [[0.0] * p for _ in range(n)]
    for i in range(n):
        row, out = a[i], c[i]
        for k in range(m):
            aik, bk = row[k], b[k]
            for j in range(p):
                out[j] += aik * bk[j]
    return c


LECTURE_TIMES = {  # the lecture's table: milliseconds for n×n matrix products, n = 1024, 2048, 4096
    "CUDA C": (43.11, 391.05, 3407.99), "C++": (6137.10, 64369.29, 551390.93),
    "C#": (10509.00, 300684.00, 2527250.00), "Java": (9149.90, 92562.28, 838357.94),
    "MATLAB": (75.01, 423.10, 3133.90)}


def best_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@lab("vectorization", "Vectorization: the same matrix product as Python loops vs NumPy vs glassnet",
     f"{LESSON} · VECTORIZATION (timing table)")
def vectorization(out, quick=False):
    """Three nested loops do n³ multiply-adds one at a time; NumPy/BLAS (and glassnet's @) do them vectorized."""
    res = LabResult(out)
    sizes = (16, 32, 64) if quick else (32, 64, 128, 192)
    rng = np.random.default_rng(0)
    times = {"Python loops": [], "NumPy A @ B": [], "glassnet tensor @": []}
    for n in sizes:
        a, b = rng.random((n, n)), rng.random((n, n))
        la, lb = a.tolist(), b.tolist()
        ta, tb = tensor(a), tensor(b)
        check = np.array(python_matmul(la, lb))
        res.check(f"loops give the same product as NumPy at n = {n}", np.allclose(check, a @ b))
        times["Python loops"].append(best_time(lambda: python_matmul(la, lb), 1 if n > 64 else 3))
        times["NumPy A @ B"].append(best_time(lambda: a @ b, 5))
        times["glassnet tensor @"].append(best_time(lambda: ta @ tb, 5))
    for name, row in times.items():
        res.number(f"{name}: ms at n = {sizes[-1]}", row[-1] * 1e3)
    speedup = times["Python loops"][-1] / times["NumPy A @ B"][-1]
    res.number(f"speed-up of NumPy over loops at n = {sizes[-1]}", speedup)
    exponent = np.log(times["Python loops"][-1] / times["Python loops"][-2]) / np.log(sizes[-1] / sizes[-2])
    res.number("loop time ∝ n^k: measured k", exponent, note="n³ work")
    for language, row in LECTURE_TIMES.items():
        res.number(f"lecture's {language}: k from 2048 → 4096", np.log2(row[2] / row[1]))
    res.check("vectorized NumPy is more than 100× faster than Python loops", speedup > 100, f"{speedup:.0f}×")
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.3))
    for name, row in times.items():
        left.loglog(sizes, np.array(row) * 1e3, "o-", label=name)
    left.set(xlabel="matrix size n (n×n · n×n)", ylabel="time (ms)", title="This machine")
    left.legend()
    for language, row in LECTURE_TIMES.items():
        right.loglog((1024, 2048, 4096), row, "s-", label=language)
    right.set(xlabel="matrix size n", ylabel="time (ms)", title="The lecture's table")
    right.legend(fontsize=8)
    res.figure(fig, "vectorization")
    res.say("Loops pay the interpreter for each of the n³ multiply-adds; a vectorized product hands the whole "
            "job to optimized code, the same gap as between the lecture's C++/Java rows and CUDA/MATLAB.")
    return res


def digits_split(seed: int = 0):
    """scikit-learn's bundled 8x8 digits scaled to [0, 1]: (X_train, y_train, X_test, y_test), 20% held out."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = (digits.data / 16).astype(np.float32), digits.target
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:360], order[360:]
    return X[train], y[train], X[test], y[test]


LECTURE_BATCHES = {  # batch size: epoch at which the lecture's run reached 0.99 accuracy ('-' = never)
    1000: 135, 500: 78, 256: 41, 100: 45, 50: 24, 20: 9, 10: 9}


@lab("batch_size", "Batch size: epochs and time to reach a target accuracy (the lecture's table, on digits)",
     f"{LESSON} · BATCH TRAINING / 如何确定BATCH SIZE",
     params={"target": "held-out accuracy to reach", "epochs": "epoch budget", "lr": "SGD learning rate"})
def batch_size(out, quick=False, target=0.97, epochs=60, lr=0.1):
    """One epoch = n/B updates of w ← w − η·(1/B)Σ_batch ∇L: small B gives many noisy cheap steps."""
    res = LabResult(out)
    sizes = (4, 16, 64, 256, 1437) if quick else (1, 2, 5, 10, 20, 50, 100, 256, 500, 1000, 1437)
    epochs = 15 if quick else epochs
    X, y, Xt, yt = digits_split()
    reached, per_epoch = {}, {}
    for size in sizes:
        manual_seed(0)
        rng = np.random.default_rng(0)
        net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = optim.SGD(net.parameters(), lr=lr)
        reached[size], start = None, time.perf_counter()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(len(X))
            for i in range(0, len(X), size):
                idx = order[i:i + size]
                opt.zero_grad()
                F.cross_entropy(net(tensor(X[idx])), y[idx]).backward()
                opt.step()
            with no_grad():
                accuracy = (net(tensor(Xt)).detach().numpy().argmax(1) == yt).mean()
            if accuracy >= target:
                reached[size] = epoch
                break
        per_epoch[size] = (time.perf_counter() - start) / epoch
        res.number(f"batch {size}: epoch reaching {target:.0%}", np.nan if reached[size] is None else reached[size],
                   note="not reached" if reached[size] is None else "")
        res.number(f"batch {size}: seconds per epoch", per_epoch[size])
    smallest, largest = sizes[0], sizes[-1]
    res.number(f"seconds per epoch, batch {smallest} / batch {largest}", per_epoch[smallest] / per_epoch[largest],
               note="timings are noisy on a shared machine")
    hit = [s for s in sizes if reached[s] is not None]
    res.check("full-batch training needs more epochs than mini-batches (or never gets there)",
              bool(hit) and (reached[largest] is None or reached[largest] > min(reached[s] for s in hit)))
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.3))
    shown = [s for s in sizes if reached[s] is not None]
    left.semilogx(shown, [reached[s] for s in shown], "o-", label=f"glassnet on digits (target {target:.0%})")
    left.semilogx(list(LECTURE_BATCHES), list(LECTURE_BATCHES.values()), "s--", label="lecture (0.99)")
    left.set(xlabel="batch size", ylabel="epochs to reach the target", title="Epochs needed")
    left.legend()
    right.loglog(sizes, [per_epoch[s] for s in sizes], "o-", label="seconds per epoch")
    right.set(xlabel="batch size", ylabel="seconds per epoch", title="Cost of an epoch")
    right.legend()
    res.figure(fig, "batch_size")
    res.say("Small batches make many cheap noisy updates per epoch and reach the target in fewer epochs but "
            "cost more time per epoch; one full batch per epoch is fast per epoch but needs many epochs.")
    return res
