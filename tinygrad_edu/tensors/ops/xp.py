"""``xp``: the array namespace every backward rule is written against — one rule, two worlds.

Tanh's backward is ``grad * (1 - out * out)``. Those operators mean the same thing on NumPy
arrays and on Tensors, so the one line serves both calls of a rule:

* ``backward()`` (and ``autograd.grad`` without ``create_graph``) runs it on **arrays**: plain
  NumPy arithmetic, nothing recorded, as fast as a hand-written backward;
* ``autograd.grad(..., create_graph=True)`` runs it on **Tensors** (see
  :func:`~tinygrad_edu.tensors.function.chain_rule`): every operation of the rule is itself
  recorded, so the gradient can be differentiated again (Hessians, ``gradgradcheck``).

Where a rule needs a *function* rather than an operator, it takes it from here. Each function
looks at its argument and does the NumPy thing for arrays and the Tensor operation for
Tensors — the idea of the Python array-API standard's ``array_namespace(x)``, in a dozen
lines. A constant such as ``sign(x)`` (the slope of ``abs``) stays a constant in both worlds:
its own derivative is zero.

>>> import numpy as np
>>> from tinygrad_edu import Tensor
>>> cos(np.array([0.0])), cos(Tensor([0.0]))
(array([1.]), Tensor([1.]))
"""
import math

import numpy as np

from ..tensor import Tensor

__all__ = ["exp", "log", "log1p", "sin", "cos", "sign", "sigmoid", "softmax", "log_softmax", "where",
           "maximum", "broadcast_to", "permute", "swap_last_axes", "cast", "scatter_add",
           "matmul", "im2col", "col2im"]


def exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def log1p(x):
    """log(1 + x); on Tensors as ``log(1 + x)`` (NumPy's log1p is more exact near 0)."""
    return (1 + x).log() if isinstance(x, Tensor) else np.log1p(x)


def sin(x):
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x):
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def sigmoid(x):
    """σ(x) = 1/(1 + e⁻ˣ), never overflowing (for arrays: exp of −log(1 + e⁻ˣ))."""
    return x.sigmoid() if isinstance(x, Tensor) else np.exp(-np.logaddexp(0.0, -x))


def softmax(x, axis, precomputed=None):
    """e^x / Σ e^x along ``axis``, shifted by the maximum so that exp never overflows.

    ``precomputed``: the same array, if the forward pass made it already. On arrays it is
    reused; on Tensors softmax is computed again, as an op, so that it is recorded."""
    if isinstance(x, Tensor):
        return x.softmax(axis=axis)
    if precomputed is not None:
        return precomputed
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis):
    """x − log Σ e^x along ``axis``, computed stably."""
    if isinstance(x, Tensor):
        return x.log_softmax(axis=axis)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def sign(x):
    """−1, 0 or 1 per element: a constant (its derivative is 0), an array in both worlds."""
    return np.sign(x.data if isinstance(x, Tensor) else x)


def where(condition, a, b):
    """``a`` where ``condition`` (a constant bool array) holds, else ``b``."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Where.apply(condition, a, b)
    if _is_zero_like(b, a):   # ReLU's, max's and where's backward: grad or 0
        return where_zero(condition, a)   # (the same numbers, without a branch per element)
    return np.where(condition, a, b)


def _is_zero_like(b, a):
    """``b`` is a +0 that ``np.where(c, a, b)`` would not widen ``a``'s dtype for."""
    if type(b) is int or type(b) is float:
        return b == 0 and not math.copysign(1, b) < 0
    return (isinstance(b, np.floating) and b == 0 and not np.signbit(b)
            and b.dtype == getattr(a, "dtype", None))


def maximum(x, floor):
    """The larger of ``x`` and the number ``floor``, element by element."""
    if isinstance(x, Tensor):
        return Where.apply(x.data > floor, x, floor)
    if type(floor) is int and floor == 0:   # ReLU's max(x, 0) (an int 0 keeps x's dtype)
        return maximum_zero(x)              # (the same numbers, in NumPy's vector loop)
    return np.maximum(x, floor)


def broadcast_to(x, shape):
    """``x`` repeated to ``shape`` (for arrays a read-only view: nothing copied)."""
    return BroadcastTo.apply(x, shape=shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)


def permute(x, axes):
    """The axes of ``x`` reordered: result axis i is x's axis ``axes[i]`` (None reverses them)."""
    return Transpose.apply(x, axes=axes) if isinstance(x, Tensor) else x.transpose(axes)


def swap_last_axes(x):
    """A (batch of) matrix transposed: the last two axes swapped."""
    if isinstance(x, Tensor):
        return Transpose.apply(x, axes=tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2))
    return x.swapaxes(-1, -2)


def cast(x, dtype):
    """``x`` as ``dtype`` (no copy when it already is)."""
    if isinstance(x, Tensor):
        return x if x.dtype == dtype else Cast.apply(x, dtype=dtype)
    return x.astype(dtype, copy=False)


def scatter_add(values, index, shape):
    """Zeros of ``shape`` with ``values`` added at ``index``: indexing's backward."""
    if isinstance(values, Tensor):
        return ScatterAdd.apply(values, index=index, shape=shape)
    return scatter_add_arrays(values, index, shape)


def matmul(left, right, like):
    """``left @ right``: the gradient of the matrix ``like``. For arrays it may be computed in
    another memory order so that it comes out laid out like ``like`` — the same numbers (see
    :func:`tinygrad_edu.fast.layout.product_like`)."""
    if isinstance(left, Tensor) or isinstance(right, Tensor):
        return left @ right
    return product_like(left, right, like)


def im2col(x, kernel_size, stride, padding):
    """The sliding windows of ``x`` ``(N, C, H, W)`` as ``(N, C, kH, kW, OH, OW)``:
    Col2Im's backward (see :mod:`.conv`)."""
    if isinstance(x, Tensor):
        return Im2Col.apply(x, kernel_size=kernel_size, stride=stride, padding=padding)
    return im2col_arrays(x, kernel_size, stride, padding)


def col2im(cols, shape, stride, padding):
    """Windows ``(N, C, kH, kW, OH, OW)`` added back into an image of ``shape``: Im2Col's
    backward (overlapping windows add up)."""
    if isinstance(cols, Tensor):
        return Col2Im.apply(cols, shape=shape, stride=stride, padding=padding)
    return col2im_arrays(cols, shape, stride, padding)


# The ops these functions record are defined with the rules that use this namespace.
from ...fast.layout import product_like  # noqa: E402
from ...fast.select import maximum_zero, where_zero  # noqa: E402
from .broadcast import BroadcastTo  # noqa: E402
from .conv import Col2Im, Im2Col, col2im_arrays, im2col_arrays  # noqa: E402
from .shape import ScatterAdd, Transpose, Where, scatter_add_arrays  # noqa: E402
from .unary import Cast  # noqa: E402
