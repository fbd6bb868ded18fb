"""Lab on back-propagation through time, counted on the engine's own graph: the lecture's unrolled RNN
h_t = tanh(W₁x_t + W₂h_(t−1)), o_t = σ(V h_t), and how many gradient terms each weight gets from the loss at t + 1."""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, tensor
from ..autograd.graph import backward_order
from ..nn import functional as F
from .core import LabResult, lab, subplots

BPTT = "001_5f6f472c906b4f67 · 5.5 循环神经网络 · RNN的反向传播学习 (Backpropagation through time)"
LECTURE_COUNTS = {"V": 1, "W₂": 2, "W₁": 3}  # BPTT让 t+1 时间步的损失梯度更新了: V 一次, W₂ 两次, W₁ 三次


def unrolled_loss(x, target, weights, per_step: bool = False):
    """L = ½(o_T − y)² for o_T = σ(V h_T), h_1 = tanh(W₁x_1), h_t = tanh(W₁x_t + W₂h_(t−1)), one F.linear per
    use of a weight. ``weights`` = {"V", "W₁", "W₂"}: Tensors, or with ``per_step`` lists of one Tensor per
    step (copies of the same values), so that each use's gradient term lands in its own copy."""
    def at(name, step):
        return weights[name][step] if per_step else weights[name]
    h = None
    for step in range(len(x)):
        z = F.linear(x[step], at("W₁", step))
        h = (z if h is None else z + F.linear(h, at("W₂", step - 1))).tanh()
    o = F.linear(h, at("V", 0)).sigmoid()
    return 0.5 * ((o - target) ** 2).sum()


def uses_in_graph(loss, parameter) -> int:
    """How many operations of the recorded graph behind ``loss`` send a gradient to ``parameter``: the
    number of terms the chain rule adds up into its gradient."""
    return sum(edge is parameter for node in backward_order([loss]) for edge in node.next_edges)


def random_weights(rng, size: int = 3) -> dict:
    """W₁ (size, 2), W₂ (size, size) and V (1, size) drawn from N(0, 1), W₂ scaled by 0.8."""
    return {"W₁": rng.standard_normal((size, 2)), "W₂": rng.standard_normal((size, size)) * 0.8,
            "V": rng.standard_normal((1, size))}


@lab("bptt_counts", "BPTT: how many gradient terms each weight gets from the loss at t + 1 (read from the graph)",
     BPTT)
def bptt_counts(out, quick=False):
    """∂L_(t+1)/∂W₁ = Σ_(k = t−1, t, t+1) ∂L/∂h_(t+1) · ∂h_(t+1)/∂h_k · ∂h_k/∂W₁ (three terms), W₂ two, V one."""
    res = LabResult(out)
    rng = np.random.default_rng(0)
    values = random_weights(rng)
    x, target = rng.standard_normal((3, 1, 2)), np.array([[1.0]])      # steps t − 1, t, t + 1
    shared = {name: tensor(value, requires_grad=True) for name, value in values.items()}
    loss = unrolled_loss(x, target, shared)
    counts = {name: uses_in_graph(loss, shared[name]) for name in LECTURE_COUNTS}
    for name, expected in LECTURE_COUNTS.items():
        res.number(f"{name}: operations using it between the loss at t + 1 and the weights", counts[name], expected, 0,
                   note="lecture: V 一次, W₂ 两次, W₁ 三次")
    loss.backward()
    copies = {name: [tensor(value, requires_grad=True) for _ in range(3)] for name, value in values.items()}
    unrolled_loss(x, target, copies, per_step=True).backward()
    terms = {name: [as_array(c.grad) for c in copies[name] if c.grad is not None] for name in LECTURE_COUNTS}
    res.check("each weight's gradient is the sum of its per-step terms (one per use), as BPTT says",
              all(len(terms[n]) == counts[n] and np.allclose(sum(terms[n]), as_array(shared[n].grad))
                  for n in LECTURE_COUNTS), str({n: len(t) for n, t in terms.items()}))
    sizes = [float(np.linalg.norm(term)) for term in terms["W₁"]]
    for step, size in zip(("t − 1", "t", "t + 1"), sizes):
        res.number(f"‖term of W₁ through step {step}‖", size)
    lengths = range(1, 5 if quick else 9)
    by_length = {name: [] for name in LECTURE_COUNTS}
    for length in lengths:
        weights = {name: tensor(value, requires_grad=True) for name, value in values.items()}
        loss = unrolled_loss(rng.standard_normal((length, 1, 2)), target, weights)
        for name in LECTURE_COUNTS:
            by_length[name].append(uses_in_graph(loss, weights[name]))
    res.check("for a loss read after T steps: V gets 1 term, W₁ gets T, W₂ gets T − 1",
              by_length["V"] == [1] * len(lengths) and by_length["W₁"] == list(lengths)
              and by_length["W₂"] == [n - 1 for n in lengths], str(by_length))

    fig, (left, right) = subplots(1, 2, figsize=(12, 4), constrained_layout=True)
    left.bar(list(counts), list(counts.values()), color=["C0", "C1", "C2"])
    left.set(ylabel="gradient terms from L at t + 1", title="The lecture's example, counted on the graph")
    for name, series in by_length.items():
        right.plot(list(lengths), series, "o-", label=name)
    right.set(xlabel="steps T before the loss", ylabel="gradient terms", title="Terms per weight against T")
    right.legend()
    res.figure(fig, "bptt_counts")
    res.say("Unrolled in time the RNN is a deep network whose layers share W₁ and W₂: every use of a shared weight "
            "is one more path from the loss, and its gradient is the sum over those paths. A term through an "
            "earlier step is multiplied by one more tanh' and W₂ factor per step, which is how, over many steps, "
            "the early terms vanish (or explode).")
    return res
