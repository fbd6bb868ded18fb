"""Optimizers with per-parameter learning rates: Adagrad, Adadelta, RMSprop (PyTorch's update rules).

g is the gradient (plus λθ with weight decay), η the learning rate, ε a small constant.
"""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_hyper


class Adagrad(Optimizer):
    """G ← G + g²;  θ ← θ - η_t · g / (√G + ε),  η_t = η / (1 + (t-1)·lr_decay)"""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        for name, value in (("lr", lr), ("lr_decay", lr_decay), ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value), ("eps", eps)):
            check_hyper(name, value)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _update(self, param, grad, state, group):
        if "sum" not in state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        tmp = self._scratch(state, param)
        np.sqrt(state["sum"], out=tmp)
        tmp += group["eps"]
        np.divide(grad, tmp, out=tmp)
        tmp *= clr
        param -= tmp


class Adadelta(Optimizer):
    """E[g²] ← ρE[g²] + (1-ρ)g²;  Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g;
    E[Δ²] ← ρE[Δ²] + (1-ρ)Δ²;  θ ← θ - η·Δ"""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0):
        for name, value in (("lr", lr), ("rho", rho), ("eps", eps), ("weight_decay", weight_decay)):
            check_hyper(name, value)
        if rho > 1:
            raise ValueError(f"invalid rho: {rho} (expected a number in [0, 1])")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _update(self, param, grad, state, group):
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        param -= group["lr"] * delta


class RMSprop(Optimizer):
    """v ← αv + (1-α)g²;  centered: m ← αm + (1-α)g, v̂ = v - m²;  θ ← θ - η·g / (√v̂ + ε)
    (with momentum μ: b ← μb + g/(√v̂ + ε), θ ← θ - η·b)"""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        for name, value in (("lr", lr), ("alpha", alpha), ("eps", eps), ("weight_decay", weight_decay),
                            ("momentum", momentum)):
            check_hyper(name, value)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, param, grad, state, group):
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        alpha = group["alpha"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        avg = self._scratch(state, param)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)
            np.subtract(square_avg, grad_avg * grad_avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += grad / avg
            param -= group["lr"] * buf
        else:
            np.divide(grad, avg, out=avg)
            avg *= group["lr"]
            param -= avg
