"""Stochastic gradient descent with momentum and Nesterov momentum (PyTorch's update rule)."""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check_hyper


class SGD(Optimizer):
    """θ ← θ - η·d, with d = g + λθ (weight decay), and with momentum μ:

        b ← μ·b + (1 - τ)·d   (b = d at the first step; τ = dampening)
        d ← d + μ·b  (Nesterov)   or   d ← b  (classical momentum)
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, maximize: bool = False):
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            check_hyper(name, value)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, param, grad, state, group):
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        d = -grad if group["maximize"] else grad
        if wd:
            d = d + wd * param
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(d, copy=True)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * d
            d = d + momentum * buf if group["nesterov"] else buf
        param -= lr * d
