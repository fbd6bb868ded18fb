"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d (PyTorch's arguments).

Pooling summarizes each window by its maximum or mean: it shrinks the image, and makes the network
insensitive to small shifts of a feature.
"""
from __future__ import annotations

from .. import functional as F
from ..functional.conv import pair
from ..functional.pooling import check_pool2d
from ..module import LayerInputError, Module
from ...autograd import Tensor, as_tensor


class _Pool(Module):
    """Shared arguments and input checks; ``spatial`` is 1 (N, C, L) or 2 (N, C, H, W)."""

    spatial = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        super().__init__()
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = kernel_size if stride is None else stride
        kernel, stride, dilation = (self._widen(v) for v in (self.kernel_size, self.stride, self.dilation))
        if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
            raise LayerInputError(self, f"needs kernel_size, stride and dilation >= 1, got kernel_size="
                                        f"{kernel_size}, stride={self.stride}, dilation={dilation}")

    def _widen(self, value) -> tuple:
        return pair(value) if self.spatial == 2 else (1, pair(value)[0])

    def _input(self, x):
        x = as_tensor(x)
        if x.ndim != self.spatial + 2:
            layout = "(N, C, L)" if self.spatial == 1 else "(N, C, H, W)"
            raise LayerInputError(self, f"expects a {self.spatial + 2}-D input {layout}, got {tuple(x.shape)}")
        shape = tuple(x.shape) if self.spatial == 2 else (*x.shape[:2], 1, x.shape[2])
        padding = self._widen(self.padding) if self.spatial == 2 else (0, pair(self.padding)[0])
        problem = check_pool2d(shape, self._widen(self.kernel_size), self._widen(self.stride), padding,
                               self._widen(self.dilation))
        if problem:
            raise LayerInputError(self, problem.replace(str(shape), str(tuple(x.shape))))
        return x

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """y = the maximum of each KH×KW window (stride defaults to kernel_size)."""

    def forward(self, x):
        return F.max_pool2d(self._input(x), self.kernel_size, self.stride, self.padding, self.dilation)


class MaxPool1d(_Pool):
    spatial = 1

    def forward(self, x):
        return F.max_pool1d(self._input(x), self.kernel_size, self.stride, self.padding, self.dilation)


class AvgPool2d(_Pool):
    """y = the mean of each KH×KW window (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return F.avg_pool2d(self._input(x), self.kernel_size, self.stride, self.padding, self.count_include_pad)


class AvgPool1d(AvgPool2d):
    spatial = 1

    def forward(self, x):
        return F.avg_pool1d(self._input(x), self.kernel_size, self.stride, self.padding, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (an int, a pair, None to keep an axis) for any input size."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 4:
            raise LayerInputError(self, f"expects a 4-D input (N, C, H, W), got {tuple(x.shape)}")
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
