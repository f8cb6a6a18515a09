"""Reductions: ``Sum`` and ``Max`` over an axis (an int, a tuple of ints, or None for all,
as in NumPy, which also validates it).

A reduction's backward sends the output gradient back to every input element that fed it.
For ``Sum`` each element contributed with weight 1, so the gradient is simply *broadcast*
back: the mirror image of broadcasting in the forward pass, whose backward is a sum
(see :mod:`~tinygrad_edu.tensors.ops.broadcast`). ``mean`` is ``sum / n`` (in ``Tensor.mean``).
"""
import numpy as np

from ..function import Function
from . import xp

__all__ = ["Sum", "Max"]

_AxisError = getattr(np, "exceptions", np).AxisError  # np.exceptions is NumPy >= 1.25


def _reduce(method, x, axis):
    """``x.sum``/``x.max`` over ``axis`` with keepdims, with a clear message for a bad axis."""
    try:
        return method(axis=axis, keepdims=True)
    except _AxisError:
        raise ValueError(f"axis {axis!r} is out of range for a tensor with {x.ndim} "
                         f"dimension(s) (shape {x.shape}); valid axes are {-x.ndim} to "
                         f"{x.ndim - 1}") from None


class Sum(Function):
    """out = Σ_{axes} x;   ∂out/∂x[i] = 1 for every summed element: the gradient is broadcast back."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        out = _reduce(x.sum, x, axis)  # reduced axes kept as 1s: backward needs them
        ctx.keep_shape, ctx.shape = out.shape, x.shape
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        # Put the reduced axes back (as 1s), then broadcast (for arrays a view: no copy).
        return xp.broadcast_to(grad.reshape(ctx.keep_shape), ctx.shape)


class Max(Function):
    """out = max_{axes} x;   ∂out/∂x[i] = 1/k if x[i] is one of the k elements equal to the
    maximum, else 0.

    With a unique maximum the gradient goes to that one element. With ties the maximum is
    not differentiable; like ``torch.amax`` we split the gradient evenly between the tied
    elements (so the gradients still sum to the output's).
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        out = _reduce(x.max, x, axis)
        ctx.keep_shape = out.shape
        if ctx.needs_input_grad[0]:   # (an integer tensor never needs it)
            weights = (x == out).astype(x.dtype)                  # 1 at each maximum
            weights /= weights.sum(axis=axis, keepdims=True)      # 1/k with k tied maxima
            ctx.weights = weights   # a constant: max is piecewise linear
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.keep_shape) * ctx.weights  # broadcasting does the expansion
