"""PyTorch's top-level functions for making and joining Tensors: ``tensor``, ``zeros``,
``ones``, ``randn``, ``arange``, ``zeros_like``, ``ones_like``, ``cat``, ``stack``, ``where``.

``import tinygrad_edu as torch`` then ``torch.zeros(2, 3)`` works as it does with PyTorch.
As with ``torch.tensor``, ``tinygrad_edu.tensor`` is the function below; the module that
defines the class is still imported by name: ``from tinygrad_edu.tensor import Tensor``.
``cat`` and ``where`` are operations (:class:`~tinygrad_edu.tensors.ops.shape.Cat`,
:class:`~tinygrad_edu.tensors.ops.shape.Where`); ``stack`` is ``unsqueeze`` + ``cat``.

>>> import tinygrad_edu as torch
>>> a = torch.tensor([1.0, 2.0], requires_grad=True)
>>> torch.stack([a, 2 * a]).shape, torch.cat([a, a]).shape
((2, 2), (4,))
>>> torch.where(a > 1.5, a, torch.zeros_like(a))
Tensor([0., 2.], requires_grad=True, op='Where', grad=None)
>>> torch.arange(4), torch.arange(0.0, 1.0, 0.25)
(Tensor([0, 1, 2, 3], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75]))
"""
import math
import numbers

import numpy as np

from .ops import Cat, Where
from .dtypes import _to_array, as_dtype, result_type
from .tensor import Tensor, get_default_dtype
from .shape import normalize_dim

__all__ = ["tensor", "zeros", "ones", "randn", "arange", "zeros_like", "ones_like", "cat",
           "stack", "where"]


def tensor(data, requires_grad=False, dtype=None):
    """``Tensor(data, requires_grad, dtype)``, PyTorch's spelling."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*size, requires_grad=False, dtype=None):
    """Zeros of shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``): ``Tensor.zeros``."""
    return Tensor.zeros(*size, requires_grad=requires_grad, dtype=dtype)


def ones(*size, requires_grad=False, dtype=None):
    """Ones of shape ``size``: ``Tensor.ones``."""
    return Tensor.ones(*size, requires_grad=requires_grad, dtype=dtype)


def randn(*size, requires_grad=False, dtype=None):
    """Standard normal samples from the library's seeded generator: ``Tensor.randn``."""
    return Tensor.randn(*size, requires_grad=requires_grad, dtype=dtype)


def arange(start, end=None, step=1, *, dtype=None, requires_grad=False):
    """``start, start + step, ...`` up to but excluding ``end`` (``arange(n)``: 0 .. n−1).

    As PyTorch: int64 when every argument is an integer, else the default dtype; there are
    ⌈(end − start) / step⌉ elements, element i being ``start + i·step`` (NumPy's ``arange``
    steps by a rounded difference instead, which can differ in the last bit). With an integer
    ``dtype`` the three are first truncated to integers, as PyTorch does for int64, so
    ``arange(-1.5, 1.5, dtype=int64)`` counts from −1 to 1: ``[-1, 0]`` (counting 3 steps
    from −1.5 and truncating each would repeat 0).
    """
    if end is None:
        start, end = 0, start
    if dtype is not None and np.dtype(dtype).kind in "iub":
        truncated = tuple(int(v) for v in (start, end, step))   # int() rounds towards zero
        if truncated[2] == 0 and step != 0:
            raise ValueError(f"arange: step={step} is 0 as an integer (dtype {np.dtype(dtype)}),"
                             f" and the step must be nonzero; use a float dtype for fractional "
                             f"steps")
        start, end, step = truncated
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    integral = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = np.int64 if integral else get_default_dtype()
    n = max(math.ceil((end - start) / step), 0)
    if integral:
        data = start + step * np.arange(n, dtype=np.int64)
    else:
        data = start + step * np.arange(n, dtype=np.float64)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros_like(input, *, dtype=None, requires_grad=False):
    """Zeros of ``input``'s shape and dtype (or ``dtype``)."""
    dtype = input.dtype if dtype is None else dtype
    return Tensor(np.zeros(input.shape, dtype), requires_grad=requires_grad, dtype=dtype)


def ones_like(input, *, dtype=None, requires_grad=False):
    """Ones of ``input``'s shape and dtype (or ``dtype``)."""
    dtype = input.dtype if dtype is None else dtype
    return Tensor(np.ones(input.shape, dtype), requires_grad=requires_grad, dtype=dtype)


def _tensors(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{name} expects a non-empty list or tuple of Tensors, e.g. "
                        f"{name}([a, b], dim=0); got {type(tensors).__name__}")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def cat(tensors, dim=0):
    """Join ``tensors`` along the existing dimension ``dim``; the gradient is cut back into
    the pieces. Shapes must agree in every other dimension."""
    tensors = _tensors(tensors, "cat")
    target = result_type(*tensors)    # as PyTorch: int64 with float32 gives float32
    tensors = [as_dtype(t, target) for t in tensors]
    ndims = {t.ndim for t in tensors}
    if len(ndims) != 1 or 0 in ndims:
        raise ValueError(f"cat needs tensors with the same number (>= 1) of dimensions, got "
                         f"shapes {[t.shape for t in tensors]}; for 0-d tensors use stack")
    return Cat.apply(*tensors, axis=normalize_dim(dim, tensors[0].ndim, "cat"))


def stack(tensors, dim=0):
    """Join equally shaped ``tensors`` along a *new* dimension ``dim``: each is
    ``unsqueeze(dim)``-ed, then they are concatenated with :func:`cat`."""
    tensors = _tensors(tensors, "stack")
    shapes = [t.shape for t in tensors]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(f"stack expects tensors of equal shape, got {shapes}")
    dim = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other``, element by element (broadcasting).

    ``condition`` is a bool Tensor or array (a comparison such as ``x > 0``); ``input`` and
    ``other`` are Tensors or numbers, and each gets the gradient of the elements taken from it.
    """
    watched = (condition,) if isinstance(condition, Tensor) else ()
    condition = condition._data if watched else np.asarray(condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be a bool Tensor (e.g. x > 0), got dtype "
                        f"{condition.dtype}; compare it first, e.g. mask != 0")
    # As PyTorch, the result has the dtype a + b would have (numbers and 0-d tensors count
    # only by their category): where(mask, float32, 0.5) stays float32.
    input, other = (_to_array(x, None) if isinstance(x, (list, tuple)) else x
                    for x in (input, other))
    target = result_type(input, other)
    input, other = (as_dtype(x, target) if isinstance(x, Tensor) else
                    Tensor(np.asarray(x, dtype=target)) for x in (input, other))
    out = Where.apply(condition, input, other)
    if watched and out._ctx is not None:
        out._ctx.watched = watched   # its array is kept: a change in place makes backward raise
    return out
