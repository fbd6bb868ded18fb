"""Labs on what a neuron computes: activation functions and their derivatives, output-layer design,
entropy / cross-entropy / KL, vanishing gradients in deep sigmoid nets, universal approximation."""
from __future__ import annotations

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed
from ..nn import functional as F
from .core import LabResult, lab, subplots

ADVANCED = "000_9c09d12a8cbeeb62 · 2 神经网络进阶"
CHAPTER = "001_5f6f472c906b4f67 · 5.2 激活函数与损失函数"


@lab("activations", "Activation functions and their derivatives (autograd vs the lecture's formulas)",
     f"{CHAPTER}; {ADVANCED} · 激活函数")
def activations(out, quick=False):
    """σ' = σ(1 − σ), tanh' = 1 − tanh², ReLU' = [x > 0], softplus' = σ, LeakyReLU' = p for x < 0,
    ELU' = α eˣ for x < 0; noisy ReLU max(0, x + N(0, δ))."""
    res = LabResult(out)
    z = np.linspace(-5, 5, 1001)
    sig = 1 / (1 + np.exp(-z))
    formulas = {  # name: (function, the lecture's derivative)
        "sigmoid": (F.sigmoid, sig * (1 - sig)),
        "tanh": (F.tanh, 1 - np.tanh(z) ** 2),
        "ReLU": (F.relu, (z > 0).astype(float)),
        "leaky ReLU (p = 0.1)": (lambda x: F.leaky_relu(x, 0.1), np.where(z >= 0, 1.0, 0.1)),
        "ELU (α = 1)": (F.elu, np.where(z > 0, 1.0, np.exp(z))),
        "softplus": (F.softplus, sig),
    }
    fig, (top, bottom) = subplots(2, 1, figsize=(9, 8), sharex=True)
    for name, (fn, derivative) in formulas.items():
        x = tensor(z, requires_grad=True)
        y = fn(x)
        y.sum().backward()
        away_from_kink = np.abs(z) > 1e-9
        error = np.abs(x.grad.numpy() - derivative)[away_from_kink].max()
        res.check(f"autograd's derivative of {name} equals the formula", error < 1e-5, f"max |Δ| = {error:.1e}")
        top.plot(z, y.detach().numpy(), label=name)
        bottom.plot(z, x.grad.numpy(), label=f"{name}'")
    noisy = F.noisy_relu(tensor(z.astype(np.float32)), std=0.3, training=True, rng=np.random.default_rng(0))
    top.plot(z, noisy.detach().numpy(), ".", ms=1.5, color="gray", label="noisy ReLU max(0, x + N(0, 0.3²))")
    res.number("largest sigmoid slope σ'(0)", sig[500] * (1 - sig[500]), note="the lecture's 0.25 bound behind vanishing gradients")
    res.number("sigmoid slope at x = 5", sig[-1] * (1 - sig[-1]), note="saturated: 边界值会使梯度消失")
    top.set(ylabel="f(x)", title="Activation functions", ylim=(-1.5, 5))
    bottom.set(xlabel="x", ylabel="f'(x) by autograd", title="Their derivatives")
    top.legend(fontsize=8)
    bottom.legend(fontsize=8)
    res.figure(fig, "activations")
    res.say("Every derivative that glassnet's autograd computes equals the closed form on the slides; the "
            "sigmoid's is at most 0.25 and vanishes for large |x|, ReLU's stays 1 for x > 0.")
    return res


@lab("output_layers", "Output-layer design: none / sigmoid / tanh / softmax", f"{ADVANCED} · 输出层设计")
def output_layers(out, quick=False):
    """ℝ: no activation; [0, 1]: sigmoid; [−1, 1]: tanh; probabilities summing to 1: softmax(z)_i = e^{z_i}/Σ_j e^{z_j}."""
    res = LabResult(out)
    rng = np.random.default_rng(0)
    z = tensor((rng.standard_normal((1000, 10)) * 4).astype(np.float32))
    heads = {"none": nn.Identity(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "softmax": nn.Softmax(dim=-1)}
    outputs = {name: head(z).detach().numpy() for name, head in heads.items()}
    res.check("sigmoid outputs lie in [0, 1]", outputs["sigmoid"].min() >= 0 and outputs["sigmoid"].max() <= 1)
    res.check("tanh outputs lie in [−1, 1]", outputs["tanh"].min() >= -1 and outputs["tanh"].max() <= 1)
    sums = outputs["softmax"].sum(axis=1)
    res.check("softmax outputs are probabilities that sum to 1", np.allclose(sums, 1, atol=1e-5),
              f"sums in [{sums.min():.7f}, {sums.max():.7f}]")
    example = outputs["softmax"][0]
    res.number("softmax of the first row: largest probability", example.max())
    fig, axes = subplots(1, 4, figsize=(14, 3.4))
    for ax, (name, values) in zip(axes, outputs.items()):
        ax.hist(values.ravel(), bins=50, color="tab:blue", label=f"{values.size} outputs")
        ax.set(title=f"output layer: {name}", xlabel="output value", ylabel="count")
        ax.legend(fontsize=8)
    res.figure(fig, "output_layers")
    res.say("The same logits z ~ N(0, 4²) through each output layer: unbounded, squeezed to (0, 1), "
            "to (−1, 1), or made into a probability distribution per row.")
    return res


@lab("entropy", "Entropy of [0,0,0,1], [0.1,0.1,0.1,0.7], [0.25,0.25,0.25,0.25]; cross-entropy = entropy + KL",
     f"{ADVANCED} · 误差计算 / 交叉熵函数")
def entropy(out, quick=False):
    """H(P) = −Σ P log₂ P;  H(p‖q) = −Σ p log₂ q = H(p) + D_KL(p‖q);  one-hot p: H(p‖q) = D_KL(p‖q)."""
    res = LabResult(out)
    distributions = {"[0, 0, 0, 1]": [0, 0, 0, 1.0], "[0.1, 0.1, 0.1, 0.7]": [0.1, 0.1, 0.1, 0.7],
                     "[0.25, 0.25, 0.25, 0.25]": [0.25] * 4}
    values = {}
    for name, p in distributions.items():
        values[name] = F.entropy(tensor(np.array(p)), base=2).item() + 0.0  # + 0.0: no '-0.000'
    res.number("H([0,0,0,1]) in bits", values["[0, 0, 0, 1]"], 0, 3, note="the minimum: no uncertainty")
    res.number("H([0.1,0.1,0.1,0.7]) in bits", values["[0.1, 0.1, 0.1, 0.7]"])
    res.number("H([0.25,0.25,0.25,0.25]) in bits", values["[0.25, 0.25, 0.25, 0.25]"], 2, 3,
               note="the maximum log₂ 4 for four classes")
    res.check("H(P) ≥ 0 and grows with uncertainty", 0 <= values["[0, 0, 0, 1]"] < values["[0.1, 0.1, 0.1, 0.7]"]
              < values["[0.25, 0.25, 0.25, 0.25]"])
    p, q = np.array([0.1, 0.1, 0.1, 0.7]), np.array([0.25, 0.25, 0.25, 0.25])
    log2 = np.log(2)
    cross = -(p * np.log2(q)).sum()
    kl = F.kl_div(tensor(np.log(q)), tensor(p), reduction="sum").item() / log2
    res.number("H(p‖q) for p = [0.1,0.1,0.1,0.7], q = uniform", cross)
    res.number("H(p) + D_KL(p‖q)", values["[0.1, 0.1, 0.1, 0.7]"] + kl, cross, 6)
    one_hot, probs = np.array([0, 0, 0, 1.0]), np.array([0.1, 0.1, 0.1, 0.7])
    ce = F.nll_loss(tensor(np.log(probs)[None]), np.array([3])).item() / log2
    kl_one_hot = F.kl_div(tensor(np.log(probs)), tensor(one_hot), reduction="sum").item() / log2
    res.number("one-hot p: cross-entropy H(p‖q) (bits)", ce)
    res.number("one-hot p: D_KL(p‖q) (bits)", kl_one_hot, ce, 6, note="H(p) = 0, so H(p‖q) = D_KL(p‖q)")
    fig, (left, right) = subplots(1, 2, figsize=(11, 4))
    for i, (name, dist) in enumerate(distributions.items()):
        left.bar(np.arange(4) + (i - 1) * 0.27, dist, 0.27, label=f"{name}: H = {values[name]:.3f} bits")
    left.set(xticks=range(4), xlabel="class i", ylabel="P(i)", title="Three distributions and their entropy")
    left.legend(fontsize=8)
    top = np.linspace(0.01, 0.99, 99)
    family = np.stack([(1 - top) / 3] * 3 + [top], axis=1)
    h = F.entropy(tensor(family), base=2).detach().numpy()
    right.plot(top, h, label="H(P) with P = [(1−a)/3 ×3, a]")
    right.axhline(2, ls=":", color="k", label="log₂ 4 = 2 bits")
    right.set(xlabel="a = P(class 4)", ylabel="entropy (bits)", title="Entropy is largest when all are equal")
    right.legend()
    res.figure(fig, "entropy")
    res.say("F.entropy and F.kl_div reproduce the lecture's identities: cross-entropy = entropy + KL, and "
            "for one-hot targets the cross-entropy is the KL divergence.")
    return res


def deep_net(activation: type, depth: int, width: int) -> nn.Sequential:
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


@lab("vanishing_gradients", "Vanishing gradients: gradient norm per layer, deep sigmoid net vs ReLU",
     "002_26639f9cc4b3e0cd · GRADIENT VANISH; 000 · 梯度弥散现象",
     params={"depth": "hidden layers", "width": "units per layer"})
def vanishing_gradients(out, quick=False, depth=12, width=64):
    """∂Loss/∂w₁ = ∂Loss/∂f_n ⋯ ∂f₂/∂f₁ ∂f₁/∂w₁; every sigmoid factor S(1 − S) ≤ 0.25, so it shrinks with depth."""
    res = LabResult(out)
    manual_seed(0)
    x = tensor(np.random.default_rng(0).standard_normal((256, width)).astype(np.float32))
    y = np.random.default_rng(1).standard_normal((256, 1)).astype(np.float32)
    norms = {}
    for name, activation in (("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("ReLU", nn.ReLU)):
        net = deep_net(activation, depth, width)
        F.mse_loss(net(x), y).backward()
        norms[name] = np.array([np.linalg.norm(layer.weight.grad) for layer in net if isinstance(layer, nn.Linear)])
    ratios = {name: n[0] / n[-2] for name, n in norms.items()}
    for name, ratio in ratios.items():
        res.number(f"{name}: ‖∂L/∂W₁‖ / ‖∂L/∂W_{depth}‖", ratio)
    res.check("in the deep sigmoid net the first layer's gradient has vanished (< 1% of the last hidden layer's)",
              ratios["sigmoid"] < 0.01, f"ratio {ratios['sigmoid']:.1e}")
    res.check("with ReLU (He init) the gradient reaches the first layer (> 10%)", ratios["ReLU"] > 0.1,
              f"ratio {ratios['ReLU']:.2f}")
    fig, ax = subplots(figsize=(7.5, 4.2))
    for name, n in norms.items():
        ax.semilogy(range(1, len(n) + 1), n, "o-", label=name)
    ax.set(xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖ (log scale)",
           title=f"Gradient norm per layer, {depth} hidden layers of {width}")
    ax.legend()
    res.figure(fig, "vanishing_gradients")
    res.say("Going back through each sigmoid layer multiplies the gradient by at most 0.25·‖W‖: after a dozen "
            "layers almost nothing reaches the first ones. ReLU passes gradients through unchanged where active.")
    return res


@lab("universal_approximation", "Universal approximation: one hidden layer fits a 1-D function as width grows",
     "004_aa9f223fe46a357a · 万有逼近定理; 001 · 通用近似",
     params={"steps": "Adam steps per width"})
def universal_approximation(out, quick=False, steps=3000):
    """y = Σ_j v_j σ(w_j x + b_j) + c: with enough hidden units j it approximates a continuous f on an interval."""
    res = LabResult(out)
    steps = steps // 6 if quick else steps
    x = np.linspace(-3, 3, 200, dtype=np.float32)[:, None]
    target = (np.sin(2 * x) + 0.3 * x ** 2 - 0.5 * np.abs(x)).astype(np.float32)
    widths = (1, 2, 4, 8, 32)
    fits, errors = {}, []
    for width in widths:
        manual_seed(width)
        net = nn.Sequential(nn.Linear(1, width), nn.Sigmoid(), nn.Linear(width, 1))
        opt = optim.Adam(net.parameters(), lr=0.03)
        scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        for _ in range(steps):
            opt.zero_grad()
            loss = F.mse_loss(net(tensor(x)), target)
            loss.backward()
            opt.step()
            scheduler.step()
        fits[width] = net(tensor(x)).detach().numpy()
        errors.append(F.mse_loss(net(tensor(x)), target).item())
        res.number(f"mean squared error with {width} hidden units", errors[-1])
    res.check("the error falls as the hidden layer widens (widest < 1/10 of one unit's)",
              errors[-1] < errors[0] / 10, f"{errors[0]:.3g} → {errors[-1]:.3g}")
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.2))
    left.plot(x, target, "k", lw=3, label="target f(x)")
    for width, fit in fits.items():
        left.plot(x, fit, label=f"{width} hidden units")
    left.set(xlabel="x", ylabel="y", title="One hidden sigmoid layer of growing width")
    left.legend(fontsize=8)
    right.loglog(widths, errors, "o-", label="training MSE")
    right.set(xlabel="hidden units", ylabel="mean squared error", title="Error vs width")
    right.legend()
    res.figure(fig, "universal_approximation")
    res.say("More hidden units give a closer fit, as the theorem promises; it says nothing about how many "
            "units or how much training a given accuracy needs.")
    return res
