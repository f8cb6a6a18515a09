"""Convolution and pooling on NCHW Tensors: ``Im2Col`` and ``Col2Im`` (windows as columns,
and back), then ``conv2d``, ``avg_pool2d`` and ``max_pool2d`` built on them.

A 2-D convolution slides a small kernel over the image and, at each position, takes the dot
product of the kernel with the window under it (N images, C channels, O filters)::

    out[n, o, y, x] = b[o] + Σ_{c, i, j} w[o, c, i, j] · in[n, c, s·y + i, s·x + j]

``in`` is the input with p rows/columns of zeros around it, ``s`` the stride. (As in PyTorch
the kernel is not flipped — strictly a cross-correlation; a learned kernel does not care.)
The output is ``OH × OW`` with ``OH = (H + 2p − kH) // s + 1``.

**im2col** ("image to columns") turns all those dot products into one matrix product: copy
each window into a column, lay each filter out as a row, multiply::

    one channel, 3×3           its 2×2 windows (stride 1)     cols: a column per window
                                                               (C·kH·kW rows, OH·OW columns)
      a b c                    [a b]   [b c]                      a b d e
      d e f          ──►       [d e]   [e f]          ──►         b c e f
      g h i                                                       d e g h
                               [d e]   [e f]                      e f h i
                               [g h]   [h i]

    filter [[w00, w01],   as a row   [w00 w01 w10 w11] @ cols = [o00 o01 o10 o11] ─► 2×2 out
            [w10, w11]]

In shapes (:func:`conv2d`)::

    cols = Im2Col(x)                           (N, C, kH, kW, OH, OW), seen as (N, C·kH·kW, OH·OW)
    out  = w.reshape(O, C·kH·kW) @ cols        (N, O, OH·OW),          seen as (N, O, OH, OW)

``e`` above sits in all four windows: it was *used four times*, so in backward (**col2im**)
the gradients of its four copies are *added* back into its place — the rule of a Value used
twice, of a broadcast operand, of ``x[[0, 0]]``. Copying out (im2col) and adding back
(col2im) are each other's transpose, so each is the other's backward: that pair is the only
new calculus here. ``conv2d`` is then a composition of ops that already exist (``Reshape``,
``MatMul``, ``Add``), so autograd derives its backward — ∂L/∂w = Σ_n grad_n @ cols_nᵀ,
∂L/∂x = col2im(wᵀ @ grad) — and its second derivatives, with no code of its own.

Pooling takes the same windows: ``avg_pool2d`` is their mean (composed too); ``max_pool2d``
their maximum, an op of its own (:class:`MaxPool2d`) whose backward sends each window's
gradient to the one element that won.
"""
import numpy as np

from ..function import Function
from . import xp

__all__ = ["Im2Col", "Col2Im", "MaxPool2d", "conv2d", "avg_pool2d", "max_pool2d",
           "im2col_arrays", "col2im_arrays", "pair"]


# ------------------------------------------------------------------- the windows, on arrays
def output_size(size, kernel, stride, padding):
    """How many windows fit along one axis: ``(size + 2·padding − kernel) // stride + 1``."""
    return (size + 2 * padding - kernel) // stride + 1


def im2col_arrays(x, kernel_size, stride, padding, fill=0):
    """The windows of ``x`` ``(N, C, H, W)`` as an array ``(N, C, kH, kW, OH, OW)``:
    ``cols[n, c, i, j, y, x] = padded[n, c, i + sH·y, j + sW·x]`` (padding filled with ``fill``).

    One copy per kernel position (kH·kW of them), each a strided slice: kernel row i meets
    input rows i, i + sH, i + 2·sH, ...

    >>> im2col_arrays(np.arange(9.0).reshape(1, 1, 3, 3), (2, 2), (1, 1), (0, 0)).reshape(4, 4)
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    n, c, h, w = x.shape
    oh, ow = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    return cols


def col2im_arrays(cols, shape, stride, padding):
    """Im2col's backward: zeros of ``shape`` ``(N, C, H, W)`` with every window element of
    ``cols`` ``(N, C, kH, kW, OH, OW)`` *added* back where it was copied from (windows that
    overlap add up; what fell on the padding is dropped)."""
    n, c, kh, kw, oh, ow = cols.shape
    (sh, sw), (ph, pw) = stride, padding
    h, w = shape[2], shape[3]
    image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            image[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += cols[:, :, i, j]
    if ph or pw:   # cut the padding off (a copy: the gradient owns its array)
        image = image[:, :, ph:ph + h, pw:pw + w].copy()
    return image


# ------------------------------------------------------------------- the two ops
class Im2Col(Function):
    """out = the windows of x as columns, ``(N, C, H, W) → (N, C, kH, kW, OH, OW)``
    (:func:`im2col_arrays`);   backward: col2im — each copy's gradient added back."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding):
        ctx.shape, ctx.stride, ctx.padding = x.shape, stride, padding
        return im2col_arrays(x, kernel_size, stride, padding)

    @staticmethod
    def backward(ctx, grad):
        return xp.col2im(grad, ctx.shape, ctx.stride, ctx.padding)


class Col2Im(Function):
    """out = the columns added back into an image of ``shape`` (:func:`col2im_arrays`):
    Im2Col's backward as an op, for second derivatives. Its own backward is im2col again."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, cols, shape, stride, padding):
        ctx.kernel_size, ctx.stride, ctx.padding = cols.shape[2:4], stride, padding
        return col2im_arrays(cols, shape, stride, padding)

    @staticmethod
    def backward(ctx, grad):
        return xp.im2col(grad, ctx.kernel_size, ctx.stride, ctx.padding)


class MaxPool2d(Function):
    """out = the maximum of each window;   ∂out/∂x = 1 at the window's winner, 0 elsewhere.

    The winner is the element PyTorch picks, scanning the window row by row and taking over
    on a strictly larger value or a NaN: so among tied maxima the *first* wins, a NaN beats
    everything (the last NaN, if several), and padding never wins (it is −inf, and even a
    real −inf comes before it). Backward: each window's gradient, placed on its winner by a
    one-hot mask (a constant: max-pooling is piecewise linear), added back by col2im —
    overlapping windows may send several gradients to one element.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding):
        lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        windows = im2col_arrays(x, kernel_size, stride, padding, fill=lowest)
        n, c, kh, kw, oh, ow = windows.shape
        flat = windows.reshape(n, c, kh * kw, oh, ow)   # one axis for each window's elements
        best = flat.max(axis=2)   # nan if the window holds one
        if ctx.needs_input_grad[0]:
            winners = _winners(flat, best, x.shape, kernel_size, stride, padding)
            ctx.onehot = winners.reshape(windows.shape)   # a constant: True at each winner
            ctx.shape, ctx.stride, ctx.padding = x.shape, stride, padding
        return best

    @staticmethod
    def backward(ctx, grad):
        spread = grad[:, :, None, None] * ctx.onehot   # (N, C, 1, 1, OH, OW) onto the winners
        return xp.col2im(spread, ctx.shape, ctx.stride, ctx.padding)


def _winners(flat, best, shape, kernel_size, stride, padding):
    """A mask of ``flat``'s shape ``(N, C, kH·kW, OH, OW)``: True at the element of each
    window that PyTorch's scan picks (see :class:`MaxPool2d`)."""
    candidates = flat == best[:, :, None]   # the maxima (none in a window whose best is nan)
    if any(padding):                        # padding is never a candidate
        real = im2col_arrays(np.ones((1, 1) + shape[2:], bool), kernel_size, stride, padding)
        candidates &= real.reshape((1, 1) + flat.shape[2:])
    winner = candidates.argmax(axis=2)      # the first of them
    nan = np.isnan(best) if best.dtype.kind == "f" else False
    if np.any(nan):                         # a NaN wins: the last one in its window
        last = flat.shape[2] - 1 - np.isnan(flat[:, :, ::-1]).argmax(axis=2)
        winner = np.where(nan, last, winner)
    return np.arange(flat.shape[2])[:, None, None] == winner[:, :, None]


# ------------------------------------------------------------------- arguments, checked
def pair(value, name, where):
    """An int or a pair of ints as a pair ``(height, width)``, as PyTorch's arguments."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   for v in values):
        raise TypeError(f"{where}: {name} must be an int or a pair of ints (height, width), "
                        f"got {value!r}")
    return tuple(int(v) for v in values)


def _batched(x, where):
    """``x`` as ``(N, C, H, W)`` and whether it came without the batch axis ``(C, H, W)``."""
    if x.ndim not in (3, 4):
        hint = (f"; a batch of flat images of {x.shape[-1]} pixels is x.reshape(N, C, H, W), "
                f"e.g. x.reshape(-1, 1, 28, 28)" if x.ndim == 2 else "")
        raise ValueError(f"{where}: expected a 4-D input (N, C, H, W) or a 3-D one (C, H, W), "
                         f"got shape {x.shape}{hint}")
    return (x.reshape(1, *x.shape), True) if x.ndim == 3 else (x, False)


def _check_stride_padding(stride, padding, where):
    if min(stride) < 1:
        raise ValueError(f"{where}: stride must be positive, got stride={stride}")
    if min(padding) < 0:
        raise ValueError(f"{where}: padding must be 0 or more, got padding={padding}")


# ------------------------------------------------------------------- the functions
def conv2d(x, weight, bias, stride, padding):
    """2-D convolution of Tensors ``x`` ``(N, C, H, W)`` (or ``(C, H, W)``) and ``weight``
    ``(O, C, kH, kW)``, plus ``bias`` ``(O,)``: an ``(N, O, OH, OW)`` Tensor, composed of
    Im2Col, Reshape, MatMul and Add (see the module docstring)."""
    where = "conv2d"
    stride, padding = pair(stride, "stride", where), pair(padding, "padding", where)
    _check_stride_padding(stride, padding, where)
    x, unbatched = _batched(x, where)
    if weight.ndim != 4:
        raise ValueError(f"{where}: weight must be 4-D (out_channels, in_channels, kH, kW), "
                         f"got shape {weight.shape}")
    o, c, kh, kw = weight.shape
    n, channels, h, w = x.shape
    if channels != c:
        raise ValueError(f"{where}: the input has {channels} channels (shape {x.shape} = "
                         f"(N, C, H, W)) but the weight {weight.shape} = (out, in, kH, kW) "
                         f"expects {c}; give the layer in_channels={channels}, or check the "
                         f"input's layout (channels come before height and width)")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"{where}: bias must have shape ({o},), one number per output "
                         f"channel of weight {weight.shape}; got {bias.shape}")
    padded = (h + 2 * padding[0], w + 2 * padding[1])
    if kh > padded[0] or kw > padded[1]:
        raise ValueError(f"{where}: the kernel {(kh, kw)} is larger than the padded input "
                         f"{padded} (input {x.shape}, padding {padding}); use a smaller "
                         f"kernel, more padding or a larger image")
    cols = Im2Col.apply(x, kernel_size=(kh, kw), stride=stride, padding=padding)
    oh, ow = cols.shape[4], cols.shape[5]
    out = weight.reshape(o, c * kh * kw) @ cols.reshape(n, c * kh * kw, oh * ow)
    out = out.reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out.reshape(o, oh, ow) if unbatched else out


def _pool_arguments(x, kernel_size, stride, padding, where):
    kernel = pair(kernel_size, "kernel_size", where)
    stride = kernel if stride is None else pair(stride, "stride", where)
    padding = pair(padding, "padding", where)
    if min(kernel) < 1:
        raise ValueError(f"{where}: kernel_size must be positive, got {kernel}")
    _check_stride_padding(stride, padding, where)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{where}: padding {padding} must be at most half the kernel "
                         f"{kernel} (a window must never hold padding only)")
    x, unbatched = _batched(x, where)
    h, w = x.shape[2:]
    if kernel[0] > h + 2 * padding[0] or kernel[1] > w + 2 * padding[1]:   # no window at all
        raise ValueError(f"{where}: the window {kernel} does not fit in the input {x.shape} "
                         f"with padding {padding}: the output would be empty; use a smaller "
                         f"kernel_size")
    return x, unbatched, kernel, stride, padding


def _unbatch(out, unbatched):
    return out.reshape(*out.shape[1:]) if unbatched else out


def max_pool2d(x, kernel_size, stride, padding):
    """The maximum of each ``kernel_size`` window, moved by ``stride`` (None: the kernel
    size, so windows do not overlap), over ``x`` padded with −inf: one :class:`MaxPool2d`."""
    x, unbatched, kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding,
                                                            "max_pool2d")
    return _unbatch(MaxPool2d.apply(x, kernel_size=kernel, stride=stride, padding=padding),
                    unbatched)


def avg_pool2d(x, kernel_size, stride, padding):
    """The mean of each window over ``x`` padded with zeros (the zeros count, as PyTorch's
    default ``count_include_pad=True``): Im2Col, then the mean over the kernel axes."""
    x, unbatched, kernel, stride, padding = _pool_arguments(x, kernel_size, stride, padding,
                                                            "avg_pool2d")
    windows = Im2Col.apply(x, kernel_size=kernel, stride=stride, padding=padding)
    return _unbatch(windows.mean(axis=(2, 3)), unbatched)
