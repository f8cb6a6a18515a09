"""Shape operations: ``Reshape``, ``Transpose``, ``GetItem`` (indexing), ``Cat`` (joining)
and ``Where`` (choosing element by element).

They move numbers around without changing them, so their backward moves the gradient back to
where each number came from: reshape back, transpose with the inverse permutation, for
indexing scatter into zeros of the input's shape, for joining cut the gradient into the
pieces, and for choosing send each element's gradient to the input it was taken from.
"""
import numpy as np

from ..function import Function
from .broadcast import sum_to_shape, sum_to_shape_tensor

__all__ = ["Reshape", "Transpose", "GetItem", "ScatterAdd", "Cat", "Where"]

_AxisError = getattr(np, "exceptions", np).AxisError  # np.exceptions is NumPy >= 1.25


class Reshape(Function):
    """out = x viewed with a new shape (same elements, same order);   backward: reshape back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x.reshape(shape)  # NumPy checks the sizes, but takes any negative length as -1
        dims = shape if isinstance(shape, (tuple, list)) else (shape,)
        if dims and min(dims) < -1:
            raise ValueError(f"shape {tuple(dims)} has a dimension below -1: only -1 (the one "
                             f"dimension to infer) may be negative, as in PyTorch")
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
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

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return Transpose.apply(grad, axes=ctx.inverse)


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
        return _scatter_add(grad, ctx.index, ctx.shape, ctx.dtype, ctx.advanced)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return ScatterAdd.apply(grad, index=ctx.index, shape=ctx.shape)


def _scatter_add(values, index, shape, dtype, advanced):
    """Zeros of ``shape`` with ``values`` added at ``index`` (GetItem's backward)."""
    full = np.zeros(shape, dtype=dtype)
    if advanced:
        np.add.at(full, index, values)  # repeated indices accumulate
    else:
        full[index] = values  # basic indexing never picks an element twice
    return full


class ScatterAdd(Function):
    """out = zeros(shape) with ``values`` added at ``index``: GetItem's backward as an op, for
    second derivatives. Its own backward is indexing again: out[index] = values there."""

    @staticmethod
    def forward(ctx, values, index, shape):
        ctx.index = index
        return _scatter_add(values, index, shape, values.dtype, _is_advanced(index))

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]

    @staticmethod
    def differentiable_backward(ctx, grad, out, values):
        return GetItem.apply(grad, index=ctx.index)


class Cat(Function):
    """out = the inputs joined along ``axis`` (``np.concatenate``);
    backward: cut the gradient back into pieces of the inputs' lengths along that axis."""
    shape_hint = "cat needs tensors whose shapes agree except along the joining dimension."

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        try:
            out = np.concatenate(arrays, axis=axis)
        except _AxisError:
            raise ValueError(f"dim {axis} is out of range for tensors of {np.ndim(arrays[0])} "
                             f"dimension(s)") from None
        ctx.axis = axis
        ctx.ends = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]  # where each piece ends
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.ends, axis=ctx.axis))

    @staticmethod
    def differentiable_backward(ctx, grad, out, *inputs):
        # The same cut, as one slice (a GetItem) per piece.
        starts = [0, *ctx.ends]
        ends = [*ctx.ends, grad.shape[ctx.axis]]
        before = (slice(None),) * (ctx.axis % grad.ndim)
        return tuple(grad[before + (slice(start, end),)] for start, end in zip(starts, ends))


class Where(Function):
    """out = a where ``condition`` else b (element-wise, broadcasting, ``np.where``);

        ∂out/∂a = 1 where the condition holds, else 0;   ∂out/∂b = the opposite,

    each summed back to its operand's shape. The condition (a bool array) is a constant.
    """
    shape_hint = ("Broadcasting compares shapes from the right: each pair of dimensions "
                  "must be equal, or one of them 1.")

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition, ctx.shapes = condition, (np.shape(a), np.shape(b))
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        _, need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        return (None,
                sum_to_shape(np.where(ctx.condition, grad, 0), a_shape) if need_a else None,
                sum_to_shape(np.where(ctx.condition, 0, grad), b_shape) if need_b else None)

    @staticmethod
    def differentiable_backward(ctx, grad, out, condition, a, b):
        _, need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        return (None,
                sum_to_shape_tensor(Where.apply(ctx.condition, grad, 0.0), a_shape)
                if need_a else None,
                sum_to_shape_tensor(Where.apply(ctx.condition, 0.0, grad), b_shape)
                if need_b else None)
