"""``nn.functional``: activations, ``linear`` and the loss functions, as plain functions.

Every function accepts Tensors, NumPy arrays and numbers (arrays and numbers become Tensors
without gradient) and returns a Tensor. Values and gradients are PyTorch's.

Most of these are compositions of Tensor operations, so autograd differentiates them with no
extra code. Three losses are their own :class:`~tinygrad_edu.Function`, each with a backward
written out by hand, because the composed version would be numerically fragile:

* ``cross_entropy`` — log-softmax and negative log-likelihood fused: the gradient is simply
  ``softmax(z) − onehot(y)``, with no division by a probability that may underflow to 0
  (two Functions: class indices as the target, or class probabilities);
* ``binary_cross_entropy`` — PyTorch clamps ``log p`` at −100 (so ``p = 0`` gives a loss of
  100, not infinity) and its gradient divides by ``max(p(1 − p), 1e−12)``;
* ``binary_cross_entropy_with_logits`` — the stable form ``max(x, 0) − x·t + log(1 + e^−|x|)``
  never computes ``exp`` of a large positive number; its gradient is ``sigmoid(x) − t``.

``conv2d``, ``max_pool2d`` and ``avg_pool2d`` (at the end) are explained, with a picture of
im2col, in :mod:`tinygrad_edu.tensors.ops.conv`.

``linear`` is one fused :class:`Linear` operation too, for speed rather than stability: it
is the bulk of every MLP step.

Each fused op has one backward rule, written against :mod:`~tinygrad_edu.tensors.ops.xp`, so
that it also runs on Tensors for second derivatives (``create_graph=True``, see
:mod:`tinygrad_edu.tensors.function`); the composed losses need nothing extra.

Losses take ``reduction``: ``"mean"`` (default: average over all elements), ``"sum"`` or
``"none"`` (one loss per element or sample).
"""
import math
import numbers
import warnings

import numpy as np

from ..fast.layout import matmul
from ..graph import is_grad_enabled
from ..random import generator
from ..tensors import Function, Tensor, stack, where
from ..tensors.ops import conv as _conv
from ..tensors.ops import xp

__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear", "mse_loss",
           "smooth_l1_loss",
           "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
           "dropout",
           "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]


def _as_tensor(x):
    """A Tensor as it is; an array or a number as a Tensor without gradient."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _as_floating(x, like):
    """``x`` as a Tensor; integer or bool data (a constant) converted to ``like``'s dtype, so
    ``linear(int_inputs, w32)`` or a 0/1 integer target stays in the model's float dtype."""
    x = _as_tensor(x)
    if x.dtype.kind == "f":
        return x
    return Tensor(x.data, dtype=like.dtype if like.dtype.kind == "f" else None)


def _axis(axis, dim):
    # PyTorch calls the axis ``dim``; accept either spelling.
    return axis if dim is None else dim


# --------------------------------------------------------------------------- activations
def relu(input):
    """``max(x, 0)``; gradient 1 where x > 0, else 0 (also at 0, as PyTorch)."""
    return _as_tensor(input).relu()


def tanh(input):
    """``tanh(x) = (e^x − e^−x) / (e^x + e^−x)``; gradient ``1 − tanh²(x)``."""
    return _as_tensor(input).tanh()


def sigmoid(input):
    """``σ(x) = 1 / (1 + e^−x)``; gradient ``σ(x)(1 − σ(x))``."""
    return _as_tensor(input).sigmoid()


def _implicit_dim(name, ndim, axis, dim, stacklevel=3):
    """The dimension to normalise over. Given (``dim``, or NumPy's ``axis``): that one.
    Not given: PyTorch's old implicit choice — 0 for 0-, 1- and 3-D input, else 1 — with
    PyTorch's warning, because for 3-D and 4-D input that is not the last dimension."""
    if dim is not None or axis is not None:
        return _axis(axis, dim)
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, *, axis=None, dtype=None):
    """``softmax(x)_i = e^{x_i} / Σ_j e^{x_j}`` along ``dim`` (or NumPy's ``axis``).

    Without ``dim`` PyTorch picks one (0 for 1-D and 3-D input, 1 for 2-D and 4-D) and warns;
    so does this. Give ``dim`` (``dim=-1``: the last) and nothing is guessed.

    >>> softmax(np.array([0.0, np.log(3.0)]), dim=0).data.round(6)
    array([0.25, 0.75])
    """
    input = _as_tensor(input) if dtype is None else _as_tensor(input).to(dtype)
    return input.softmax(axis=_implicit_dim("softmax", input.ndim, axis, dim))


def log_softmax(input, dim=None, *, axis=None, dtype=None):
    """``log softmax(x)_i = x_i − log Σ_j e^{x_j}`` along ``dim`` (or ``axis``), computed
    stably (no overflow for logits of 1e4). Without ``dim``: as :func:`softmax`."""
    input = _as_tensor(input) if dtype is None else _as_tensor(input).to(dtype)
    return input.log_softmax(axis=_implicit_dim("log_softmax", input.ndim, axis, dim))


class Linear(Function):
    """``Y = X Wᵀ + b`` as one operation, for a batch of rows ``X`` ``(N, in)``, ``W``
    ``(out, in)`` and ``b`` ``(out,)`` (or ``None``).

    Built from Tensor ops (``x @ weight.T + bias``) this is three graph nodes and three
    arrays per call; fused it is one node and one array (the bias is added in place into
    the fresh product), which is most of the engine's bookkeeping in a small MLP.
    Backward, with ``G = ∂L/∂Y`` ``(N, out)``::

        ∂L/∂X = G W        ∂L/∂W = Gᵀ X   (out, in): W's own layout        ∂L/∂b = Σ_n G_n

    An input with more dimensions ``(..., in)`` is a batch of rows: viewed as ``(-1, in)``.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        rows = x.reshape(-1, x.shape[-1])
        out = matmul(rows, weight.T)   # x @ Wᵀ (fast.matmul may pick the BLAS's faster form)
        if bias is not None:
            if np.result_type(out, bias) == out.dtype:
                out += bias        # in place: the product is a new array nobody else holds
            else:
                out = out + bias   # a wider bias (float64 on float32) promotes, as ``+`` does
        # Keep only what backward reads, as PyTorch: X for ∂L/∂W, W for ∂L/∂X (a first layer's
        # W is not kept: changing it before backward() is no error there either).
        need_x, need_weight, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_weight else None, weight if need_x else None)
        ctx.shapes = (x.shape, weight.shape)
        if x.ndim == 2:
            return out   # (not a reshaped view: a fresh array needs no version bookkeeping)
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        (x_shape, weight_shape), (need_x, need_weight, need_bias) = ctx.shapes, ctx.needs_input_grad
        grad = grad.reshape(-1, weight_shape[0])
        grad_x = (grad @ weight).reshape(x_shape) if need_x else None
        grad_weight = None
        if need_weight:
            rows = x if x.ndim == 2 else x.reshape(-1, x_shape[-1])   # a batch of rows
            grad_weight = grad.T @ rows
        return grad_x, grad_weight, grad.sum(axis=0) if need_bias else None


def linear(input, weight, bias=None):
    """``y = x Wᵀ + b`` with ``weight`` of shape ``(out, in)`` and ``bias`` ``(out,)``:
    one :class:`Linear` operation.

    >>> linear(np.ones((2, 3)), np.ones((4, 3)), np.arange(4.0)).data
    array([[3., 4., 5., 6.],
           [3., 4., 5., 6.]])
    """
    weight = _as_tensor(weight)
    x = _as_floating(input, weight)
    if weight.ndim != 2 or x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} needs a last dimension equal to "
                         f"weight.shape[1]; weight has shape {weight.shape} = (out, in)")
    if bias is None:
        return Linear.apply(x, weight, None)
    bias = _as_tensor(bias)
    if bias.shape != weight.shape[:1]:   # any other broadcastable bias: added by a Tensor op
        return Linear.apply(x, weight, None) + bias
    return Linear.apply(x, weight, bias)


# --------------------------------------------------------------------------- reductions
_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, name):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {list(_REDUCTIONS)}, "
                         f"got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# --------------------------------------------------------------------------- losses
def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``ℓ_i = (input_i − target_i)²``, then reduced.

    Gradient: ``∂ℓ_i/∂input_i = 2(input_i − target_i)`` (divided by n for ``"mean"``).
    As PyTorch, different shapes are broadcast with a warning — usually a bug: predictions
    of shape ``(n, 1)`` against targets ``(n,)`` broadcast to an ``(n, n)`` matrix.

    >>> mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0])).item()
    2.5
    """
    _check_reduction(reduction, "mse_loss")
    input, target = _as_tensor(input), _as_tensor(target)
    if input.shape != target.shape:
        warnings.warn(f"mse_loss: input shape {input.shape} and target shape {target.shape} "
                      f"differ and will be broadcast, which is rarely intended; reshape one of "
                      f"them (e.g. prediction.reshape(-1)) to match", UserWarning, stacklevel=2)
    diff = input - target
    return _reduce(diff * diff, reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """The Huber-like loss of Fast R-CNN: with ``d = input − target``,

    ``ℓ = ½ d² / β`` where ``|d| < β`` (a parabola near 0: small errors give small, smooth
    gradients ``d/β``), else ``|d| − ½β`` (a line: large errors give gradient ``±1``, so an
    outlier cannot dominate as it does in the squared error). The two pieces meet with equal
    value and slope at ``|d| = β``. ``beta=0`` is the L1 loss ``|d|``.

    >>> smooth_l1_loss(np.array([0.5, 3.0]), np.zeros(2), reduction="none").data
    array([0.125, 2.5  ])
    """
    _check_reduction(reduction, "smooth_l1_loss")
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be a number >= 0, got {beta!r}")
    input, target = _as_tensor(input), _as_tensor(target)
    if input.shape != target.shape:
        warnings.warn(f"smooth_l1_loss: input shape {input.shape} and target shape "
                      f"{target.shape} differ and will be broadcast, which is rarely intended; "
                      f"reshape one of them to match", UserWarning, stacklevel=2)
    diff = input - target
    size = diff.abs()
    if beta == 0:   # the parabola has no width: L1 (and no division by zero)
        return _reduce(size, reduction)
    inside = (size < beta).data
    return _reduce(where(inside, 0.5 * diff * diff / beta, size - 0.5 * beta),
                   reduction)


class CrossEntropy(Function):
    """Cross-entropy of logits ``z`` (``(..., C)``) and class indices ``y``, then reduced
    (``reduction``: ``"none"``, ``"sum"`` or ``"mean"`` over the samples).

    Textbook form: ``p = softmax(z)``, ``ℓ = −log p_y``. Implemented form, stable for any
    logits: shift by the maximum ``m`` (softmax does not change), then

        ℓ = −(z_y − m) + log Σ_j e^{z_j − m}

    Backward, fused: ``∂ℓ/∂z_j = p_j − [j = y]``. Composing ``log`` and ``softmax`` instead
    would divide by ``p_y``, which underflows to 0 for a confident wrong prediction. The
    reduction is part of the operation too (the mean's gradient is ``(p − onehot) / N``):
    one graph node for the whole loss rather than three.

    With class weights ``weight`` (``(C,)``) or samples whose class is ``ignore_index``,
    sample n counts ``w_n = weight[y_n]`` times (1 without weights, 0 when ignored) in the
    loss and its gradient, and the mean is ``Σ w_n ℓ_n / Σ w_n`` (see :class:`_SampleWeights`).
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, logits, target, reduction="none", weight=None, ignore_index=-100):
        # Worked out here from the target (not before the call), so that a traced step
        # recomputes them from each call's target.
        target, sample_weights = _sample_weights(target, weight, ignore_index, logits.dtype)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        ctx.save_for_backward(logits)
        ctx.target, ctx.reduction, ctx.weights = target, reduction, sample_weights
        if ctx.needs_input_grad[0]:
            ctx.probs = np.exp(log_probs)   # softmax(logits), which backward needs
        rows = log_probs.reshape(-1, log_probs.shape[-1])    # (N, C), also for one sample
        losses = -rows[np.arange(len(rows)), target.reshape(-1)].reshape(target.shape)
        if sample_weights is not None:   # an ignored sample is skipped, even a nan one
            losses = np.where(sample_weights.ignored, 0, losses * sample_weights.values)
        if reduction == "none":
            return losses
        total = losses.sum()   # sum / N rather than .mean(): same number, a third the overhead
        if reduction == "sum":
            return total
        if sample_weights is not None:
            with np.errstate(invalid="ignore", divide="ignore"):   # Σw = 0: nan, as PyTorch
                return total / sample_weights.total
        return total / losses.size

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        target, weights = ctx.target, ctx.weights
        onehot = np.arange(logits.shape[-1]) == target[..., None]
        if ctx.reduction == "none":
            grad = grad.reshape(grad.shape + (1,))   # one gradient per sample, along its row
        elif ctx.reduction == "mean" and weights is None:
            grad = grad / max(target.size, 1)   # an int divisor keeps float32 float32
        if weights is not None:   # per sample: w_n (÷ Σw for the mean), 0 where ignored
            scale = weights.mean_factors if ctx.reduction == "mean" else weights.values
            grad = grad * scale[..., None]
        return grad * (xp.softmax(logits, axis=-1, precomputed=ctx.probs) - onehot), None


class CrossEntropyWithProbabilities(Function):
    """Cross-entropy of logits ``z`` and *class probabilities* ``t`` of the same shape
    (soft labels, as PyTorch): ``ℓ = −Σ_j w_j t_j log softmax(z)_j`` per sample (``w_j`` the
    class weights, 1 without them), then reduced (``"mean"`` divides by the number of
    samples, as PyTorch, also with weights).

    Backward, fused as for class indices: ``∂ℓ/∂z_j = p_j Σ_k w_k t_k − w_j t_j`` (``p − t``
    without weights when each row of ``t`` sums to 1) and ``∂ℓ/∂t_j = −w_j log p_j``.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, logits, target, reduction="none", weight=None):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        ctx.save_for_backward(logits, target)
        ctx.reduction, ctx.weight = reduction, weight
        weighted = target if weight is None else target * weight
        losses = -(weighted * log_probs).sum(axis=-1)
        if reduction == "none":
            return losses
        total = losses.sum()
        return total / max(losses.size, 1) if reduction == "mean" else total

    @staticmethod
    def backward(ctx, grad):
        logits, target = ctx.saved_tensors
        weight = ctx.weight
        if ctx.reduction == "none":
            grad = grad.reshape(grad.shape + (1,))   # one gradient per sample, along its row
        elif ctx.reduction == "mean":
            grad = grad / max(math.prod(logits.shape[:-1]), 1)   # the number of samples
        weighted = target if weight is None else target * weight
        need_logits, need_target = ctx.needs_input_grad
        grad_target = None
        if need_target:
            grad_target = -grad * xp.log_softmax(logits, axis=-1)
            grad_target = grad_target if weight is None else grad_target * weight
        return (grad * (xp.softmax(logits, axis=-1) * weighted.sum(axis=-1, keepdims=True)
                        - weighted) if need_logits else None, grad_target)


def _class_indices(target, logits, name, ignore_index=None):
    """Check class-index targets against ``logits`` (a target equal to ``ignore_index`` may
    lie outside the classes); return them as an int64 array, and ``ignore_index`` — or None
    when no target can equal it (every target is a class, and it is not), so that the loss
    skips looking for samples to ignore."""
    target = target.data if isinstance(target, Tensor) else np.asarray(target)
    expected = logits.shape[:-1]
    if target.dtype.kind == "f":
        raise ValueError(f"{name}: a floating-point target holds class probabilities, and "
                         f"then it must have the input's shape {logits.shape}; got shape "
                         f"{target.shape} (values such as {target.reshape(-1)[:3]}). For class "
                         f"indices pass integers: Tensor([0, 2, 1]), y.astype(np.int64) or "
                         f"y.long()")
    if target.dtype.kind not in "iu":   # bool ("b") is refused too: not class indices
        raise ValueError(f"{name}: the target must hold integer class indices, got dtype "
                         f"{target.dtype}")
    if target.shape != expected:
        raise ValueError(f"{name}: for input of shape {logits.shape} = (N, C) the target must "
                         f"hold one class index per sample, shape {expected}; got {target.shape}")
    classes = logits.shape[-1]
    if target.size and (target.min() < 0 or target.max() >= classes):   # mask only for the message
        bad = ((target < 0) | (target >= classes)) & (target != ignore_index)
        if bad.any():
            skipped = "" if ignore_index in (None, -100) else f", ignore_index={ignore_index}"
            raise ValueError(f"{name}: class indices must lie in 0..{classes - 1} for {classes} "
                             f"classes (input shape {logits.shape}{skipped}); got "
                             f"{np.unique(target[bad])[:5]}")
    elif ignore_index is not None and not 0 <= ignore_index < classes:
        ignore_index = None   # (the default -100 with valid targets: nothing to ignore)
    return target.astype(np.int64), ignore_index


class _SampleWeights:
    """The weight of each sample in a weighted or ignore_index loss (constants, no gradient):
    ``values`` w_n = weight[y_n] (1 without class weights) and 0 where y_n = ignore_index;
    ``total`` Σ w_n, the mean's divisor; ``mean_factors`` w_n / Σ w_n, and exactly 0 for an
    ignored sample even when Σ w = 0 (PyTorch's gradient there: 0 for ignored samples, nan
    for the others)."""

    def __init__(self, target, weight, ignored, dtype):
        values = np.ones(target.shape, dtype) if weight is None else weight[target]
        self.ignored = ignored
        self.values = np.where(ignored, 0, values).astype(dtype, copy=False)
        self.total = self.values.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean_factors = np.where(ignored, 0, self.values / self.total).astype(dtype)


def _sample_weights(target, weight, ignore_index, dtype):
    """``(target with ignored entries set to class 0, _SampleWeights or None)``: None when
    there are no class weights and nothing is ignored (the plain, unweighted loss).
    ``ignore_index`` None: no sample is ignored."""
    if ignore_index is None:
        return target, None if weight is None else _SampleWeights(
            target, weight, np.zeros(target.shape, bool), dtype)
    ignored = target == ignore_index
    any_ignored = bool(ignored.any())
    if weight is None and not any_ignored:
        return target, None
    picked = np.where(ignored, 0, target) if any_ignored else target   # 0: any valid class
    return picked, _SampleWeights(picked, weight, ignored, dtype)


def _class_weight(weight, input, name):
    """``weight`` (one number per class) as a constant array of the input's dtype, or None."""
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(f"{name}: the argument after target is weight (one number per class), "
                        f"as in PyTorch, got {weight!r}; for the reduction write "
                        f"reduction={weight!r}")
    if isinstance(weight, Tensor):
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(f"{name}: no gradient is computed for weight (as PyTorch: its "
                               f"derivative is not implemented); pass weight.detach()")
        weight = weight.data
    weight = np.asarray(weight)
    classes = input.shape[-1]
    if weight.dtype.kind not in "biuf" or weight.shape != (classes,):
        raise ValueError(f"{name}: weight must hold one number per class, shape ({classes},) "
                         f"for input of shape {input.shape}; got {weight.dtype} of shape "
                         f"{weight.shape}")
    return weight.astype(input.dtype if input.dtype.kind == "f" else np.float64, copy=False)


def _legacy_reduction(size_average, reduce, reduction, name):
    """PyTorch's deprecated ``size_average`` / ``reduce``: when either is given it decides the
    reduction (``reduce=False`` → "none", else ``size_average=False`` → "sum", else "mean"),
    with PyTorch's warning."""
    if size_average is None and reduce is None:
        return reduction
    for argument, value in (("size_average", size_average), ("reduce", reduce)):
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: {argument} must be None or a bool (PyTorch's deprecated "
                            f"form), got {value!r}; write reduction='mean', 'sum' or 'none'")
    legacy = ("none" if reduce is False else "sum" if size_average is False else "mean")
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{legacy}' instead.", UserWarning, stacklevel=3)
    return legacy


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean"):
    """Cross-entropy of unnormalised scores ``input`` (logits) ``(N, C)`` or ``(C,)`` and a
    ``target`` that is either

    * integer class indices ``(N,)`` (or a scalar): ``ℓ_n = −log softmax(input_n)[target_n]``
      (see :class:`CrossEntropy`); a floating-point target of this shape is refused, since
      ``Tensor([0.0, 2.0])`` may be a label vector that lost its integer dtype;
    * class probabilities of the input's shape (soft labels, floating point), as PyTorch:
      ``ℓ_n = −Σ_c target_nc log softmax(input_n)_c`` (see
      :class:`CrossEntropyWithProbabilities`); the target gets a gradient too.

    ``"mean"`` averages over the N samples. The gradient with respect to the logits is
    ``(softmax(input) − onehot(target)) / N`` for the mean.

    As PyTorch: ``weight`` (``(C,)``, a constant) weighs each class: with class indices
    ``ℓ_n = −w_{y_n} log softmax(input_n)[y_n]`` and the mean is the *weighted* mean
    ``Σ ℓ_n / Σ w_{y_n}``; with probabilities ``ℓ_n = −Σ_c w_c t_nc log p_nc``, the mean over
    N. Samples whose class index is ``ignore_index`` count for nothing (loss 0, weight 0;
    the mean of nothing is nan). ``size_average`` / ``reduce`` are PyTorch's deprecated
    spellings of ``reduction``.

    >>> round(cross_entropy(np.array([[0.0, 0.0]]), np.array([1])).item(), 6)   # log 2
    0.693147
    >>> round(cross_entropy(np.array([[0.0, 0.0]]), np.array([[0.5, 0.5]])).item(), 6)
    0.693147
    >>> logits = np.array([[0.0, 0.0], [0.0, 2.0]])        # losses log 2 and log(1 + e⁻²)
    >>> round(cross_entropy(logits, np.array([0, 1]), weight=np.array([3.0, 1.0])).item(), 6)
    0.551592
    """
    reduction = _legacy_reduction(size_average, reduce, reduction, "cross_entropy")
    _check_reduction(reduction, "cross_entropy")
    logits = _as_tensor(input)
    if logits.ndim not in (1, 2):
        raise ValueError(f"cross_entropy expects input (logits) of shape (N, C) or (C,), got "
                         f"{logits.shape}; reshape extra dimensions into N first")
    weight = _class_weight(weight, logits, "cross_entropy")
    if np.shape(target) == logits.shape and _kind_of(target) == "f":
        if ignore_index != -100:
            raise ValueError("cross_entropy: ignore_index works with class indices only, not "
                             "with a target of class probabilities (as PyTorch); leave it out")
        target = _as_floating(target, logits)
        return CrossEntropyWithProbabilities.apply(logits, target, reduction=reduction,
                                                   weight=weight)
    target, ignore_index = _class_indices(target, logits, "cross_entropy", ignore_index)
    return CrossEntropy.apply(logits, target, reduction=reduction, weight=weight,
                              ignore_index=ignore_index)


def _kind_of(x):
    """The dtype kind ('f', 'i', 'b', ...) of a Tensor, an array or array-like data."""
    return (x.data if isinstance(x, Tensor) else np.asarray(x)).dtype.kind


def _same_shape(input, target, name):
    if input.shape != target.shape:
        raise ValueError(f"{name}: target shape {target.shape} must equal input shape "
                         f"{input.shape} (one target per prediction); reshape one of them")


class BinaryCrossEntropy(Function):
    """Element-wise ``ℓ = −(t·log p + (1 − t)·log(1 − p))`` for probabilities ``p``.

    As PyTorch, each log is clamped at −100, so ``p = 0`` or ``p = 1`` give a finite loss
    (at most 100) instead of infinity. Backward (PyTorch's formulas):

        ∂ℓ/∂p = (p − t) / max(p(1 − p), 1e−12)
        ∂ℓ/∂t = log(1 − p) − log p          (unclamped: ±inf at p = 0 or 1)
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, probs, target):
        ctx.save_for_backward(probs, target)
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            log_p = np.maximum(np.log(probs), -100.0)
            log_1mp = np.maximum(np.log1p(-probs), -100.0)
        return -(target * log_p + (1.0 - target) * log_1mp)

    @staticmethod
    def backward(ctx, grad):
        probs, target = ctx.saved_tensors
        grad_probs = grad * (probs - target) / xp.maximum(probs * (1.0 - probs), 1e-12)
        grad_target = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_target = grad * (xp.log1p(-probs) - xp.log(probs))
        return grad_probs, grad_target


def binary_cross_entropy(input, target, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1] and targets ``target`` in
    [0, 1] (same shape): ``ℓ_i = −(t_i log p_i + (1 − t_i) log(1 − p_i))``, logs clamped at
    −100 as PyTorch. Prefer :func:`binary_cross_entropy_with_logits` on raw scores: it is
    the same loss, computed without the sigmoid's rounding. Either argument outside [0, 1]
    (or nan) is refused: a target of 2 would give a loss that goes below 0 and a gradient
    that pushes the prediction out of range. Integer / bool 0-1 targets are accepted.

    >>> round(binary_cross_entropy(np.array([0.5]), np.array([1.0])).item(), 6)
    0.693147
    """
    _check_reduction(reduction, "binary_cross_entropy")
    probs = _as_tensor(input)
    target = _as_floating(target, probs)
    _same_shape(probs, target, "binary_cross_entropy")
    for name, values, hint in (
            ("input", probs.data, "apply sigmoid first, or use binary_cross_entropy_with_logits "
                                  "on the raw scores"),
            ("target", target.data, "targets are probabilities: 0 or 1 for hard labels")):
        outside = (values < 0) | (values > 1) | np.isnan(values)
        if np.any(outside):
            raise ValueError(f"binary_cross_entropy: {name} must lie in [0, 1], got values "
                             f"such as {values[outside][:3]}; {hint}")
    return _reduce(BinaryCrossEntropy.apply(probs, target), reduction)


class BinaryCrossEntropyWithLogits(Function):
    """Element-wise ``ℓ = −(t·log σ(x) + (1 − t)·log(1 − σ(x)))`` for logits ``x``.

    Implemented form, PyTorch's (the same value, stable for any finite x — ``exp`` only of
    ``−|x| ≤ 0``; at x = ±inf the same inf or NaN as PyTorch):

        ℓ = (1 − t)·x − log σ(x),   log σ(x) = min(x, 0) − log(1 + e^{−|x|})

    Backward: ``∂ℓ/∂x = σ(x) − t`` and ``∂ℓ/∂t = −x``.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, logits, target):
        ctx.save_for_backward(logits, target)
        log_sigmoid = np.minimum(logits, 0.0) - np.log1p(np.exp(-np.abs(logits)))
        with np.errstate(invalid="ignore"):    # 0·inf and inf − inf at x = ±inf: NaN, as PyTorch
            return (1 - target) * logits - log_sigmoid

    @staticmethod
    def backward(ctx, grad):
        logits, target = ctx.saved_tensors
        return grad * (xp.sigmoid(logits) - target), -grad * logits


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy of raw scores ``input`` (logits, before the sigmoid) and targets
    in [0, 1] of the same shape; the stable form of ``binary_cross_entropy(sigmoid(x), t)``.

    >>> round(binary_cross_entropy_with_logits(np.array([0.0]), np.array([1.0])).item(), 6)
    0.693147
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    logits = _as_tensor(input)
    target = _as_floating(target, logits)
    _same_shape(logits, target, "binary_cross_entropy_with_logits")
    return _reduce(BinaryCrossEntropyWithLogits.apply(logits, target), reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` ``(N, C)`` (or ``(C,)``) and class
    indices ``target`` ``(N,)``: ``ℓ_n = −input[n, target_n]``, then reduced (mean over N).

    ``nll_loss(log_softmax(z), y)`` is ``cross_entropy(z, y)``. The loss picks one entry per
    row (a :class:`~tinygrad_edu.tensors.ops.shape.GetItem`), so its gradient is −1 there (÷N for the
    mean) and 0 elsewhere.

    ``weight``, ``ignore_index``, ``size_average`` and ``reduce`` as in :func:`cross_entropy`:
    ``ℓ_n = −w_{y_n} input[n, y_n]``, the mean divided by ``Σ w_{y_n}``, ignored samples
    counting for nothing.

    >>> round(nll_loss(np.log(np.array([[0.25, 0.75]])), np.array([1])).item(), 6)   # −log 0.75
    0.287682
    """
    reduction = _legacy_reduction(size_average, reduce, reduction, "nll_loss")
    _check_reduction(reduction, "nll_loss")
    input = _as_tensor(input)
    if input.ndim not in (1, 2):
        raise ValueError(f"nll_loss expects log-probabilities of shape (N, C) or (C,), got "
                         f"{input.shape}; reshape extra dimensions into N first")
    weight = _class_weight(weight, input, "nll_loss")
    target, ignore_index = _class_indices(target, input, "nll_loss", ignore_index)
    target, sample_weights = _sample_weights(target, weight, ignore_index,
                                             input.dtype if input.dtype.kind == "f" else
                                             np.float64)
    picked = input[target] if input.ndim == 1 else input[np.arange(len(target)), target]
    if sample_weights is None:
        return _reduce(-picked, reduction)
    if sample_weights.ignored.any():   # skipped, as PyTorch: a nan there is not 0·nan = nan
        picked = where(Tensor(sample_weights.ignored), 0.0, picked)
    if reduction == "mean":
        # Σ −w_n·x_n / Σ w_n, written with each sample's factor w_n / Σw (exactly 0 where
        # ignored), so that the gradient is as PyTorch's even when Σw = 0 (the value is nan)
        loss = (-picked * sample_weights.mean_factors).sum()
        return loss + np.nan if sample_weights.total == 0 else loss
    return _reduce(-picked * sample_weights.values, reduction)


def dropout(input, p=0.5, training=True):
    """Zero each element with probability ``p`` and scale the rest by ``1/(1 − p)``, so the
    expected value is unchanged; with ``training=False``, the input itself.

    The mask is drawn from the library's generator (``manual_seed`` reproduces it); it is a
    constant factor, so the gradient is the same mask: 0 where dropped, ``1/(1 − p)`` elsewhere.

    >>> dropout(np.ones(4), p=0.5, training=False).data
    array([1., 1., 1., 1.])
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    input = _as_tensor(input)
    if not training or p == 0:
        return input
    if p == 1:  # everything dropped (1/(1 − p) would be inf, and 0·inf = nan)
        return input * np.zeros(input.shape, dtype=input.dtype)
    keep = generator().random(input.shape) >= p
    return input * (keep * (1.0 / (1.0 - p))).astype(input.dtype, copy=False)


# ----------------------------------------------------------------------- convolution and pooling
def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D convolution (PyTorch's cross-correlation) of ``input`` ``(N, C, H, W)`` or
    ``(C, H, W)`` with ``weight`` ``(out_channels, C, kH, kW)``, plus ``bias``
    ``(out_channels,)``; ``stride`` and ``padding`` (zeros) are an int or a pair (height, width).

        out[n, o, y, x] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] · in[n, c, s·y + i, s·x + j]

    Output ``(N, out_channels, OH, OW)`` with ``OH = (H + 2·padding − kH) // stride + 1``.
    Computed by im2col and one matrix product (:mod:`tinygrad_edu.tensors.ops.conv`), so
    autograd derives its first and second derivatives.

    >>> image = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(image, np.ones((1, 1, 2, 2)), stride=2).data     # sums of 2×2 blocks
    array([[[[10., 18.],
             [42., 50.]]]])
    """
    weight = _as_tensor(weight)
    return _conv.conv2d(_as_floating(input, weight), weight,
                        None if bias is None else _as_tensor(bias), stride, padding)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """The maximum of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` or
    ``(C, H, W)``, windows moved by ``stride`` (default ``kernel_size``: no overlap), the input
    padded with −inf by ``padding`` (at most half the kernel). The gradient of each output goes
    to the window's maximum — the first one, row by row, when several tie (as PyTorch).

    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).data
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    return _conv.max_pool2d(_as_tensor(input), kernel_size, stride, padding)


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """The mean of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` or ``(C, H, W)``,
    windows moved by ``stride`` (default ``kernel_size``), the input padded with zeros by
    ``padding`` (at most half the kernel); padded zeros count in the mean (PyTorch's default
    ``count_include_pad=True``). Each output's gradient is shared equally by its window.

    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).data
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    """
    return _conv.avg_pool2d(_as_tensor(input), kernel_size, stride, padding)


def adaptive_avg_pool2d(input, output_size):
    """Average ``input`` ``(N, C, H, W)`` or ``(C, H, W)`` down to ``output_size`` (a number,
    a pair, or a pair with None: keep that side): you name the output's size, not the
    window's. Output row i is the mean of input rows ⌊i·H/h⌋ to ⌈(i+1)·H/h⌉ − 1 (PyTorch's
    bins: they cover every row, and overlap when h does not divide H); columns likewise.
    ``output_size=1`` is the global average pool. When the sides divide evenly, the bins are
    the windows of :func:`avg_pool2d` with kernel ``(H/h, W/w)``, which computes it.

    >>> adaptive_avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 1).data
    array([[[[7.5]]]])
    >>> adaptive_avg_pool2d(np.arange(9.0).reshape(1, 3, 3), 2).data   # overlapping bins
    array([[[2., 3.],
            [5., 6.]]])
    """
    x = _as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d expects (N, C, H, W) or (C, H, W), "
                         f"got shape {tuple(x.shape)}")
    height, width = x.shape[-2:]
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be a number or a pair, "
                         f"got {output_size!r}")
    out_h, out_w = (side if size is None else size for size, side in zip(sizes, (height, width)))
    for size in (out_h, out_w):
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"adaptive_avg_pool2d: output_size must be positive integers "
                             f"(or None), got {output_size!r}")
    if height % out_h == 0 and width % out_w == 0:
        return avg_pool2d(x, (height // out_h, width // out_w))
    rows = [(i * height // out_h, -(-(i + 1) * height // out_h)) for i in range(out_h)]
    cols = [(j * width // out_w, -(-(j + 1) * width // out_w)) for j in range(out_w)]
    return stack([stack([x[..., r0:r1, c0:c1].mean(dim=(-2, -1)) for c0, c1 in cols], dim=-1)
                  for r0, r1 in rows], dim=-2)
