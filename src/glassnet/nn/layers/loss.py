"""Loss modules: ``criterion(input, target)`` wrappers of ``nn.functional``'s losses."""
from __future__ import annotations

from .. import functional as F
from ..module import LayerInputError, Module


class _Loss(Module):
    """Calls ``fn(input, target, **options)``; a bad shape or target becomes a LayerInputError."""

    fn = None

    def __init__(self, reduction: str = "mean", **options):
        super().__init__()
        self.reduction, self.options = reduction, options

    def forward(self, input, target):
        try:
            return type(self).fn(input, target, reduction=self.reduction, **self.options)
        except (ValueError, IndexError, TypeError) as error:
            raise LayerInputError(self, f"got bad input: {error}") from None

    def extra_repr(self) -> str:
        return f"reduction='{self.reduction}'"


class MSELoss(_Loss):
    fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    fn = staticmethod(F.l1_loss)


class HuberLoss(_Loss):
    fn = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction, delta=delta)


class SmoothL1Loss(_Loss):
    fn = staticmethod(F.smooth_l1_loss)

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction, beta=beta)


class BCELoss(_Loss):
    fn = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction, weight=weight)


class BCEWithLogitsLoss(_Loss):
    fn = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction, weight=weight, pos_weight=pos_weight)


class CrossEntropyLoss(_Loss):
    fn = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    fn = staticmethod(F.nll_loss)

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)


class KLDivLoss(_Loss):
    fn = staticmethod(F.kl_div)

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__(reduction, log_target=log_target)
