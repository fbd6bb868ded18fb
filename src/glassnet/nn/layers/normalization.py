"""Normalization layers: BatchNorm1d/2d and LayerNorm (PyTorch's arguments, parameters and buffers).

Batch normalization standardizes each channel over the batch (and the positions), then rescales:
y = γ·(x − μ_B)/√(σ²_B + ε) + β. It keeps the running averages of μ and σ² (buffers
``running_mean``, ``running_var``, with ``num_batches_tracked``) to normalize with in eval mode.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import init
from ..module import LayerInputError, Module, Parameter
from .linear import as_float_input


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d; ``dims`` are the accepted input ranks."""

    dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype=np.float32):
        super().__init__()
        if num_features < 1:
            raise LayerInputError(self, f"needs num_features >= 1, got {num_features}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x):
        x = as_float_input(self, x, self._dtype())
        if x.ndim not in self.dims or x.shape[1] != self.num_features:
            layouts = {2: f"(N, {self.num_features})", 3: f"(N, {self.num_features}, L)",
                       4: f"(N, {self.num_features}, H, W)"}
            raise LayerInputError(self, f"expects {' or '.join(layouts[d] for d in self.dims)}, got {tuple(x.shape)}")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1
            if momentum is None:  # a cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats and x.numel() // x.shape[1] < 2:
            raise LayerInputError(self, f"needs more than 1 value per channel in training, got {tuple(x.shape)}")
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch_stats,
                            momentum, self.eps)

    def _dtype(self) -> np.dtype:
        if self.track_running_stats:
            return self.running_mean.dtype
        return self.weight.dtype if self.affine else np.dtype(np.float32)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L): statistics per feature C."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W): statistics per channel, over the batch and all pixels."""

    dims = (4,)


class LayerNorm(Module):
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the last dims ``normalized_shape`` of each sample."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 dtype=np.float32):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
            else tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        has_bias = elementwise_affine and bias
        self.register_parameter("weight", Parameter(np.ones(self.normalized_shape, dtype=dtype))
                                if elementwise_affine else None)
        self.register_parameter("bias", Parameter(np.zeros(self.normalized_shape, dtype=dtype))
                                if has_bias else None)

    def forward(self, x):
        x = as_float_input(self, x, self.weight.dtype if self.weight is not None else np.dtype(np.float32))
        k = len(self.normalized_shape)
        if x.ndim < k or tuple(x.shape[x.ndim - k:]) != self.normalized_shape:
            raise LayerInputError(self, f"expects (*, {', '.join(map(str, self.normalized_shape))}), "
                                        f"got {tuple(x.shape)}")
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
