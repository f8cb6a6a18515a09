"""Comparing and picking elements, as PyTorch: ``< <= > >= == !=``, ``argmax``/``argmin``,
``max(dim)``/``min(dim)`` with their indices, and ``clamp``.

Comparisons are element-wise and give a **bool** Tensor with no gradient (a step function
has derivative 0 wherever it has one): ``(pred == y).float().mean()`` is the accuracy. A
Tensor is still hashed by identity, so it can key a dict (an optimizer's state) or sit in a
set; but ``x in some_list`` now compares elements, as in PyTorch and NumPy — check identity
with ``any(x is p for p in some_list)``.

>>> from tinygrad_edu import Tensor
>>> logits = Tensor([[2.0, 0.5], [0.1, 0.3], [1.0, -1.0]])
>>> y = Tensor([0, 1, 1])
>>> logits.argmax(dim=1) == y
Tensor([ True,  True, False], dtype=bool)
>>> (logits.argmax(dim=1) == y).float().mean().item()     # the accuracy idiom
0.6666666865348816
>>> logits.max(1)                                         # PyTorch's (values, indices)
max(values=Tensor([2. , 0.3, 1. ]), indices=Tensor([0, 1, 0], dtype=int64))
"""
import collections
import numbers

import numpy as np

from .dtypes import _to_array, as_dtype, result_type
from .shape import normalize_dim

__all__ = ["CompareMixin", "values_and_indices"]

# PyTorch's torch.return_types.max / .min: a tuple that also has .values and .indices.
_RESULTS = {name: collections.namedtuple(name, ["values", "indices"]) for name in ("max", "min")}


class CompareMixin:
    """Comparisons, ``argmax``/``argmin`` and ``clamp``, mixed into ``Tensor``."""

    __slots__ = ()

    # Defining __eq__ would set __hash__ to None; keep hashing by identity, as PyTorch.
    __hash__ = object.__hash__

    def _compare(self, other, compare):
        """Both sides in PyTorch's common dtype first (:func:`~.dtypes.result_type`): an
        int32 tensor meets a 0-d float16 one in float16, where NumPy would use float64."""
        kind = self.data.dtype.kind
        if (type(other) is float and kind == "f") or (type(other) is int and kind in "fiu"):
            return self._constant(np.asarray(compare(self.data, other)))   # the common case
        if isinstance(other, (list, tuple)):
            other = _to_array(other, None)     # as Tensor(list) would hold it
        elif isinstance(other, (bool, np.bool_)):
            other = bool(other)
        elif isinstance(other, numbers.Integral):
            other = int(other)
        elif isinstance(other, numbers.Real):
            other = float(other)                # NumPy numbers as Python numbers: weak
        elif not isinstance(other, (np.ndarray, CompareMixin)):
            return NotImplemented  # e.g. t == None: Python then answers by identity (False)
        target = result_type(self, other)
        return self._constant(np.asarray(compare(_values(self, target), _values(other, target))))

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    # PyTorch's names for the operators: pred.eq(target) is pred == target, and so on.
    def eq(self, other):
        """``self == other`` (PyTorch's method name)."""
        return self == other

    def ne(self, other):
        """``self != other``."""
        return self != other

    def lt(self, other):
        """``self < other``."""
        return self < other

    def le(self, other):
        """``self <= other``."""
        return self <= other

    def gt(self, other):
        """``self > other``."""
        return self > other

    def ge(self, other):
        """``self >= other``."""
        return self >= other

    def argmax(self, dim=None, keepdim=False):
        """The index of the largest element along ``dim`` (int64, no gradient); with
        ``dim=None`` the index into the flattened tensor. Ties: the first, as PyTorch."""
        return _arg(self, np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """The index of the smallest element along ``dim`` (see :meth:`argmax`)."""
        return _arg(self, np.argmin, dim, keepdim)

    def clamp(self, min=None, max=None):
        """Limit every element to ``[min, max]`` (either bound may be None).

        ∂out/∂x = 1 where ``min <= x <= max`` (bounds included), 0 where clipped, as PyTorch:
        a :class:`~tinygrad_edu.tensors.ops.shape.Where` that keeps ``x`` inside and the clipped
        constant outside. The bounds are numbers (or arrays): constants without gradient.
        """
        if min is None and max is None:
            raise ValueError("clamp needs at least one of min and max")
        for bound in (min, max):
            if isinstance(bound, CompareMixin) and bound.requires_grad:
                raise TypeError("clamp: a bound that requires grad would get no gradient "
                                "here; write where(x < lo, lo, x) to differentiate it")
        # The result's dtype, as PyTorch: the bounds take part in promotion, so an integer
        # tensor clamped to 1.5 becomes floating (truncating the bound would clamp to 1).
        if self.dtype.kind == "f" and all(type(b) in (float, int) or b is None
                                          for b in (min, max)):
            target = self.dtype   # numbers never widen a floating tensor (the common case)
        else:
            target = result_type(self, min, max)
        if target.kind == "b":
            raise TypeError("clamp of a bool tensor with bool bounds is not supported (as in "
                            "PyTorch); convert first: t.long().clamp(...)")
        x = as_dtype(self, target)
        low, high = (None if b is None else _values(b, target) for b in (min, max))
        inside = np.ones(self.shape, dtype=bool) if low is None else x.data >= low
        if high is not None:
            inside &= x.data <= high
        clipped = np.clip(x.data, low, high).astype(target, copy=False)
        from .ops import Where  # here, not at the top: the ops import the Tensor class
        return Where.apply(inside, x, clipped)


def _values(x, dtype):
    """The numbers of a Tensor, an array or a number as an array of ``dtype``; a Python
    number stays a number (NumPy then computes in the other side's dtype, as PyTorch)."""
    if isinstance(x, CompareMixin):
        x = x.data
    if isinstance(x, np.ndarray):
        return x.astype(dtype, copy=False)
    return x


def _arg(x, find, dim, keepdim):
    if x.dtype == bool:
        raise TypeError(f"{find.__name__} of a bool tensor is not supported (as in PyTorch); "
                        f"convert first: t.long().{find.__name__}()")
    if dim is None:
        index = np.asarray(find(x.data), dtype=np.int64)  # into the flattened tensor
        return x._constant(index.reshape((1,) * x.ndim) if keepdim else index)
    if x.ndim == 0:  # PyTorch allows dim 0 (or -1) on a 0-d tensor: index 0
        normalize_dim(dim, 1, find.__name__)
        return x._constant(np.zeros((), dtype=np.int64))
    axis = normalize_dim(dim, x.ndim, find.__name__)
    return x._constant(find(x.data, axis=axis, keepdims=keepdim).astype(np.int64))


def values_and_indices(x, dim, keepdim, name):
    """``x.max(dim)`` / ``x.min(dim)``: the named tuple ``(values, indices)``.

    The values are *picked* at the indices (``x[..., index, ...]``, a
    :class:`~tinygrad_edu.tensors.ops.shape.GetItem`), so the gradient goes to exactly the element
    whose index is returned — the first of tied elements — as PyTorch's does. (``max()`` and
    ``max(axis=...)`` instead split the gradient between ties, like ``amax``.)
    """
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(dim) takes one dimension, got {dim!r}; for several use "
                        f"a{name}(dim={tuple(dim)!r}) (values only)")
    find = np.argmax if name == "max" else np.argmin
    if x.ndim == 0:
        normalize_dim(dim, 1, name)
        return _RESULTS[name](x.reshape(()), x._constant(np.zeros((), dtype=np.int64)))
    axis = normalize_dim(dim, x.ndim, name)
    index = find(x.data, axis=axis, keepdims=True)
    # Index arrays that broadcast to the kept shape: arange along each other axis, and the
    # found indices along `axis`.
    picks = tuple(index if k == axis else
                  np.arange(n).reshape([n if j == k else 1 for j in range(x.ndim)])
                  for k, n in enumerate(x.shape))
    values, index = x[picks], index.astype(np.int64)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return _RESULTS[name](values, x._constant(index))
