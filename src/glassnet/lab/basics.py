"""Labs of the first lecture part (初识神经网络) and of the seminar: predictor, linear classifier, threshold
neurons, XOR, perceptron rule, the three-layer network in matrix form, error back-propagation and the
gradient worked example."""
from __future__ import annotations

import numpy as np

from .. import nn, optim, tensor
from ..autograd import manual_seed
from ..nn import functional as F
from .core import LabResult, lab, subplots

LECTURE = "000_9c09d12a8cbeeb62 · 1 初识神经网络"
SEMINAR = "004_aa9f223fe46a357a · 02 神经网络简介"


def t64(values, requires_grad=False):
    """The lecture's hand examples run in float64, so every printed digit is exact arithmetic."""
    return tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def linear_with(weight, bias=None) -> nn.Linear:
    """A float64 ``nn.Linear`` holding the lecture's weights (rows = receiving nodes, as W in X = W·I)."""
    weight = np.atleast_2d(np.asarray(weight, dtype=np.float64))
    layer = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=np.float64)
    layer.weight.data[...] = weight
    if bias is not None:
        layer.bias.data[...] = bias
    return layer


@lab("km_to_miles", "Predictor km → miles by iterative error correction", f"{LECTURE} · 预测器",
     params={"c": "the first guess of miles per km", "lr": "learning rate of the error correction",
             "steps": "number of corrections"})
def km_to_miles(out, quick=False, c=0.5, lr=5e-5, steps=20):
    """miles = c · km; error = truth − prediction; c ← c − lr·∂(½error²)/∂c = c + lr·error·km."""
    res = LabResult(out)
    km, miles = np.array([[0.0], [100.0]]), np.array([[0.0], [62.137]])
    predictor = linear_with([[c]])
    first = predictor(t64(km[1:])).item()
    res.number("prediction for 100 km with c = 0.5", first, 50, 0)
    res.number("error = 62.137 − 50", miles[1, 0] - first, 12.137, 3)
    opt = optim.SGD(predictor.parameters(), lr=lr)
    errors, cs = [], [predictor.weight.item()]
    for _ in range(steps):
        opt.zero_grad()
        prediction = predictor(t64(km))
        loss = 0.5 * ((t64(miles) - prediction) ** 2).sum()
        errors.append(abs(miles[1, 0] - prediction.detach().numpy()[1, 0]))
        loss.backward()
        opt.step()
        cs.append(predictor.weight.item())
    res.number("prediction for 100 km after training", predictor(t64(km[1:])).item(), 62.137, 3)
    res.number("prediction for 0 km", predictor(t64(km[:1])).item(), 0, 3)
    res.number("learned c (miles per km)", cs[-1], note="the true factor is 0.621371")
    fig, (left, right) = subplots(1, 2, figsize=(10, 3.8))
    left.semilogy(range(steps), errors, "o-", label="|62.137 − prediction|")
    left.set(xlabel="correction step", ylabel="error (miles, log scale)", title="Error shrinks step by step")
    left.legend()
    grid = np.linspace(0, 120, 50)
    for i in (0, 1, 2, steps):
        right.plot(grid, cs[i] * grid, label=f"step {i}: c = {cs[i]:.4f}")
    right.plot(km[:, 0], miles[:, 0], "ks", label="true examples")
    right.set(xlabel="kilometres", ylabel="miles", title="The predictor line after corrections")
    right.legend()
    res.figure(fig, "km_to_miles")
    res.say(f"Starting from c = {c}, each step moves c by lr·error·km; after {steps} steps "
            f"c = {cs[-1]:.5f} and 100 km → {predictor(t64(km[1:])).item():.3f} miles.")
    return res


@lab("ladybug_classifier", "Ladybug / caterpillar: a linear classifier y = A·x trained with ΔA = L·E/x",
     f"{LECTURE} · 分类器", params={"a0": "first slope A", "lr": "moderation L of ΔA = L(E/x)"})
def ladybug_classifier(out, quick=False, a0=0.25, lr=0.5):
    """For y = A x and E = t − y, the update ΔA = L·E/x is SGD on ½E² with step L/x² (∂(½E²)/∂A = −E x)."""
    res = LabResult(out)
    bugs = [("ladybug", 3.0, 1.0, 1.1), ("caterpillar", 1.0, 3.0, 2.9)]  # name, width, length, target
    slopes = {}
    for moderation in (1.0, lr):
        line = linear_with([[a0]])
        opt = optim.SGD(line.parameters(), lr=1.0)
        path = [a0]
        for _, width, _, target in bugs:
            opt.param_groups[0]["lr"] = moderation / width ** 2
            opt.zero_grad()
            y = line(t64([[width]]))
            (0.5 * (target - y) ** 2).sum().backward()
            opt.step()
            path.append(line.weight.item())
        slopes[moderation] = path
    plain, moderated = slopes[1.0], slopes[lr]
    res.number("A after the ladybug example (ΔA = E/x): line through (3.0, 1.1)", plain[1], 1.1 / 3.0, 4)
    res.number("A after the caterpillar example (ΔA = E/x): line through (1.0, 2.9)", plain[2], 2.9, 4,
               note="the line fits only the last example (the lecture's problem)")
    res.number(f"A after both examples with L = {lr}", moderated[2])
    for name, width, length, _ in bugs:
        above = moderated[2] * width > length
        res.check(f"moderated line separates the {name} (width {width}, length {length})",
                  above == (name == "ladybug"), f"A·x = {moderated[2] * width:.3f} vs length {length}")
    fig, axes = subplots(1, 2, figsize=(10, 4), sharey=True)
    x = np.linspace(0, 4, 20)
    for ax, (moderation, path) in zip(axes, slopes.items()):
        for step, a in enumerate(path):
            ax.plot(x, a * x, "--" if step < len(path) - 1 else "-", label=f"after {step} examples: A = {a:.4f}")
        ax.plot([3.0], [1.0], "ro", ms=9, label="ladybug (3.0, 1.0)")
        ax.plot([1.0], [3.0], "gs", ms=9, label="caterpillar (1.0, 3.0)")
        ax.set(xlim=(0, 4), ylim=(0, 4), xlabel="width", ylabel="length",
               title=f"ΔA = {'' if moderation == 1 else f'{moderation}·'}E/x")
        ax.legend(fontsize=8)
    res.figure(fig, "ladybug_classifier")
    res.say(f"Without moderation the slope jumps to the last target (A = {plain[2]:.4f}); with L = {lr} "
            f"it ends at A = {moderated[2]:.4f}, between both bugs.")
    return res


def threshold_unit(weight, bias, threshold=0.0) -> nn.Sequential:
    return nn.Sequential(linear_with([weight], [bias]), nn.Step(threshold))


@lab("logic_gates", "AND / OR / NOT as threshold neurons", f"{SEMINAR} · AND: T = 2, OR: T = 1, NOT: T = 0")
def logic_gates(out, quick=False):
    """σ(x) = 1 if Σx ≥ T else 0. The sums are integers, so Σx ≥ T is Step(Σx − T + ½) with Step(z) = [z > 0]."""
    res = LabResult(out)
    pairs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    gates = {"AND": (threshold_unit([1, 1], -2 + 0.5), pairs, [0, 0, 0, 1]),
             "OR": (threshold_unit([1, 1], -1 + 0.5), pairs, [0, 1, 1, 1]),
             "NOT": (threshold_unit([-1], 0 + 0.5), pairs[:2, 1:], [1, 0])}  # σ(−x) with T = 0
    fig, axes = subplots(1, 3, figsize=(11, 3.4))
    for ax, (gate, (unit, inputs, truth)) in zip(axes, gates.items()):
        outputs = unit(t64(inputs)).detach().numpy()[:, 0]
        for x, y, t in zip(inputs, outputs, truth):
            res.number(f"{gate}{tuple(int(v) for v in x)}", y, t, 0)
        labels = [",".join(str(int(v)) for v in x) for x in inputs]
        ax.bar(labels, outputs, color=["tab:green" if y == t else "tab:red" for y, t in zip(outputs, truth)],
               label="neuron output")
        ax.plot(labels, truth, "k_", ms=30, mew=2, label="truth table")
        ax.set(title=f"{gate} neuron", xlabel="input", ylabel="output", ylim=(0, 1.3))
        ax.legend(fontsize=8, loc="upper left")
    res.figure(fig, "logic_gates")
    res.say("One threshold neuron Step(w·x − T) computes AND (T = 2), OR (T = 1) and, with σ(−x), NOT (T = 0).")
    return res


@lab("perceptron_rule", "The perceptron learning rule w ← w + η(t − y)x", "002_26639f9cc4b3e0cd · 感知器",
     params={"eta": "learning rate η", "epochs": "passes over the truth table"})
def perceptron_rule(out, quick=False, eta=0.1, epochs=20):
    """output = 1 if Σ w_j x_j > threshold else 0; after each example w ← w + η (t − y) x, b ← b + η (t − y)."""
    res = LabResult(out)
    pairs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    tables = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
    fig, ax = subplots(figsize=(6, 4))
    for gate, truth in tables.items():
        unit = threshold_unit([0.0, 0.0], 0.0)
        linear = unit[0]
        mistakes = []
        for _ in range(epochs):
            wrong = 0
            for x, t in zip(pairs, truth):
                y = unit(t64(x[None])).item()
                linear.weight.data += eta * (t - y) * x
                linear.bias.data += eta * (t - y)
                wrong += int(y != t)
            mistakes.append(wrong)
        learned = unit(t64(pairs)).detach().numpy()[:, 0]
        correct = int((learned == truth).sum())
        ax.plot(range(1, epochs + 1), mistakes, "o-", label=f"{gate}: {correct}/4 right at the end")
        if gate == "XOR":
            res.check("the perceptron rule never gets XOR right (not linearly separable)", correct < 4,
                      f"{correct}/4 right after {epochs} epochs")
        else:
            res.check(f"the perceptron rule learns {gate}", correct == 4, f"mistakes per epoch {mistakes[:8]}…")
    ax.set(xlabel="epoch", ylabel="mistakes in the epoch", title="Perceptron rule on AND, OR and XOR")
    ax.legend()
    res.figure(fig, "perceptron_rule")
    res.say("The rule converges in a few epochs on AND and OR; on XOR it keeps making mistakes forever.")
    return res


@lab("xor", "XOR: one linear unit cannot, two layers can (the seminar's solution, then learned weights)",
     f"{SEMINAR} · 两层网络解 XOR 问题", params={"hidden": "hidden units of the learned net",
                                           "steps": "Adam steps for the learned nets"})
def xor(out, quick=False, hidden=4, steps=1500):
    """Seminar: h₁ = σ(1 + x₁ − x₂), h₂ = σ(1 − x₁ + x₂), y = σ((h₁ + h₂)/2) with σ(x) = [x ≥ 1]."""
    res = LabResult(out)
    pairs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    truth = np.array([0, 1, 1, 0], dtype=np.float64)
    # The seminar's threshold units with T = 1; inputs to them are multiples of ½, so ≥ 1 is > ¾.
    seminar = nn.Sequential(linear_with([[1, -1], [-1, 1]], [1, 1]), nn.Step(0.75),
                            linear_with([[0.5, 0.5]], [0.0]), nn.Step(0.75))
    y = seminar(t64(pairs)).detach().numpy()[:, 0]
    for x, value in zip(pairs, y):
        res.number(f"seminar network y{tuple(int(v) for v in x)}", value, 1.0 if x[0] == x[1] else 0.0, 0)
    res.check("the seminar's two-layer network separates the XOR classes", np.all(y == 1 - truth),
              "it outputs 1 for equal inputs (y = σ(1) = 1) and 0 for different ones (σ(½) = 0): y = 1 − XOR")
    manual_seed(0)
    fitted = {}
    for name, net in {"one linear unit": nn.Sequential(nn.Linear(2, 1, dtype=np.float64)),
                      f"two layers (2-{hidden}-1, tanh)": nn.Sequential(
                          nn.Linear(2, hidden, dtype=np.float64), nn.Tanh(),
                          nn.Linear(hidden, 1, dtype=np.float64))}.items():
        opt = optim.Adam(net.parameters(), lr=0.05)
        for _ in range(steps if not quick else steps // 2):
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(net(t64(pairs))[:, 0], truth).backward()
            opt.step()
        fitted[name] = net
        accuracy = ((net(t64(pairs)).detach().numpy()[:, 0] > 0) == truth).mean()
        res.number(f"XOR accuracy, {name}", accuracy)
    linear_acc, deep_acc = (res.numbers[-2].value, res.numbers[-1].value)
    res.check("a single linear classifier cannot do XOR (at most 3 of 4)", linear_acc <= 0.75, f"{linear_acc:.2f}")
    res.check("a trained two-layer network does XOR", deep_acc == 1.0, f"{deep_acc:.2f}")
    grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 120), np.linspace(-0.5, 1.5, 120)), -1).reshape(-1, 2)
    fig, axes = subplots(1, 3, figsize=(15, 4.3), constrained_layout=True)
    surfaces = {"seminar (threshold units)": seminar(t64(grid)).detach().numpy()[:, 0]}
    surfaces.update({name: F.sigmoid(net(t64(grid))).detach().numpy()[:, 0] for name, net in fitted.items()})
    for ax, (name, z) in zip(axes, surfaces.items()):
        image = ax.contourf(grid[:120, 0], grid[::120, 1], z.reshape(120, 120), levels=np.linspace(0, 1, 11),
                            cmap="coolwarm")
        for value, marker in ((0, "o"), (1, "s")):
            chosen = truth == value
            ax.scatter(*pairs[chosen].T, c="k", marker=marker, s=80, label=f"XOR = {value}")
        ax.set(xlabel="input A", ylabel="input B", title=name)
        ax.legend(loc="center", fontsize=8)
    fig.colorbar(image, ax=axes, label="network output")
    res.figure(fig, "xor")
    res.say("A single line cannot put (0,1) and (1,0) on one side and (0,0), (1,1) on the other; two layers "
            "can. The seminar's hand-made network outputs 1 − XOR, which separates the same two classes.")
    return res


@lab("forward_matrix", "Three-layer network forward pass as matrix products X = W·I, O = sigmoid(X)",
     f"{LECTURE} · 神经网络如何工作 / 三层神经网络")
def forward_matrix(out, quick=False):
    """X_hidden = W_input_hidden · I, O_hidden = sigmoid(X_hidden), X_output = W_hidden_output · O_hidden."""
    res = LabResult(out)
    # The two-node example and the 3-3-3 example of the book the lecture follows (its pictures are lost).
    two = linear_with([[0.9, 0.3], [0.2, 0.8]])
    x_two = two(t64([[1.0, 0.5]]))
    for k, v in enumerate(x_two.detach().numpy()[0], 1):
        res.number(f"two-node X_{k} = input₁·w₁,{k} + input₂·w₂,{k}", v)
    w_ih = [[0.9, 0.3, 0.4], [0.2, 0.8, 0.2], [0.1, 0.5, 0.6]]
    w_ho = [[0.3, 0.7, 0.5], [0.6, 0.5, 0.2], [0.8, 0.1, 0.9]]
    net = nn.Sequential(linear_with(w_ih), nn.Sigmoid(), linear_with(w_ho), nn.Sigmoid())
    inputs = np.array([0.9, 0.1, 0.8])
    stages, h = [], t64(inputs[None])
    for layer in net:
        h = layer(h)
        stages.append(h.detach().numpy()[0])
    for label, values in zip(("X_hidden", "O_hidden", "X_output", "O_output"), stages):
        res.number(f"{label} = ({', '.join(f'{v:.3f}' for v in values)})", values[0],
                   note="first component; all shown in the name")
    by_hand = np.asarray(w_ho) @ (1 / (1 + np.exp(-(np.asarray(w_ih) @ inputs))))
    res.check("nn.Linear computes the lecture's X = W·I (3×3 · 3×1 → 3×1)",
              np.allclose(stages[2], by_hand, atol=1e-12) and by_hand.shape == (3,),
              f"max difference {np.abs(stages[2] - by_hand).max():.1e}")
    fig, ax = subplots(figsize=(7, 3.8))
    positions = np.arange(3)
    for offset, (label, values) in zip((-0.3, -0.1, 0.1, 0.3),
                                       zip(("X_hidden", "O_hidden", "X_output", "O_output"), stages)):
        ax.bar(positions + offset, values, width=0.2, label=label)
    ax.set(xticks=positions, xticklabels=["node 1", "node 2", "node 3"], ylabel="value", ylim=(0, 1.6),
           title="Signals through the 3-3-3 network (input I = 0.9, 0.1, 0.8)")
    ax.legend(ncol=4, loc="upper center")
    res.figure(fig, "forward_matrix")
    res.say("Each layer is one matrix product: the nn.Linear weight is the lecture's W (rows = receiving nodes).")
    return res


@lab("backprop_errors", "Back-propagating errors: split by weights, and as Wᵀ·e",
     f"{LECTURE} · 多个输出节点反向传播误差")
def backprop_errors(out, quick=False):
    """e_hidden,j = Σ_k w_jk / (Σ_i w_ik) · e_k  (split in proportion to the weights)  ≈  Wᵀ · e (unnormalized)."""
    res = LabResult(out)
    w_ho = np.array([[2.0, 3.0], [1.0, 4.0]])  # rows: output nodes; w_11 = 2.0 and w_21 = 3.0 as in the example
    e_out = np.array([0.8, 0.5])
    split = (w_ho / w_ho.sum(axis=1, keepdims=True)).T @ e_out
    for j, value in enumerate(split, 1):
        res.number(f"hidden error e_{j} split by weights", value)
    hidden = t64(np.array([[0.4, 0.5]]), requires_grad=True)
    layer = linear_with(w_ho)
    layer(hidden).backward(t64(e_out[None]))
    transposed = w_ho.T @ e_out
    for j, value in enumerate(hidden.grad[0], 1):
        res.number(f"hidden error e_{j} = (Wᵀ·e)_{j} from autograd", value)
    res.check("autograd's backward of nn.Linear is error_hidden = W_hidden_outputᵀ · error_output",
              np.allclose(hidden.grad[0], transposed), f"{hidden.grad[0]} vs {transposed}")
    fig, ax = subplots(figsize=(6, 3.8))
    ax.bar(np.arange(2) - 0.2, split, 0.4, label="split by weights (normalized)")
    ax.bar(np.arange(2) + 0.2, hidden.grad[0], 0.4, label="Wᵀ·e (autograd)")
    ax.set(xticks=[0, 1], xticklabels=["hidden 1", "hidden 2"], ylabel="error",
           title="Output errors e = (0.8, 0.5) sent back to the hidden layer")
    ax.legend()
    res.figure(fig, "backprop_errors")
    res.say("Dropping the normalizing denominators turns the weighted split into one matrix product Wᵀ·e, "
            "which is exactly what autograd computes for a linear layer; both send more error along larger weights.")
    return res


@lab("gradient_example", "Gradient worked example: ∂E/∂w₁,₁ = −e·S(1 − S)·o_j = −0.0265",
     f"{LECTURE} · 实际上如何更新权重", params={"alpha": "learning rate α of the weight update"})
def gradient_example(out, quick=False, alpha=0.1):
    """∂E/∂w_jk = −(t_k − o_k) · sigmoid(Σ_j w_jk o_j)(1 − sigmoid(Σ_j w_jk o_j)) · o_j, E = ½(t − o)²."""
    res = LabResult(out)
    o_hidden = t64(np.array([[0.4, 0.5]]))
    neuron = linear_with([[2.0, 3.0]])
    total = neuron(o_hidden)
    s = F.sigmoid(total)
    target = s.detach() + 0.8            # so that the error t − o is the example's e₁ = 0.8
    E = 0.5 * ((target - s) ** 2).sum()
    E.backward()
    res.number("error e₁ = t − o", (target - s).item(), 0.8, 1)
    res.number("Σ_j w_j,k o_j = 2.0·0.4 + 3.0·0.5", total.item(), 2.3, 1)
    res.number("sigmoid(2.3)", s.item(), 0.909, 3)
    res.number("sigmoid·(1 − sigmoid)", s.item() * (1 - s.item()), 0.083, 3)
    res.number("o_j for w₁,₁", o_hidden.detach().numpy()[0, 0], 0.4, 1)
    res.number("∂E/∂w₁,₁ (autograd)", neuron.weight.grad[0, 0], -0.0265, 4)
    opt = optim.SGD(neuron.parameters(), lr=alpha)
    opt.step()
    res.number(f"new w₁,₁ = old w₁,₁ − α·∂E/∂w₁,₁ (α = {alpha})", neuron.weight.detach().numpy()[0, 0])
    z = np.linspace(-6, 6, 200)
    fig, ax = subplots(figsize=(6.5, 4))
    sig = 1 / (1 + np.exp(-z))
    ax.plot(z, sig, label="sigmoid(Σ)")
    ax.plot(z, sig * (1 - sig), label="sigmoid·(1 − sigmoid)")
    ax.plot([2.3, 2.3], [0, 1], "k:", label="Σ = 2.3")
    ax.plot([2.3], [s.item()], "o", label=f"sigmoid = {s.item():.3f}")
    ax.plot([2.3], [s.item() * (1 - s.item())], "s", label=f"slope = {s.item() * (1 - s.item()):.3f}")
    ax.set(xlabel="Σ_j w_j,k·o_j", ylabel="value", title="Where the worked example sits on the sigmoid")
    ax.legend()
    res.figure(fig, "gradient_example")
    res.say("Autograd reproduces the hand calculation −0.8 · 0.083 · 0.4 = −0.0265 (the lecture drops the "
            "factor 2 of ∂(t − o)²/∂o, i.e. E = ½(t − o)²).")
    return res


@lab("error_functions", "The error-function table: t − o, |t − o|, (t − o)²", f"{LECTURE} · 误差函数的选取")
def error_functions(out, quick=False):
    """Σ(t − o) can cancel to 0, Σ|t − o| has a kink at 0, Σ(t − o)² is smooth and never cancels."""
    res = LabResult(out)
    o = t64(np.array([0.4, 0.8, 1.0]))
    t = np.array([0.5, 0.7, 1.0])
    signed = t64(t) - o
    for row, value in enumerate(signed.detach().numpy()):
        res.number(f"row {row + 1}: t − o", value, [0.1, -0.1, 0][row], 1)
    res.number("Σ (t − o)", signed.sum().item(), 0, 1)
    res.number("Σ |t − o| (F.l1_loss, sum)", F.l1_loss(o, t, reduction="sum").item(), 0.2, 1)
    res.number("Σ (t − o)² (F.mse_loss, sum)", F.mse_loss(o, t, reduction="sum").item(), 0.02, 2)
    grid = np.linspace(0, 1, 201)
    fig, ax = subplots(figsize=(6.5, 4))
    ax.plot(grid, 0.5 - grid, label="t − o (can cancel: no optimum)")
    ax.plot(grid, np.abs(0.5 - grid), label="|t − o| (kink at the minimum)")
    ax.plot(grid, (0.5 - grid) ** 2, label="(t − o)² (smooth: the good one)")
    ax.set(xlabel="network output o (target t = 0.5)", ylabel="error", title="Three candidate error functions")
    ax.legend()
    res.figure(fig, "error_functions")
    res.say("The signed errors of the table sum to 0 although two outputs are wrong; the absolute error "
            "sums to 0.2, the squared error to 0.02 and has a slope that shrinks near the minimum.")
    return res
