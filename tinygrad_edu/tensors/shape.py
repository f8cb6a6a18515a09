"""PyTorch's shape vocabulary for :class:`~tinygrad_edu.Tensor`: ``view``, ``unsqueeze``,
``squeeze``, ``flatten``, ``transpose``, ``permute``, ``size``, ``dim`` and ``numel``, and
the checks every dimension argument and index goes through.

Only three shape operations exist (in :mod:`tinygrad_edu.tensors.ops.shape`), each one method of
``Tensor`` in ``tensor.py``: ``reshape``, ``_permuted(axes)`` (``.T`` is one of them) and
``t[index]``. Everything here is built on them: ``view``, ``unsqueeze``, ``squeeze`` and
``flatten`` only change the shape, so each one *is* a ``reshape`` (one
:class:`~tinygrad_edu.tensors.ops.shape.Reshape` node, whose backward reshapes the gradient back);
``transpose`` and ``permute`` check their dims and reorder the axes. No new operation, and
every derivative the three have, these have too.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([[1.0, 2.0, 3.0]])          # shape (1, 3)
>>> x.squeeze(0).shape, x.unsqueeze(-1).shape, x.view(3, 1).shape, x.view(-1).shape
((3,), (1, 3, 1), (3, 1), (3,))
>>> x.size(), x.size(1), x.dim(), x.numel()
((1, 3), 3, 2, 3)
>>> x.transpose(0, 1).shape, x.permute(1, 0).shape, x.flatten().shape
((3, 1), (3, 1), (3,))
"""
import warnings

import numpy as np

__all__ = ["ShapeMixin", "normalize_dim", "index_part"]


def normalize_dim(dim, ndim, op, name="dim"):
    """``dim`` as an index in ``0..ndim-1`` (negative counts from the end), or an error naming
    ``op`` and the argument ``name``. Callers that accept a dim on a 0-d tensor (as PyTorch
    does: -1 and 0) pass ``max(ndim, 1)``; ``unsqueeze`` passes ``ndim + 1``.

    >>> normalize_dim(-1, 3, "sum")
    2
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):  # not an ABC: fast
        raise TypeError(f"{op}: {name} must be an int, got {type(dim).__name__} {dim!r}")
    if not -ndim <= dim < ndim:
        raise IndexError(f"{op}: {name}={dim} is out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {dim})")
    return int(dim) % ndim


def index_part(part):
    """One part of an index, checked: Tensors give their array; floating arrays are refused;
    a uint8 array is a mask, as PyTorch."""
    if isinstance(part, ShapeMixin):  # a Tensor (the one class with this mixin)
        part = part._data
    elif isinstance(part, list):  # NumPy reads a list as an integer (or bool) array
        part = np.asarray(part)
    if isinstance(part, np.ndarray) and part.dtype == np.uint8:
        # PyTorch reads a uint8 index as a mask (deprecated, with a warning); NumPy as
        # positions. A mask it is, so that code written for PyTorch picks the same elements.
        warnings.warn("indexing with dtype uint8 is deprecated (as in PyTorch): it is read "
                      "as a mask; use a bool index (mask != 0) to say so", UserWarning,
                      stacklevel=4)
        part = part != 0
    if isinstance(part, np.ndarray) and part.dtype.kind in "fc":
        raise IndexError(f"a floating-point index ({part.dtype} array "
                         f"{np.array2string(part.reshape(-1)[:4], separator=', ')}) is refused: "
                         f"an index must hold integers, or bools for a mask. Rounding it would "
                         f"silently pick other elements; if it holds whole numbers, convert it: "
                         f"i.long() for a Tensor, i.astype(np.int64) for an array")
    return part


class ShapeMixin:
    """The shape methods above, mixed into ``Tensor`` (they use only ``reshape``,
    ``_permuted`` and ``shape``)."""

    __slots__ = ()

    @staticmethod
    def _shape(shape):
        """Accept both f(2, 3) and f((2, 3))."""
        return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape

    def view(self, *shape):
        """PyTorch's name for :meth:`reshape` (here always a fresh node; PyTorch's ``view``
        additionally refuses non-contiguous memory, which NumPy arrays handle by copying)."""
        return self.reshape(*shape)

    def view_as(self, other):
        """``self.view(other.shape)``: the same numbers in ``other``'s shape."""
        return self.view(tuple(other.shape))

    def reshape_as(self, other):
        """``self.reshape(other.shape)``."""
        return self.reshape(tuple(other.shape))

    def unsqueeze(self, dim):
        """Insert a dimension of length 1 at position ``dim`` (``-1``: at the end).

        ``dim`` ranges over ``-ndim-1 .. ndim``: the positions of the *result*.
        """
        dim = normalize_dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        """Remove dimensions of length 1: all of them (``dim=None``), or only ``dim`` (an int or
        a tuple of ints) — a named dimension whose length is not 1 is left alone, as PyTorch."""
        if dim is None:
            dims = range(self.ndim)
        elif isinstance(dim, (tuple, list)):
            dims = [normalize_dim(d, max(self.ndim, 1), "squeeze") for d in dim]
        else:
            dims = [normalize_dim(dim, max(self.ndim, 1), "squeeze")]  # 0-d: accepts 0 and -1
        drop = {d for d in dims if d < self.ndim and self.shape[d] == 1}
        return self.reshape(tuple(n for d, n in enumerate(self.shape) if d not in drop))

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dimensions ``start_dim..end_dim`` (both included; all by default) into one,
        as PyTorch: shape ``(2, 3, 4, 5)`` with ``flatten(1, 2)`` gives ``(2, 12, 5)``.
        A 0-d tensor flattens to shape ``(1,)``."""
        start = normalize_dim(start_dim, max(self.ndim, 1), "flatten", "start_dim")
        end = normalize_dim(end_dim, max(self.ndim, 1), "flatten", "end_dim")
        if start > end:
            raise ValueError(f"flatten: start_dim={start_dim} comes after end_dim={end_dim} "
                             f"for a tensor of shape {self.shape}; start_dim must not be "
                             f"after end_dim")
        if self.ndim == 0:
            return self.reshape(1)
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(shape)

    def transpose(self, dim0, dim1):
        """Swap axes ``dim0`` and ``dim1`` (negative counts from the end), as PyTorch:
        ``W.transpose(0, 1)`` is the matrix transpose. (NumPy's ``transpose(*axes)`` is
        :meth:`permute` here.)"""
        axes = list(range(self.ndim))
        n = max(self.ndim, 1)
        dim0 = normalize_dim(dim0, n, "transpose", "dim0")
        dim1 = normalize_dim(dim1, n, "transpose", "dim1")
        if self.ndim:
            axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self._permuted(tuple(axes))

    def permute(self, *dims):
        """Reorder the axes: ``out.shape[i] = self.shape[dims[i]]``, as PyTorch
        (``t.permute(2, 0, 1)`` or ``t.permute((2, 0, 1))``; negative dims count from the end)."""
        dims = self._shape(dims)
        if len(dims) != self.ndim:
            raise ValueError(f"permute: the tensor has {self.ndim} dimensions (shape "
                             f"{self.shape}) but {len(dims)} dims were given {tuple(dims)}; "
                             f"name each dimension exactly once")
        axes = tuple(normalize_dim(d, max(self.ndim, 1), "permute", "dims") for d in dims)
        if len(set(axes)) != len(axes):
            repeated = sorted({a for a in axes if axes.count(a) > 1})
            raise ValueError(f"permute: dims {tuple(dims)} repeat dimension(s) {repeated}; "
                             f"name each of the {self.ndim} dimensions exactly once")
        return self._permuted(axes)

    def size(self, dim=None):
        """The shape (a tuple) or, with ``dim``, the length of that dimension (an int)."""
        if dim is None:
            return self.shape
        return self.shape[normalize_dim(dim, self.ndim, "size")]

    def dim(self):
        """The number of dimensions, ``ndim``."""
        return self.ndim

    def numel(self):
        """The number of elements, the product of the shape."""
        return self.data.size
