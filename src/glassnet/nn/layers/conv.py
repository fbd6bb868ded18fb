"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d (PyTorch's arguments, weight shapes, init).

The lectures' idea: a convolution is a dense layer with local connectivity (each output sees a
KH×KW receptive field) and weight sharing (the same kernel at every position), so an image of any
size needs only C_out·C_in·KH·KW weights.
"""
from __future__ import annotations

import numpy as np

from .. import init
from ..functional.conv import (
    Conv2dFunction, ConvTranspose2dFunction, check_conv, conv1d, conv_padding, pair, single,
)
from ..module import LayerInputError, Module, Parameter
from .linear import as_float_input


class _ConvNd(Module):
    """What Conv1d, Conv2d and ConvTranspose2d share: arguments as tuples, checks, parameters."""

    spatial = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 dtype, output_padding=0):
        super().__init__()
        as_tuple = pair if self.spatial == 2 else (lambda v, name: (single(v, name),))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = as_tuple(kernel_size, "kernel_size"), as_tuple(stride, "stride")
        self.dilation = as_tuple(dilation, "dilation")
        self.padding = padding if isinstance(padding, str) else as_tuple(padding, "padding")
        self.output_padding = as_tuple(output_padding, "output_padding")
        self._check_arguments()
        kernel_shape = (in_channels, out_channels // groups) if self.transposed \
            else (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty(kernel_shape + self.kernel_size, dtype=dtype))
        self.register_parameter("bias", Parameter(np.empty(out_channels, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def _check_arguments(self) -> None:
        name = f"kernel_size={self.kernel_size}, stride={self.stride}, dilation={self.dilation}"
        if min(self.stride) < 1 or min(self.kernel_size) < 1 or min(self.dilation) < 1:
            raise LayerInputError(self, f"needs kernel_size, stride and dilation >= 1, got {name}")
        if self.in_channels < 1 or self.out_channels < 1 or self.groups < 1:
            raise LayerInputError(self, f"needs positive channel counts and groups, got in_channels="
                                        f"{self.in_channels}, out_channels={self.out_channels}, groups={self.groups}")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise LayerInputError(self, f"needs in_channels ({self.in_channels}) and out_channels "
                                        f"({self.out_channels}) divisible by groups ({self.groups})")
        if isinstance(self.padding, str):
            if self.transposed or self.padding not in ("same", "valid"):
                raise LayerInputError(self, f"padding must be an int or a tuple"
                                            f"{'' if self.transposed else ', same or valid'}, got '{self.padding}'")
            if self.padding == "same" and min(self.stride) != 1:
                raise LayerInputError(self, f"padding='same' needs stride 1, got stride={self.stride}")
        elif min(self.padding) < 0:
            raise LayerInputError(self, f"padding must be >= 0, got {self.padding}")

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def _pads(self) -> tuple:
        """((before, after), ...) per spatial axis."""
        if isinstance(self.padding, str):
            full = conv_padding(self.padding, (1,) * (2 - self.spatial) + self.kernel_size, (1, 1),
                                (1,) * (2 - self.spatial) + self.dilation)
            return full[2 - self.spatial:]
        return tuple((p, p) for p in self.padding)

    def _input(self, x):
        x = as_float_input(self, x, self.weight.dtype)
        problem = check_conv(tuple(x.shape), tuple(self.weight.shape), self._pads(), self.dilation, self.groups)
        if problem:
            raise LayerInputError(self, problem)
        return x

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.spatial:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * self.spatial:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.spatial:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) of (N, C_in, H, W) images; weight (C_out, C_in/groups, KH, KW).

        y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x̃[n, c, i·s+p·d, j·s+q·d]      (x̃: zero-padded x)
        H_out = ⌊(H + 2·p − d·(k−1) − 1) / s⌋ + 1

    Initialized as PyTorch's: W, b ~ U(±1/√(C_in/groups·KH·KW)).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype)

    def forward(self, x):
        x = self._input(x)
        args = (x, self.weight) if self.bias is None else (x, self.weight, self.bias)
        return Conv2dFunction.apply(*args, stride=self.stride, padding=self._pads(), dilation=self.dilation,
                                    groups=self.groups)


class Conv1d(_ConvNd):
    """1-D convolution of (N, C_in, L) sequences; weight (C_out, C_in/groups, K)."""

    spatial = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype)

    def forward(self, x):
        x = self._input(x)
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Transposed convolution (the adjoint of Conv2d, used to upsample); weight (C_in, C_out/groups, KH, KW).

        H_out = (H − 1)·s − 2·p + d·(k − 1) + output_padding + 1
    """

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype,
                         output_padding)
        for op, s, d in zip(self.output_padding, self.stride, self.dilation):
            if not 0 <= op < max(s, d):
                raise LayerInputError(self, f"output_padding must be smaller than stride or dilation, got "
                                            f"output_padding={self.output_padding}, stride={self.stride}, "
                                            f"dilation={self.dilation}")

    def forward(self, x):
        x = as_float_input(self, x, self.weight.dtype)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise LayerInputError(self, f"expects (N, {self.in_channels}, H, W), got {tuple(x.shape)}")
        out = [(size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op in
               zip(x.shape[2:], self.stride, self.padding, self.dilation, self.kernel_size, self.output_padding)]
        if min(out) < 1:
            raise LayerInputError(self, f"would give an empty output {tuple(out)} for input {tuple(x.shape)} "
                                        f"with padding {self.padding}")
        args = (x, self.weight) if self.bias is None else (x, self.weight, self.bias)
        return ConvTranspose2dFunction.apply(*args, stride=self.stride, padding=self.padding,
                                             output_padding=self.output_padding, dilation=self.dilation,
                                             groups=self.groups)
