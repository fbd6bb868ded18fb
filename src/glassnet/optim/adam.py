"""Adam and AdamW (PyTorch's update rules, including AMSGrad)."""
from __future__ import annotations

import math

import numpy as np

from .optimizer import Optimizer, check_hyper


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  (AMSGrad: v̂ = max(v̂, v))
    θ ← θ - η/(1-β₁ᵗ) · m / (√v / √(1-β₂ᵗ) + ε)

    Weight decay λ adds λθ to g (L2 regularization); AdamW decays θ directly instead.
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False):
        for name, value in (("lr", lr), ("eps", eps), ("weight_decay", weight_decay)):
            check_hyper(name, value)
        check_hyper("betas", tuple(betas))
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"invalid betas: {betas} (each must be in [0, 1))")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, param, grad, state, group):
        if "exp_avg" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step, lr, wd = state["step"], group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if group["maximize"]:
            grad = -grad
        if wd:
            if self.decoupled_weight_decay:
                param *= 1 - lr * wd
            else:
                grad = grad + wd * param
        m, v, tmp = state["exp_avg"], state["exp_avg_sq"], self._scratch(state, param)
        np.subtract(grad, m, out=tmp)          # m ← m + (1-β₁)(g - m)
        tmp *= 1 - beta1
        m += tmp
        np.multiply(grad, grad, out=tmp)       # v ← β₂v + (1-β₂)g²
        tmp *= 1 - beta2
        v *= beta2
        v += tmp
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        np.sqrt(v, out=tmp)                    # denominator √v/√(1-β₂ᵗ) + ε
        tmp /= math.sqrt(1 - beta2 ** step)
        tmp += group["eps"]
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - beta1 ** step)
        param -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 - ηλ) before the Adam step (default λ = 0.01)."""

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
