"""``Optimizer``: the base of every optimizer. A subclass only writes ``_update`` — the rule that
turns one parameter's gradient into its new value, in place — as tinynn's ``_compute_step``.

Parameter groups, ``zero_grad``, ``state_dict`` / ``load_state_dict`` (PyTorch's layout: state keyed by
parameter index, groups holding their hyper-parameters and parameter indices) live here once.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_array, enable_grad, tensor


class Optimizer:
    """Holds parameter groups and per-parameter state; ``step()`` applies ``_update`` to each parameter."""

    def __init__(self, params, defaults: dict):
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors (e.g. model.parameters()), got a Tensor")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor (one made by an "
                                 f"operation); optimize the leaves it was computed from")
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise KeyError(f"{type(self).__name__}: unknown option(s) {sorted(unknown)} in a parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    def step(self, closure=None):
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                self._update(p._array, p.grad._array, state, group)
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:  # pragma: no cover
        raise NotImplementedError("abstract: an Optimizer subclass defines _update")

    @staticmethod
    def _scratch(state: dict, like: np.ndarray) -> np.ndarray:
        """A buffer reused every step for temporaries (not part of the saved state)."""
        buf = state.get("_scratch")
        if buf is None:
            buf = state["_scratch"] = np.empty_like(like)
        return buf

    # ----- saving -----
    def state_dict(self) -> dict:
        """{'state': {index: {name: array or number}}, 'param_groups': [{..., 'params': [indices]}]}"""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: (tensor(v) if isinstance(v, np.ndarray) else v)
                                           for k, v in self.state[p].items() if not k.startswith("_")}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {len(groups)} parameter groups in the "
                             f"state, {len(self.param_groups)} in the optimizer")
        params = {}
        for saved, own in zip(groups, self.param_groups):
            foreign = set(saved) - set(self.defaults) - {"params", "initial_lr"}
            if foreign:  # e.g. Adam's betas offered to SGD: the state means something else here
                raise ValueError(f"{type(self).__name__}.load_state_dict: the state has options {sorted(foreign)} "
                                 f"that {type(self).__name__} does not have: it was saved from another optimizer")
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(f"{type(self).__name__}.load_state_dict: a parameter group has "
                                 f"{len(saved['params'])} parameters in the state, {len(own['params'])} here")
            params.update(zip(saved["params"], own["params"]))
        self.state = {}
        for key, values in state_dict["state"].items():
            p = params[int(key)]
            restored = {}
            for name, value in values.items():
                if isinstance(value, (np.ndarray, Tensor)):
                    value = np.array(as_array(value), dtype=p._array.dtype)
                    if value.shape != p._array.shape and value.ndim:
                        raise ValueError(f"{type(self).__name__}.load_state_dict: state '{name}' has shape "
                                         f"{value.shape}, the parameter {tuple(p.shape)}")
                    if not value.ndim:  # a count such as Adam's step
                        value = value.item()
                restored[name] = value
            self.state[p] = restored
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def check_hyper(name: str, value, minimum: float = 0.0) -> None:
    """Reject a negative (or non-numeric) hyper-parameter with a clear message."""
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if not isinstance(v, (int, float, np.floating)) or isinstance(v, bool) or not v >= minimum:
            raise ValueError(f"invalid {name}: {value!r} (expected a number >= {minimum})")
