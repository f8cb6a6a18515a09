"""Reductions: ``Sum`` and ``Max`` over an axis (an int, a tuple of ints, or None for all).

A reduction's backward sends the output gradient back to every input element that fed it.
For ``Sum`` each element contributed with weight 1, so the gradient is simply *broadcast*
back: the mirror image of broadcasting in the forward pass, whose backward is a sum
(see :mod:`~tinygrad_edu.ops.broadcast`). ``mean`` is ``sum / n`` (in ``Tensor.mean``).
"""
import numpy as np

from ..function import Function

__all__ = ["Sum", "Max", "normalize_axis"]


def normalize_axis(axis, ndim):
    """``axis`` (None, an int or a tuple, negatives allowed) as a sorted tuple of axes.

    >>> normalize_axis(-1, 3), normalize_axis((0, -1), 3), normalize_axis(None, 2)
    ((2,), (0, 2), (0, 1))
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimension(s) "
                             f"(valid: {-ndim} to {ndim - 1})")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis!r} names the same dimension twice")
    return tuple(sorted(normalized))


def _expand(grad, axes, keepdims, shape):
    """The output gradient with the reduced axes put back (length 1), broadcast to ``shape``."""
    if not keepdims:
        grad = grad.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return np.broadcast_to(grad, shape)  # a read-only view: no copy of the data


class Sum(Function):
    """out = Σ_{axes} x;   ∂out/∂x[i] = 1 for every summed element: the gradient is broadcast back."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axes = normalize_axis(axis, x.ndim)
        ctx.keepdims, ctx.shape = keepdims, x.shape
        return np.sum(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return _expand(grad, ctx.axes, ctx.keepdims, ctx.shape)


class Max(Function):
    """out = max_{axes} x;   ∂out/∂x[i] = 1/k if x[i] is one of the k elements equal to the
    maximum, else 0.

    With a unique maximum the gradient goes to that one element. With ties the maximum is
    not differentiable; like ``torch.amax`` we split the gradient evenly between the tied
    elements (so the gradients still sum to the output's).
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        axes = normalize_axis(axis, x.ndim)
        out = np.max(x, axis=axes, keepdims=True)
        weights = (x == out).astype(x.dtype)                  # 1 at each maximum
        weights /= weights.sum(axis=axes, keepdims=True)      # 1/k with k tied maxima
        ctx.axes, ctx.keepdims = axes, keepdims
        ctx.save_for_backward(weights)
        return out if keepdims else out.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        (weights,) = ctx.saved_tensors
        return _expand(grad, ctx.axes, ctx.keepdims, weights.shape) * weights
