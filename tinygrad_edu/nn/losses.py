"""Loss modules, as PyTorch's: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, y)``.

Each holds its settings — ``reduction`` (``"mean"``, ``"sum"`` or ``"none"``) and, where
PyTorch has them, ``weight`` and ``ignore_index`` — and calls the function of the same name
in :mod:`~tinygrad_edu.nn.functional`, where the math and the gradients are. The arguments
come in PyTorch's order, so ``nn.CrossEntropyLoss(class_weights)`` weighs the classes
(PyTorch's first argument is ``weight``, not ``reduction``); ``size_average`` and
``reduce`` are PyTorch's deprecated spellings of ``reduction``.

>>> import numpy as np
>>> loss_fn = MSELoss()
>>> loss_fn(np.array([1.0, 2.0]), np.array([0.0, 0.0])).item()     # (1² + 2²) / 2
2.5
>>> weighted = CrossEntropyLoss(np.array([3.0, 1.0]))              # class 0 counts 3 times
>>> round(weighted(np.array([[0.0, 0.0], [0.0, 2.0]]), np.array([0, 1])).item(), 6)
0.551592
"""
from . import functional as F
from .module import Module

__all__ = ["MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
           "SmoothL1Loss"]


class _Loss(Module):
    """A loss function as a module: ``forward(input, target)`` with a fixed ``reduction``."""

    function = None   # the nn.functional loss this module calls

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        name = type(self).__name__
        if isinstance(size_average, str):   # MSELoss("sum"): PyTorch would take it as size_average
            raise TypeError(f"{name}: reduction is a keyword argument, as in PyTorch (the first "
                            f"positional one is {self._first_argument}); write "
                            f"{name}(reduction={size_average!r})")
        reduction = F._legacy_reduction(size_average, reduce, reduction, name)
        F._check_reduction(reduction, name)
        self.reduction = reduction

    _first_argument = "the deprecated size_average"

    def forward(self, input, target):
        return type(self).function(input, target, reduction=self.reduction)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with PyTorch's ``weight`` as its first argument (kept as given, a constant)."""

    _first_argument = "weight"

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        if isinstance(weight, str):
            name = type(self).__name__
            raise TypeError(f"{name}: the first argument is weight (as in PyTorch), got "
                            f"{weight!r}; for the reduction write {name}(reduction={weight!r})")
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def extra_repr(self):
        parts = [] if self.weight is None else ["weight=..."]
        return ", ".join(parts + ([super().extra_repr()] if super().extra_repr() else []))


class MSELoss(_Loss):
    """Mean squared error, ``(input − target)²`` reduced: :func:`~.functional.mse_loss`."""
    function = staticmethod(F.mse_loss)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits and class indices (or class probabilities):
    :func:`~.functional.cross_entropy`, with PyTorch's ``weight`` (one per class: a weighted
    mean) and ``ignore_index`` (samples of that class count for nothing)."""
    function = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return type(self).function(input, target, weight=self.weight,
                                   ignore_index=self.ignore_index, reduction=self.reduction)


class NLLLoss(CrossEntropyLoss):
    """Negative log-likelihood of log-probabilities and class indices:
    :func:`~.functional.nll_loss` (after ``log_softmax`` it is the cross-entropy), with
    ``weight`` and ``ignore_index`` as :class:`CrossEntropyLoss`."""
    function = staticmethod(F.nll_loss)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: :func:`~.functional.binary_cross_entropy`.
    ``weight`` (broadcast to the input's shape) multiplies each element's loss before the
    reduction, as PyTorch (the mean stays the plain mean over elements)."""
    function = staticmethod(F.binary_cross_entropy)

    def forward(self, input, target):
        if self.weight is None:
            return type(self).function(input, target, reduction=self.reduction)
        losses = type(self).function(input, target, reduction="none") * self.weight
        return F._reduce(losses, self.reduction)


class BCEWithLogitsLoss(BCELoss):
    """Binary cross-entropy of logits (stable):
    :func:`~.functional.binary_cross_entropy_with_logits`, ``weight`` as :class:`BCELoss`."""
    function = staticmethod(F.binary_cross_entropy_with_logits)


class SmoothL1Loss(_Loss):
    """The smooth L1 loss with its ``beta``: :func:`~.functional.smooth_l1_loss`."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
