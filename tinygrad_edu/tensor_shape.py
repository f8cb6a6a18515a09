"""PyTorch's shape vocabulary for :class:`~tinygrad_edu.Tensor`: ``view``, ``unsqueeze``,
``squeeze``, ``size``, ``dim`` and ``numel``.

``view``, ``unsqueeze`` and ``squeeze`` only change the shape, so each one *is* a
``reshape`` (one :class:`~tinygrad_edu.ops.shape.Reshape` node, whose backward reshapes the
gradient back): no new operation, and every derivative ``reshape`` has, they have too.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([[1.0, 2.0, 3.0]])          # shape (1, 3)
>>> x.squeeze(0).shape, x.unsqueeze(-1).shape, x.view(3, 1).shape, x.view(-1).shape
((3,), (1, 3, 1), (3, 1), (3,))
>>> x.size(), x.size(1), x.dim(), x.numel()
((1, 3), 3, 2, 3)
"""
import numbers

__all__ = ["ShapeMixin", "normalize_dim"]


def normalize_dim(dim, ndim, name="dim"):
    """``dim`` as an index in ``0..ndim-1`` (negative counts from the end), as PyTorch checks it.

    >>> normalize_dim(-1, 3)
    2
    """
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {dim!r}")
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {dim})")
    return int(dim) % ndim


class ShapeMixin:
    """The shape methods above, mixed into ``Tensor`` (they use only ``reshape`` and ``shape``)."""

    __slots__ = ()

    def view(self, *shape):
        """PyTorch's name for :meth:`reshape` (here always a fresh node; PyTorch's ``view``
        additionally refuses non-contiguous memory, which NumPy arrays handle by copying)."""
        return self.reshape(*shape)

    def unsqueeze(self, dim):
        """Insert a dimension of length 1 at position ``dim`` (``-1``: at the end).

        ``dim`` ranges over ``-ndim-1 .. ndim``: the positions of the *result*.
        """
        dim = normalize_dim(dim, self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        """Remove dimensions of length 1: all of them (``dim=None``), or only ``dim`` (an int or
        a tuple of ints) — a named dimension whose length is not 1 is left alone, as PyTorch."""
        if dim is None:
            dims = range(self.ndim)
        elif isinstance(dim, (tuple, list)):
            dims = [normalize_dim(d, max(self.ndim, 1)) for d in dim]
        else:
            dims = [normalize_dim(dim, max(self.ndim, 1))]  # a 0-d tensor accepts 0 and -1
        drop = {d for d in dims if d < self.ndim and self.shape[d] == 1}
        return self.reshape(tuple(n for d, n in enumerate(self.shape) if d not in drop))

    def size(self, dim=None):
        """The shape (a tuple) or, with ``dim``, the length of that dimension (an int)."""
        if dim is None:
            return self.shape
        return self.shape[normalize_dim(dim, self.ndim)]

    def dim(self):
        """The number of dimensions, ``ndim``."""
        return self.ndim

    def numel(self):
        """The number of elements, the product of the shape."""
        return self.data.size
