"""Reductions: ``Sum`` and ``Max`` over an axis (an int, a tuple of ints, or None for all,
as in NumPy, which also validates it).

A reduction's backward sends the output gradient back to every input element that fed it.
For ``Sum`` each element contributed with weight 1, so the gradient is simply *broadcast*
back: the mirror image of broadcasting in the forward pass, whose backward is a sum
(see :mod:`~tinygrad_edu.tensors.ops.broadcast`). ``mean`` is ``sum / n`` (:func:`mean`).

float16, as PyTorch: sums are accumulated in float32 and rounded once at the end, and a
mean is summed and divided in float32 (70,000 halves of 0.5 sum to 35,000, but the count
70,000 itself is beyond float16's largest number, 65,504).
"""
import numpy as np

from ..function import Function
from . import xp

__all__ = ["Sum", "Max", "mean"]

_AxisError = getattr(np, "exceptions", np).AxisError  # np.exceptions is NumPy >= 1.25


def _reduce(method, x, axis, **options):
    """``x.sum``/``x.max`` over ``axis`` with keepdims, with a clear message for a bad axis."""
    try:
        return method(axis=axis, keepdims=True, **options)
    except _AxisError:
        raise ValueError(f"axis {axis!r} is out of range for a tensor with {x.ndim} "
                         f"dimension(s) (shape {x.shape}); valid axes are {-x.ndim} to "
                         f"{x.ndim - 1}") from None


class Sum(Function):
    """out = Σ_{axes} x;   ∂out/∂x[i] = 1 for every summed element: the gradient is broadcast back."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        if x.dtype == np.float16:   # accumulate in float32, round once (as PyTorch)
            with np.errstate(over="ignore"):   # beyond 65,504: inf, as PyTorch (silently)
                out = _reduce(x.sum, x, axis, dtype=np.float32).astype(np.float16)
        elif x.dtype.kind == "u":   # unsigned sums are int64, as PyTorch's (NumPy: uint64,
            out = _reduce(x.sum, x, axis, dtype=np.int64)   # where -s wraps to 2**64 - s)
        else:
            out = _reduce(x.sum, x, axis)  # reduced axes kept as 1s: backward needs them
        ctx.keep_shape, ctx.shape = out.shape, x.shape
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        # Put the reduced axes back (as 1s), then broadcast (for arrays a view: no copy).
        return xp.broadcast_to(grad.reshape(ctx.keep_shape), ctx.shape)


class Max(Function):
    """out = max_{axes} x;   ∂out/∂x[i] = 1/k if x[i] is one of the k elements equal to the
    maximum, else 0. With ``largest=False`` the same for the minimum (``min``, ``amin``).

    With a unique maximum the gradient goes to that one element. With ties the maximum is
    not differentiable; like ``torch.amax`` we split the gradient evenly between the tied
    elements (so the gradients still sum to the output's).

    NaN, as PyTorch: a NaN is the maximum of its slice. ``max()`` (``nan_shares=True``)
    splits the gradient between that slice's k NaNs, 1/k each; ``amax`` compares
    ``x == out``, which no NaN passes, so its 0/0 gives NaN to every element of the slice.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False, nan_shares=False, largest=True):
        out = _reduce(x.max if largest else x.min, x, axis)   # largest=False: the minimum
        ctx.keep_shape = out.shape
        if ctx.needs_input_grad[0]:   # (an integer tensor never needs it)
            hits = x == out                                       # 1 at each maximum
            if nan_shares:
                hits |= np.isnan(x) & np.isnan(out)               # ... or each NaN of a NaN max
            weights = hits.astype(x.dtype)
            with np.errstate(invalid="ignore"):                   # 0/0 = NaN: amax at a NaN
                weights /= weights.sum(axis=axis, keepdims=True)  # 1/k with k tied maxima
            ctx.weights = weights   # a constant: max is piecewise linear
            ctx.nan_shares = nan_shares
        return out if keepdims else out.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        shares = grad.reshape(ctx.keep_shape) * ctx.weights  # broadcasting does the expansion
        if ctx.nan_shares:   # max(): as PyTorch, a NaN from above reaches only the maxima
            return xp.where(ctx.weights != 0, shares, 0)
        return shares


def mean(x, axis=None, keepdims=False):
    """The mean over ``axis``: ``sum / n`` with n the number of elements averaged (an int, so
    it keeps the dtype). float16 is cast to float32 first and the result rounded back once,
    as PyTorch computes it; the casts are ops, so the gradient is float16 too."""
    half = x.dtype == np.float16
    if half:
        x = Cast.apply(x, dtype=np.float32)
    total = Sum.apply(x, axis=axis, keepdims=keepdims)
    out = Div.apply(total, x.data.size // max(total.data.size, 1))
    return Cast.apply(out, dtype=np.float16) if half else out


from .arithmetic import Div  # noqa: E402  (beside Sum: mean is sum / n)
from .unary import Cast  # noqa: E402
