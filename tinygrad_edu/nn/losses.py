"""Loss modules, as PyTorch's: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, y)``.

Each holds only its ``reduction`` (``"mean"``, ``"sum"`` or ``"none"``) and calls the function
of the same name in :mod:`~tinygrad_edu.nn.functional`, where the math and the gradients are.

>>> import numpy as np
>>> loss_fn = MSELoss()
>>> loss_fn(np.array([1.0, 2.0]), np.array([0.0, 0.0])).item()     # (1² + 2²) / 2
2.5
"""
from . import functional as F
from .module import Module

__all__ = ["MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
           "SmoothL1Loss"]


class _Loss(Module):
    """A loss function as a module: ``forward(input, target)`` with a fixed ``reduction``."""

    function = None   # the nn.functional loss this module calls

    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def forward(self, input, target):
        return type(self).function(input, target, reduction=self.reduction)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, ``(input − target)²`` reduced: :func:`~.functional.mse_loss`."""
    function = staticmethod(F.mse_loss)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits and class indices: :func:`~.functional.cross_entropy`."""
    function = staticmethod(F.cross_entropy)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities and class indices:
    :func:`~.functional.nll_loss` (after ``log_softmax`` it is the cross-entropy)."""
    function = staticmethod(F.nll_loss)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities: :func:`~.functional.binary_cross_entropy`."""
    function = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits (stable):
    :func:`~.functional.binary_cross_entropy_with_logits`."""
    function = staticmethod(F.binary_cross_entropy_with_logits)


class SmoothL1Loss(_Loss):
    """The smooth L1 loss with its ``beta``: :func:`~.functional.smooth_l1_loss`."""

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
