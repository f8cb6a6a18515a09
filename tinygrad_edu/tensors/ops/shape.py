"""Shape operations: ``Reshape``, ``Transpose``, ``GetItem`` (indexing), ``Cat`` (joining)
and ``Where`` (choosing element by element).

They move numbers around without changing them, so their backward moves the gradient back to
where each number came from: reshape back, transpose with the inverse permutation, for
indexing scatter into zeros of the input's shape, for joining cut the gradient into the
pieces, and for choosing send each element's gradient to the input it was taken from.
"""
import numpy as np

from ..function import Function
from . import xp
from ..inplace import drop_leading_ones
from .broadcast import sum_to_shape

__all__ = ["Reshape", "Transpose", "GetItem", "SetItem", "ScatterAdd", "Cat", "Where",
           "scatter_add_arrays"]

_AxisError = getattr(np, "exceptions", np).AxisError  # np.exceptions is NumPy >= 1.25


class Reshape(Function):
    """out = x viewed with a new shape (same elements, same order);   backward: reshape back."""
    twice_differentiable = True

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


class Transpose(Function):
    """out = x with its axes permuted: out.shape[i] = x.shape[axes[i]];
    backward: permute back with the inverse permutation (argsort of ``axes``)."""
    twice_differentiable = True

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
        return xp.permute(grad, ctx.inverse)


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
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape = index, x.shape
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        return xp.scatter_add(grad, ctx.index, ctx.shape)


class SetItem(Function):
    """out = x with out[index] = value (``value`` broadcast to the shape of ``x[index]``):
    ``t[index] = value`` as an op, recorded when a tensor changed in place is in a graph.

        ∂out/∂x = 1 except at ``index``, where x was overwritten (0);
        ∂out/∂value = 1 at ``index`` (summed back to value's shape, which broadcasting stretched).
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, value, index):
        out = x.copy()
        ctx.value_shape = ctx.fitted_shape = np.shape(value)
        try:
            out[index] = value
        except ValueError:   # t[0] = tensor([5.]), as PyTorch
            value = drop_leading_ones(value)
            out[index], ctx.fitted_shape = value, np.shape(value)
        ctx.index, ctx.shape = index, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, need_value = ctx.needs_input_grad
        grad_x = grad_value = None
        if need_x:
            kept = np.ones(ctx.shape, dtype=grad.dtype)
            kept[ctx.index] = 0       # a constant mask: the overwritten elements get nothing
            grad_x = grad * kept
        if need_value:
            grad_value = sum_to_shape(grad[ctx.index], ctx.fitted_shape)
            if ctx.fitted_shape != ctx.value_shape:
                grad_value = grad_value.reshape(ctx.value_shape)
        return grad_x, grad_value


def scatter_add_arrays(values, index, shape):
    """Zeros of ``shape`` with the array ``values`` added at ``index`` (GetItem's backward)."""
    full = np.zeros(shape, dtype=values.dtype)
    if _is_advanced(index):
        np.add.at(full, index, values)  # repeated indices accumulate
    else:
        full[index] = values  # basic indexing never picks an element twice
    return full


class ScatterAdd(Function):
    """out = zeros(shape) with ``values`` added at ``index``: GetItem's backward as an op, for
    second derivatives. Its own backward is indexing again: out[index] = values there."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, values, index, shape):
        ctx.index = index
        return scatter_add_arrays(values, index, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]


class Cat(Function):
    """out = the inputs joined along ``axis`` (``np.concatenate``);
    backward: cut the gradient back into pieces of the inputs' lengths along that axis."""
    twice_differentiable = True
    shape_hint = "cat needs tensors whose shapes agree except along the joining dimension."

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        try:
            out = np.concatenate(arrays, axis=axis)
        except _AxisError:
            raise ValueError(f"dim {axis} is out of range for tensors of {np.ndim(arrays[0])} "
                             f"dimension(s)") from None
        ctx.axis = axis
        ends = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]  # where each piece ends
        ctx.ends = [int(end) for end in ends]   # numbers, not an array: kept after backward
        return out

    @staticmethod
    def backward(ctx, grad):
        starts, ends = [0, *ctx.ends], [*ctx.ends, grad.shape[ctx.axis]]
        before = (slice(None),) * (ctx.axis % grad.ndim)   # every axis before the joined one
        return tuple(grad[before + (slice(start, end),)] for start, end in zip(starts, ends))


class Where(Function):
    """out = a where ``condition`` else b (element-wise, broadcasting, ``np.where``);

        ∂out/∂a = 1 where the condition holds, else 0;   ∂out/∂b = the opposite,

    each summed back to its operand's shape. The condition (a bool array) is a constant.
    """
    twice_differentiable = True
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
        zero = grad.dtype.type(0)   # (a float32 gradient stays float32)
        return (None,
                sum_to_shape(xp.where(ctx.condition, grad, zero), a_shape) if need_a else None,
                sum_to_shape(xp.where(ctx.condition, zero, grad), b_shape) if need_b else None)
