"""Convolutional networks: LeNet-5 (the lectures' CNN) and a small VGG-style network."""
from __future__ import annotations

from .. import nn

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}
_POOLS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


class LeNet5(nn.Module):
    """LeNet-5 for 28×28 images (LeCun et al. 1998; the lectures' LeNet):

        conv 5×5 → 6 maps (28×28, padding 2) → pool 2 → conv 5×5 → 16 maps (10×10) → pool 2
        → 400 → 120 → 84 → num_classes   (the activation after each conv and dense layer)

    ``activation='tanh', pooling='avg'`` is the original (tanh units, average "subsampling");
    the default ReLU and max pooling train faster.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, activation: str = "relu",
                 pooling: str = "max"):
        super().__init__()
        if activation not in _ACTIVATIONS or pooling not in _POOLS:
            raise ValueError(f"LeNet5: activation must be one of {sorted(_ACTIVATIONS)} and pooling one of "
                             f"{sorted(_POOLS)}, got '{activation}', '{pooling}'")
        act, pool = _ACTIVATIONS[activation], _POOLS[pooling]
        # ReLU and max pooling commute: relu(max(x)) = max(relu(x)) with the same gradient (both send
        # g to the window's first maximum if it is > 0), so the ReLU runs on the pooled maps, a
        # quarter of the pixels. Other pairs (tanh, averages) do not commute and keep their order.
        pooled_first = (activation, pooling) == ("relu", "max")

        def block():
            return (pool(2), act()) if pooled_first else (act(), pool(2))
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2), *block(),
            nn.Conv2d(6, 16, 5), *block())
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(),
            nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class SmallVGG(nn.Module):
    """A small VGG-style network: blocks of two 3×3 convolutions (padding 1, batch norm, ReLU)
    and a 2×2 max pool, one block per width in ``widths``; then a
    dense classifier with dropout. Input (N, in_channels, image_size, image_size)."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, widths=(16, 32), image_size: int = 28,
                 hidden: int = 128, dropout: float = 0.5):
        super().__init__()
        side = image_size // 2 ** len(widths)
        if side < 1:
            raise ValueError(f"SmallVGG: {len(widths)} pooling blocks need images of at least "
                             f"{2 ** len(widths)} pixels, got image_size={image_size}")
        layers, channels = [], in_channels
        for width in widths:
            for _ in range(2):
                layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
                channels = width
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(channels * side * side, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
