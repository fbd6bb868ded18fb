"""Labs on capacity, over- and under-fitting and the remedies the lectures list: L2 regularization
(the λ sweep), dropout, early stopping, noise injection."""
from __future__ import annotations

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed, no_grad
from ..nn import functional as F
from .core import LabResult, lab, subplots

CAPACITY = "000_9c09d12a8cbeeb62 · 2 神经网络进阶 · 容量、过拟合、欠拟合"
OVERFIT = "002_26639f9cc4b3e0cd · 过拟合的解决办法"


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """[x, x², …, x^degree]: a linear layer on these is the lecture's y = β₀ + β₁x + … + β_n xⁿ."""
    return np.stack([x ** k for k in range(1, degree + 1)], axis=1).astype(np.float32)


@lab("capacity", "Capacity: polynomials of degree 1, 2, 4, 9 — under-fitting and over-fitting",
     f"{CAPACITY}; 002 · 什么叫过拟合", params={"steps": "Adam steps per degree", "noise": "noise of the data"})
def capacity(out, quick=False, steps=4000, noise=0.15):
    """Model y = β₀ + Σ_k β_k x^k (nn.Linear on powers of x), trained on 10 points, tested on 200 new ones."""
    res = LabResult(out)
    steps = steps // 4 if quick else steps
    rng = np.random.default_rng(3)

    def truth(x):
        return 0.4 + 1.2 * x - 1.5 * x ** 2

    x_train = np.sort(rng.uniform(-1, 1, 10))
    y_train = (truth(x_train) + rng.normal(0, noise, 10)).astype(np.float32)[:, None]
    x_test = rng.uniform(-1, 1, 200)
    y_test = (truth(x_test) + rng.normal(0, noise, 200)).astype(np.float32)[:, None]
    degrees = (1, 2, 4, 9)
    grid = np.linspace(-1, 1, 200)
    errors, curves = {}, {}
    for degree in degrees:
        manual_seed(degree)
        model = nn.Linear(degree, 1)
        opt = optim.Adam(model.parameters(), lr=0.05)
        scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        features = tensor(polynomial_features(x_train, degree))
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(model(features), y_train).backward()
            opt.step()
            scheduler.step()
        with no_grad():
            train = F.mse_loss(model(features), y_train).item()
            test = F.mse_loss(model(tensor(polynomial_features(x_test, degree))), y_test).item()
            curves[degree] = model(tensor(polynomial_features(grid, degree))).detach().numpy()[:, 0]
        errors[degree] = (train, test)
        res.number(f"degree {degree}: training MSE", train)
        res.number(f"degree {degree}: test MSE", test)
    train_errors = [errors[d][0] for d in degrees]
    res.check("training error falls as capacity grows", all(b <= a * 1.05 for a, b in zip(train_errors, train_errors[1:])),
              " → ".join(f"{e:.4f}" for e in train_errors))
    res.check("degree 1 under-fits: its test error is above degree 2's", errors[1][1] > errors[2][1])
    res.check("degree 9 over-fits: test error above degree 2's although training error is lower",
              errors[9][1] > errors[2][1] and errors[9][0] < errors[2][0],
              f"test {errors[9][1]:.4f} vs {errors[2][1]:.4f}")
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.3))
    left.plot(x_train, y_train, "ko", label="training points")
    left.plot(grid, truth(grid), "k:", label="true function")
    for degree in degrees:
        left.plot(grid, curves[degree], label=f"degree {degree}")
    left.set(xlabel="x", ylabel="y", ylim=(-3, 1.5), title="Polynomial fits of growing degree")
    left.legend(fontsize=8)
    right.semilogy(degrees, train_errors, "o-", label="training error")
    right.semilogy(degrees, [errors[d][1] for d in degrees], "s-", label="test error")
    right.set(xlabel="polynomial degree (capacity)", ylabel="mean squared error", title="Training vs test error")
    right.legend()
    res.figure(fig, "capacity")
    res.say("Degree 1 is too simple for both sets (under-fitting, high bias); degree 2 matches the truth; "
            "degree 9 threads the training points and misses new ones (over-fitting, high variance).")
    return res


def moons(n: int, noise: float, seed: int):
    from sklearn.datasets import make_moons

    X, y = make_moons(n, noise=noise, random_state=seed)
    return X.astype(np.float32), y.astype(np.float32)


def mlp(hidden: int = 64, layers: int = 3, dropout: float = 0.0, input_noise: float = 0.0) -> nn.Sequential:
    blocks = [nn.GaussianNoise(input_noise)] if input_noise else []
    width = 2
    for _ in range(layers):
        blocks += [nn.Linear(width, hidden), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
        width = hidden
    return nn.Sequential(*blocks, nn.Linear(width, 1))


def fit(net, X, y, steps, l2=0.0, lr=0.01, val=None) -> list[float]:
    """Full-batch Adam on BCE + λ·½Σw² (the lecture's λ·Ω(θ), Ω the squared L2 norm of the weights, halved);
    returns the validation loss after every step when ``val`` is given."""
    opt = optim.Adam(net.parameters(), lr=lr)
    weights = [p for name, p in net.named_parameters() if name.endswith("weight")]
    history = []
    for _ in range(steps):
        net.train()
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(net(tensor(X))[:, 0], y)
        if l2:
            loss = loss + nn.utils.l2_penalty(weights, l2)
        loss.backward()
        opt.step()
        if val is not None:
            history.append(evaluate(net, *val)[0])
    return history


def evaluate(net, X, y) -> tuple[float, float]:
    """(BCE loss, accuracy) in eval mode."""
    net.eval()
    with no_grad():
        z = net(tensor(X))[:, 0]
        loss = F.binary_cross_entropy_with_logits(z, y).item()
    return loss, float(((z.detach().numpy() > 0) == (y > 0.5)).mean())


def boundary(ax, net, X, y, title):
    xx, yy = np.meshgrid(np.linspace(-1.8, 2.8, 150), np.linspace(-1.3, 1.8, 150))
    net.eval()
    with no_grad():
        p = F.sigmoid(net(tensor(np.c_[xx.ravel(), yy.ravel()].astype(np.float32)))).detach().numpy().reshape(xx.shape)
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.6)
    ax.contour(xx, yy, p, levels=[0.5], colors="k")
    for label, marker in ((0, "o"), (1, "s")):
        ax.scatter(*X[y == label].T, marker=marker, edgecolors="k", s=25, label=f"class {label}")
    ax.set(xlabel="x₁", ylabel="x₂", title=title)
    ax.legend(fontsize=8, loc="lower left")


@lab("l2_sweep", "L2 regularization sweep λ = 0.00001, 0.001, 0.1, 0.13: decision boundaries",
     f"{CAPACITY} · L2 正则化项", params={"steps": "Adam steps per λ"})
def l2_sweep(out, quick=False, steps=2000):
    """min L(f_θ(x), y) + λ·Ω(θ), Ω(θ) = ½Σ‖θ_i‖₂² over the weight matrices (nn.utils.l2_penalty)."""
    res = LabResult(out)
    steps = steps // 4 if quick else steps
    X, y = moons(80, 0.25, seed=1)
    lambdas = (0.00001, 0.001, 0.1, 0.13)
    fig, axes = subplots(1, 4, figsize=(18, 4.2), constrained_layout=True)
    norms = []
    for ax, lam in zip(axes, lambdas):
        manual_seed(0)
        net = mlp(hidden=64, layers=3)
        fit(net, X, y, steps, l2=lam)
        norm = float(np.sqrt(sum((p.detach().numpy() ** 2).sum() for name, p in net.named_parameters() if name.endswith("weight"))))
        norms.append(norm)
        res.number(f"λ = {lam}: ‖W‖₂ of all weights", norm)
        res.number(f"λ = {lam}: training accuracy", evaluate(net, X, y)[1])
        boundary(ax, net, X, y, f"regularization coefficient λ = {lam}")
    res.check("a larger λ gives smaller weights", all(b < a for a, b in zip(norms, norms[1:])),
              " → ".join(f"{n:.2f}" for n in norms))
    res.figure(fig, "l2_sweep")
    res.say("With λ = 0.00001 the boundary bends around single points; as λ grows the weights shrink and the "
            "boundary becomes smoother, close to a straight line at λ = 0.1 and 0.13.")
    return res


def overfit_setup(quick: bool):
    X, y = moons(40, 0.35, seed=2)
    Xt, yt = moons(1000, 0.35, seed=3)
    return X, y, Xt, yt, (300 if quick else 1500)


def compare_remedy(res, out_stem, quick, remedy_name, **remedy) -> None:
    """Train the same over-fitting network with and without a remedy; compare test losses and boundaries."""
    X, y, Xt, yt, steps = overfit_setup(quick)
    fig, axes = subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    losses = {}
    for ax, (name, kwargs) in zip(axes, (("no regularization", {}), (remedy_name, remedy))):
        manual_seed(0)
        net = mlp(hidden=128, layers=3, **kwargs)
        fit(net, X, y, steps)
        (train_loss, _), (test_loss, test_acc) = evaluate(net, X, y), evaluate(net, Xt, yt)
        losses[name] = test_loss
        res.number(f"{name}: training loss", train_loss)
        res.number(f"{name}: test loss", test_loss)
        res.number(f"{name}: test accuracy", test_acc)
        boundary(ax, net, X, y, f"{name}: test accuracy {test_acc:.1%}")
    res.check(f"{remedy_name} lowers the test loss of the over-fitting network",
              losses[remedy_name] < losses["no regularization"],
              f"{losses['no regularization']:.3f} → {losses[remedy_name]:.3f}")
    res.figure(fig, out_stem)


@lab("dropout", "Dropout: random disconnections in training, all connections at test time",
     f"{CAPACITY} · Dropout; {OVERFIT}", params={"p": "dropout probability"})
def dropout(out, quick=False, p=0.5):
    """Training: each unit kept with probability 1 − p and scaled by 1/(1 − p); test: every connection restored."""
    res = LabResult(out)
    compare_remedy(res, "dropout", quick, f"dropout p = {p}", dropout=p)
    net = mlp(hidden=16, layers=2, dropout=p)
    x = tensor(np.ones((1, 2), dtype=np.float32))
    net.train()
    train_outputs = {net(x).item() for _ in range(5)}
    net.eval()
    eval_outputs = {net(x).item() for _ in range(5)}
    res.check("in training every pass drops different units", len(train_outputs) > 1)
    res.check("at test time dropout restores all connections (the same output every pass)", len(eval_outputs) == 1)
    res.say("40 noisy points and a 3×128 network over-fit; dropout after each hidden layer gives a smoother "
            "boundary and a lower test loss.")
    return res


@lab("noise_injection", "Noise injection: Gaussian noise on the inputs while training",
     OVERFIT, params={"stddev": "standard deviation of the input noise"})
def noise_injection(out, quick=False, stddev=0.2):
    """x̃ = x + N(0, σ²) in training only (nn.GaussianNoise): the network cannot fit each point exactly."""
    res = LabResult(out)
    compare_remedy(res, "noise_injection", quick, f"input noise σ = {stddev}", input_noise=stddev)
    res.say("Jittering the training inputs makes every point a small cloud, which smooths the boundary the "
            "over-fitting network learns.")
    return res


@lab("early_stopping", "Early stopping: stop when the validation loss has not improved for n epochs",
     f"{CAPACITY} · Early stopping", params={"patience": "n: epochs without improvement before stopping"})
def early_stopping(out, quick=False, patience=50):
    """Keep the weights of the best validation epoch; stop once `patience` epochs pass without a new best."""
    res = LabResult(out)
    X, y, Xt, yt, steps = overfit_setup(quick)
    Xv, yv = moons(200, 0.35, seed=4)
    manual_seed(0)
    net = mlp(hidden=128, layers=3)
    curve = fit(net, X, y, steps, val=(Xv, yv))
    end_test = evaluate(net, Xt, yt)[0]
    best, stop = 0, None
    for epoch, loss in enumerate(curve):
        if loss < curve[best]:
            best = epoch
        elif epoch - best >= patience:
            stop = epoch
            break
    manual_seed(0)
    stopped = mlp(hidden=128, layers=3)
    fit(stopped, X, y, best + 1)  # the same run replayed to the best epoch (what restore-best keeps)
    stopped_test = evaluate(stopped, Xt, yt)[0]
    res.number("epoch of the best validation loss", best + 1)
    res.number("epoch at which early stopping stops", np.nan if stop is None else stop + 1,
               note="" if stop is not None else "never triggered")
    res.number("test loss at the best epoch", stopped_test)
    res.number(f"test loss after all {steps} epochs", end_test)
    res.check("the stopped model generalizes better than the one trained to the end", stopped_test < end_test,
              f"{stopped_test:.3f} vs {end_test:.3f}")
    fig, ax = subplots(figsize=(8, 4.2))
    ax.plot(range(1, len(curve) + 1), curve, label="validation loss")
    ax.axvline(best + 1, color="g", ls="--", label=f"best epoch {best + 1}")
    if stop is not None:
        ax.axvline(stop + 1, color="r", ls=":", label=f"stopped at {stop + 1} (patience {patience})")
    ax.set(xlabel="epoch (one full-batch step)", ylabel="binary cross-entropy", title="Validation loss while training")
    ax.legend()
    res.figure(fig, "early_stopping")
    res.say("The validation loss falls, then rises as the network starts memorizing the 40 training points; "
            "early stopping keeps the weights from the bottom of the curve.")
    return res
