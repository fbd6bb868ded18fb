"""Upsample: nearest-neighbour resizing of (N, C, L) or (N, C, H, W) inputs (as torch.nn.Upsample)."""
from __future__ import annotations

from .. import functional as F
from ..module import LayerInputError, Module
from ...autograd import Tensor, as_tensor


class Upsample(Module):
    """y[..., i, j] = x[..., ⌊i·H/H_out⌋, ⌊j·W/W_out⌋]: each pixel repeated (mode 'nearest' only)."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest"):
        super().__init__()
        if mode != "nearest":
            raise LayerInputError(self, f"supports mode='nearest' only, got '{mode}'")
        if (size is None) == (scale_factor is None):
            raise LayerInputError(self, "needs exactly one of size and scale_factor")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim not in (3, 4):
            raise LayerInputError(self, f"expects (N, C, L) or (N, C, H, W), got {tuple(x.shape)}")
        return F.interpolate(x, self.size, self.scale_factor, self.mode)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode='{self.mode}'"
