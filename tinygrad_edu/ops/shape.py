"""Shape operations: ``Reshape``, ``Transpose`` and ``GetItem`` (indexing).

They move numbers around without changing them, so their backward moves the gradient back to
where each number came from: reshape back, transpose with the inverse permutation, and for
indexing, scatter into zeros of the input's shape.
"""
import numpy as np

from ..function import Function

__all__ = ["Reshape", "Transpose", "GetItem"]


class Reshape(Function):
    """out = x viewed with a new shape (same elements, same order);   backward: reshape back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Transpose(Function):
    """out = x with its axes permuted: out.shape[i] = x.shape[axes[i]];
    backward: permute back with the inverse permutation (argsort of ``axes``)."""

    @staticmethod
    def forward(ctx, x, axes=None):
        out = x.transpose(axes)  # NumPy validates the axes; None reverses them
        if axes is None:
            ctx.inverse = None  # reversing is its own inverse
        else:  # axis axes[i] moved to position i, so position i goes back to axes[i]
            ctx.inverse = [0] * x.ndim
            for i, axis in enumerate(axes):
                ctx.inverse[axis] = i
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.inverse)


def _is_advanced(index):
    """True if ``index`` uses integer/boolean arrays (NumPy "advanced" indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (np.ndarray, list)) for p in parts)


class GetItem(Function):
    """out = x[index] (ints, slices, None, ..., integer or boolean arrays).

    Backward: ∂L/∂x is zero except where elements were picked, which receive the gradient of
    their copy in ``out``. An element picked twice (``x[[0, 0]]``) was used twice, so its
    gradients are *added*: ``np.add.at`` does that, where ``g[index] += grad`` would keep only
    one of them (NumPy buffers the repeated writes).
    """

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape, ctx.dtype = index, x.shape, x.dtype
        ctx.advanced = _is_advanced(index)
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, dtype=ctx.dtype)
        if ctx.advanced:
            np.add.at(full, ctx.index, grad)  # repeated indices accumulate
        else:
            full[ctx.index] = grad  # basic indexing never picks an element twice
        return full
