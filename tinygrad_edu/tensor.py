"""``Tensor``: the scalar engine's ideas on NumPy arrays.

A Tensor is an array (``.data``) that remembers how it was made: ``.op`` (the name of the
:class:`~tinygrad_edu.function.Function` that made it), ``.parents`` (its input Tensors) and,
privately, that op's ``ctx`` with whatever the backward rule needs. ``backward()`` walks the
graph from the output to the leaves in reverse topological order (the same walker as
``Value``'s: :func:`~tinygrad_edu.autograd.topological_order`) and, at each node, asks its op
for the gradients of its inputs: the chain rule, one array at a time.

Three things are new compared with ``Value``:

* **Broadcasting.** ``x + b`` with shapes ``(32, 10)`` and ``(10,)`` uses each ``b[j]`` 32
  times, so ``b``'s gradient is the sum over those 32 uses. One helper,
  :func:`~tinygrad_edu.ops.broadcast.sum_to_shape`, does this for every op.
* **Gradients are arrays**, and copying them costs time. ``backward`` hands each leaf the
  array its op produced, copying only when that array is not the leaf's own to keep (a
  read-only broadcast view, or memory another leaf already holds).
* **Pending gradients.** ``Value`` keeps each node's running gradient in its ``.grad``; a
  Tensor's intermediates keep none. ``backward`` instead holds a dictionary ``pending``
  (node id -> ∂L/∂node summed over the uses seen so far): a node's entry is complete when the
  reverse topological walk reaches it, is popped, handed to its op's backward, and the
  results are added into its inputs' entries (a second use adds into a new array, never in
  place). Leaves receive theirs in ``.grad``; nothing else outlives the call.

>>> import numpy as np
>>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> b = Tensor([10.0, 20.0], requires_grad=True)
>>> loss = (x * b).sum()         # b is broadcast: b[j] multiplies x[0, j] and x[1, j]
>>> loss.backward()
>>> b.grad                        # ∂loss/∂b[j] = x[0, j] + x[1, j]: both uses, added
array([4., 6.])
>>> x.grad                        # ∂loss/∂x[i, j] = b[j]
array([[10., 20.],
       [10., 20.]])

Dtypes, as PyTorch:

* **Creation.** A NumPy array keeps its dtype (``float32`` stays ``float32``, ``int32``
  stays ``int32``). Python data is floating if any number in it is a float (then it gets the
  default dtype, float64 unless changed with :func:`set_default_dtype`), else integer
  (``int64``) or ``bool``: ``Tensor([0, 1, 2])`` holds class labels, ``Tensor([True, False])``
  a mask, and neither silently becomes a float. Only floating tensors can require grad.
* **Promotion** (the dtype of ``a + b``, ``a * b``, ...). Kinds are ordered
  bool < integer < floating. The result has the highest kind among the operands; a Python
  number counts only when its kind is higher than every tensor's:

  ==================================  ==========================================
  ``int64 tensor + 1``                ``int64`` (integer arithmetic stays exact)
  ``int64 tensor + 0.5``              the default dtype (float64)
  ``int64 tensor + float32 tensor``   ``float32`` (the floating operand decides)
  ``float32 tensor * 2`` or ``* 0.5`` ``float32`` (numbers never widen a tensor)
  ``bool tensor + 1``                 ``int64``
  ``int64 tensor / int64 tensor``     the default dtype (``/`` is true division)
  ==================================  ==========================================

  Operations whose result is never an integer (``exp log sqrt tanh sigmoid sin cos``,
  ``softmax``, ``log_softmax``) give the default dtype for integer or bool input (PyTorch
  refuses integer ``softmax``, and integer ``@`` float; here they promote); ``relu``,
  ``abs``, ``sum`` and ``max`` keep integers integers. ``mean()`` of an integer or bool
  tensor raises ``TypeError``, as PyTorch does: convert first (``Tensor(t.data, dtype=float)``).

>>> Tensor([0, 1, 2]).dtype, Tensor([0.5, 1]).dtype, Tensor([True, False]).dtype
(dtype('int64'), dtype('float64'), dtype('bool'))
>>> (Tensor([1, 2]) + 1).dtype, (Tensor([1, 2]) * 0.5).dtype, (Tensor([1, 2]) / 2).dtype
(dtype('int64'), dtype('float64'), dtype('float64'))
"""
import numbers

import numpy as np

from .autograd import _AnomalyMode, check_finite, is_grad_enabled, topological_order
from .tensor_compare import CompareMixin, values_and_indices
from .tensor_shape import ShapeMixin, index_part

__all__ = ["Tensor", "set_default_dtype", "get_default_dtype"]

_default_dtype = np.dtype(np.float64)


def set_default_dtype(dtype):
    """Set the dtype that Python floats, floating results of integer data, and factories get.

    >>> set_default_dtype(np.float32); Tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> set_default_dtype(np.float64)
    """
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"the default dtype must be a floating-point type such as np.float32 "
                        f"or np.float64, got {dtype}")
    _default_dtype = dtype


def get_default_dtype():
    """The current default dtype (``np.dtype('float64')`` unless changed)."""
    return _default_dtype


def _to_array(data, dtype):
    """A new array for ``Tensor(data, dtype)``, following the dtype rules above."""
    if dtype is not None:
        return np.array(data, dtype=dtype)
    array = np.array(data)  # a copy: the tensor never shares memory with the caller's array
    kind = array.dtype.kind
    if kind not in "iubf":
        raise TypeError(f"Tensor data must be real numbers, got an array of dtype {array.dtype} "
                        f"from {type(data).__name__}")
    if isinstance(data, (np.ndarray, np.generic)):
        return array  # NumPy data keeps its dtype, as torch.tensor(ndarray) does
    if kind == "f":
        return array.astype(_default_dtype, copy=False)  # Python floats: the default dtype
    if kind in "iu":
        return array.astype(np.int64, copy=False)        # Python ints: int64, as PyTorch
    return array                                         # Python bools: bool


def _operands(tensor, other, true_division=False):
    """``(tensor, other)`` ready for a two-input op, or None if ``other`` is not supported.

    ``other`` is converted first. Tensors and arrays pass through. Python and NumPy numbers
    become Python ``bool``, ``int`` or ``float``: NumPy treats those as "weak", so they never
    widen a tensor (a NumPy float64 scalar would make a float32 tensor float64). Lists follow
    the ``Tensor(list)`` rules. Then :func:`_promote` applies PyTorch's type promotion.
    """
    floating = tensor._data.dtype.kind == "f"
    if type(other) is Tensor:  # the hot path, first: two floating tensors, or a float number
        if floating and other._data.dtype.kind == "f":
            return tensor, other
    elif type(other) is float:
        if floating:
            return tensor, other
    elif isinstance(other, np.ndarray):
        pass
    elif isinstance(other, (bool, np.bool_)):
        other = bool(other)
    elif isinstance(other, numbers.Integral):  # int and NumPy integers
        other = int(other)
    elif isinstance(other, numbers.Real):      # float and NumPy floats
        other = float(other)
    elif isinstance(other, (list, tuple)):
        other = _to_array(other, None)
    else:
        return None
    return _promote(tensor, other, true_division)


def _kind(x):
    """'f' (floating), 'i'/'u' (integer) or 'b' (bool) for a Tensor, an array or a number."""
    if type(x) is float:
        return "f"
    if isinstance(x, (Tensor, np.ndarray)):
        return x.dtype.kind
    return "b" if isinstance(x, bool) else "i" if isinstance(x, int) else "f"


def _promote(a, b, true_division=False):
    """``(a, b)`` cast so that NumPy computes PyTorch's result dtype (see the module docstring).

    NumPy already agrees with PyTorch when both operands are floating (the common case,
    returned at once) and for integer/bool arithmetic. It differs in three places, fixed
    here by casting the integer operand (a constant: integer tensors never require grad):
    an integer array with a floating array of another width (``int64 + float32`` is float32
    in PyTorch, float64 in NumPy), with a Python float (the default dtype, not float64), and
    true division of integers (the default dtype).
    """
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a == "f" and kind_b == "f":
        return a, b
    if kind_a == "f" or kind_b == "f":
        floating = a if kind_a == "f" else b
        target = floating.dtype if isinstance(floating, (Tensor, np.ndarray)) else _default_dtype
    elif true_division:
        target = _default_dtype
    else:
        return a, b  # integer and bool arithmetic: NumPy's rules are PyTorch's
    return _cast(a, target), _cast(b, target)


def _cast(x, dtype):
    """An integer/bool Tensor or array as an array of ``dtype``; anything else unchanged."""
    if isinstance(x, Tensor):
        return x if x.data.dtype.kind == "f" else x.data.astype(dtype)
    if isinstance(x, np.ndarray) and x.dtype.kind != "f":
        return x.astype(dtype)
    return x


class Tensor(ShapeMixin, CompareMixin):
    """An n-dimensional array with a gradient.

    This file holds what every Tensor needs: creation and dtypes, arithmetic, element-wise
    ops, reductions, the three shape operations (``reshape``, ``.T``/``_permuted``,
    ``t[index]``), ``backward`` and the version counters. PyTorch's shape vocabulary built on
    them (``view``, ``unsqueeze``, ``squeeze``, ``flatten``, ``transpose``, ``permute``,
    ``size``, ...) and the dim and index checks come from
    :class:`~tinygrad_edu.tensor_shape.ShapeMixin`; comparisons, ``argmax`` and ``clamp``
    from :class:`~tinygrad_edu.tensor_compare.CompareMixin`.

    >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (w @ np.array([1.0, -1.0])).relu().data     # [-1, -1] -> relu -> [0, 0]
    array([0., 0.])
    >>> (w @ np.array([2.0, 1.0])).sum().backward()  # ∂/∂w[i, j] = [2, 1][j]
    >>> w.grad
    array([[2., 1.],
           [2., 1.]])
    """

    __slots__ = ("_data", "_version", "grad", "requires_grad", "label", "op", "parents", "_ctx",
                 "__weakref__")

    # Make NumPy hand `ndarray + Tensor` (and np.float64(2) * Tensor) to Tensor.__radd__ etc.
    # instead of treating the Tensor as an opaque object.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        if isinstance(data, Tensor):
            raise TypeError("Tensor(...) got a Tensor; use it directly, t.detach() for a copy "
                            "cut off from the graph, or Tensor(t.data) for a new leaf")
        array = _to_array(data, dtype)
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, got dtype "
                            f"{array.dtype} (integer data stays integer, as in PyTorch); write "
                            f"the numbers as floats (Tensor([1.0, 2.0])) or pass a float dtype "
                            f"(dtype=np.float64)")
        self._data = array
        self._version = None    # the version counter, made when first needed (see `data`)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = ""
        self.op = ""
        self.parents = ()
        self._ctx = None

    # ------------------------------------------------------------------ factories
    @classmethod
    def zeros(cls, *shape, requires_grad=False, dtype=None):
        """A tensor of zeros of the given shape (default dtype unless ``dtype`` is given)."""
        return cls(np.zeros(cls._shape(shape), dtype or _default_dtype), requires_grad)

    @classmethod
    def ones(cls, *shape, requires_grad=False, dtype=None):
        """A tensor of ones of the given shape (default dtype unless ``dtype`` is given)."""
        return cls(np.ones(cls._shape(shape), dtype or _default_dtype), requires_grad)

    @classmethod
    def randn(cls, *shape, requires_grad=False, dtype=None):
        """Standard normal samples from the library's generator (``manual_seed`` reproduces them).

        Drawn in float64 and then rounded, so float32 and float64 runs start from the same numbers.

        >>> from tinygrad_edu import manual_seed
        >>> manual_seed(0); a = Tensor.randn(2, 3)
        >>> manual_seed(0); bool((Tensor.randn(2, 3).data == a.data).all())
        True
        """
        from .random import generator
        samples = generator().standard_normal(cls._shape(shape))
        return cls(samples.astype(dtype or _default_dtype, copy=False), requires_grad)

    # ------------------------------------------------------------------ properties
    @property
    def data(self):
        """The array (``np.ndarray``). Assignable: the array is stored as given.

        Assigning the *same* array back — which is what ``t.data += 1`` does after changing it
        in place — counts as an in-place change and bumps the tensor's version, so that a
        backward pass which saved this array raises instead of using the changed numbers
        (:func:`_check_versions`). A new array does not (the saved one is unchanged). Writes
        into the raw array (``t.data[0] = 5``, ``a = t.data; a += 1``) are not seen.
        """
        return self._data

    @data.setter
    def data(self, value):
        try:
            same = value is self._data
        except AttributeError:  # the first assignment, for a Tensor made by Tensor.__new__
            self._version = same = None
        if same:  # an in-place change: date it (see _version_counter)
            _inplace_changes[0] += 1
            if self._version is None:
                self._version = [_inplace_changes[0], value]
            else:
                self._version[0], self._version[1] = _inplace_changes[0], value
        self._data = value

    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def T(self):
        """The tensor with its axes reversed (the transpose, for a matrix)."""
        return Transpose.apply(self)

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by an operation that recorded a graph."""
        return self._ctx is None

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a single number); use .item()")
        return len(self._data)

    def numpy(self):
        """The underlying array (not a copy)."""
        return self._data

    def tolist(self):
        """The elements as (nested) Python lists of numbers; a 0-d tensor gives one number."""
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number: a float, or an int / bool
        for an integer / bool tensor (as PyTorch)."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape "
                             f"{self.shape} ({self._data.size} elements); index it or reduce it first")
        return self._data.reshape(-1)[0].item()

    def __float__(self):  # float(loss), as PyTorch: one element only
        return float(self.item())

    def __int__(self):    # int(t): rounds towards zero, as int(3.7) does
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor with {self._data.size} elements is "
                             f"ambiguous; use .data.any() or .data.all()")
        return bool(self._data.reshape(-1)[0])

    def detach(self):
        """A new leaf sharing this tensor's data (and so its version counter), cut off from
        the graph (no grad)."""
        out = Tensor._constant(self._data)
        out._version = _version_counter(self)
        return out

    def clone(self):
        """A copy with its own memory that stays in the graph: the gradient flows back through it."""
        return Clone.apply(self)

    def float(self):
        """This tensor as float32 (PyTorch's ``float``; the gradient is converted back).
        Already float32: the tensor itself."""
        return self if self.dtype == np.float32 else Cast.apply(self, dtype=np.float32)

    def double(self):
        """This tensor as float64 (already float64: the tensor itself)."""
        return self if self.dtype == np.float64 else Cast.apply(self, dtype=np.float64)

    def long(self):
        """This tensor as int64 (rounded towards zero), without gradient: integers have none."""
        return Tensor._constant(self.data.astype(np.int64))

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (on a tensor you created) and return the tensor."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, got dtype "
                            f"{self.data.dtype}; convert first: t = t.double()")
        if not requires_grad and not self.is_leaf:
            raise RuntimeError("requires_grad_(False) on a tensor computed by an operation; "
                               "use t.detach() for a copy cut off from the graph")
        self.requires_grad = bool(requires_grad)
        return self

    @staticmethod
    def _constant(array):
        out = Tensor.__new__(Tensor)
        out._data, out._version, out.grad, out.requires_grad = array, None, None, False
        out.label, out.op, out.parents, out._ctx = "", "", (), None
        return out

    # ------------------------------------------------------------------ arithmetic
    # Each operator converts the other operand and applies PyTorch's type promotion
    # (_operands; None for an unsupported type), then records one op. The reflected forms
    # (__radd__: `2 + t`) swap the operands back.
    def __add__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else Add.apply(*pair)

    def __radd__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else Add.apply(pair[1], pair[0])

    def __neg__(self):
        return Neg.apply(self)

    def __sub__(self, other):  # a − b = a + (−b)
        pair = _operands(self, other)
        if pair is None:
            return NotImplemented
        a, b = pair
        return Add.apply(a, Neg.apply(b) if isinstance(b, Tensor) else -b)

    def __rsub__(self, other):  # other − self = other + (−self)
        pair = _operands(self, other)
        if pair is None:
            return NotImplemented
        a, b = pair
        return Add.apply(b, Neg.apply(a) if isinstance(a, Tensor) else -a)

    def __mul__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else Mul.apply(*pair)

    def __rmul__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else Mul.apply(pair[1], pair[0])

    def __truediv__(self, other):
        pair = _operands(self, other, true_division=True)
        return NotImplemented if pair is None else Div.apply(*pair)

    def __rtruediv__(self, other):
        pair = _operands(self, other, true_division=True)
        return NotImplemented if pair is None else Div.apply(pair[1], pair[0])

    def __pow__(self, exponent):
        pair = _operands(self, exponent)
        return NotImplemented if pair is None else Pow.apply(*pair)

    def __rpow__(self, base):
        pair = _operands(self, base)
        return NotImplemented if pair is None else Pow.apply(pair[1], pair[0])

    def __matmul__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else MatMul.apply(*pair)

    def __rmatmul__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else MatMul.apply(pair[1], pair[0])

    def pow(self, exponent):
        """``self ** exponent`` (a number or a Tensor)."""
        return self ** exponent

    # In-place updates, for code such as ``with no_grad(): w -= lr * w.grad``. They change
    # ``.data`` itself, so they are refused where autograd would need the old values.
    def _in_place(self, other, operator, out_of_place):
        if self.requires_grad and is_grad_enabled():
            if self.is_leaf:
                raise RuntimeError(
                    f"in-place {operator.__name__} on a tensor that requires grad would change "
                    f"a value autograd needs; update it inside `with no_grad():` (as an "
                    f"optimizer does), or write x = x + y (etc.) for a new tensor")
            return out_of_place(self, other)  # made by an op: record a new node instead
        self.data = operator(self.data, other.data if isinstance(other, Tensor) else other,
                             out=self.data)
        return self

    def __iadd__(self, other):
        return self._in_place(other, np.add, Tensor.__add__)

    def __isub__(self, other):
        return self._in_place(other, np.subtract, Tensor.__sub__)

    def __imul__(self, other):
        return self._in_place(other, np.multiply, Tensor.__mul__)

    def __itruediv__(self, other):
        return self._in_place(other, np.divide, Tensor.__truediv__)

    # ------------------------------------------------------------------ element-wise
    def _floating(self):
        """Self, or for integer/bool data a float copy (default dtype) cut off from the graph
        (integer tensors never require grad): for ops whose result is never an integer."""
        if self._data.dtype.kind == "f":
            return self
        return Tensor._constant(self._data.astype(_default_dtype))

    def exp(self):
        return Exp.apply(self._floating())

    def log(self):
        return Log.apply(self._floating())

    def tanh(self):
        return Tanh.apply(self._floating())

    def relu(self):
        return Relu.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self._floating())

    def sqrt(self):
        return Sqrt.apply(self._floating())

    def abs(self):
        return Abs.apply(self)

    def sin(self):
        return Sin.apply(self._floating())

    def cos(self):
        return Cos.apply(self._floating())

    # ------------------------------------------------------------------ reductions
    # NumPy's axis= / keepdims= and PyTorch's dim= / keepdim= name the same arguments.
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Sum over ``axis`` (an int, a tuple of ints, or None for all elements)."""
        axis, keepdims = _axis_arguments(axis, keepdims, dim, keepdim)
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The mean over ``axis``: ``sum / n`` with n the number of elements averaged."""
        if self._data.dtype.kind != "f":   # as PyTorch: the mean of integers is not an integer
            raise TypeError(f"mean() needs a floating-point tensor, got dtype {self.dtype}; "
                            f"convert first: t.float().mean()")
        total = self.sum(axis, keepdims, dim=dim, keepdim=keepdim)
        n = self._data.size // max(total._data.size, 1)  # elements per average (an int: keeps the dtype)
        return Div.apply(total, n)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        """The maximum, in two forms:

        * ``max()``, ``max(axis=..., keepdims=...)`` (NumPy's form): the values; tied maxima
          share the gradient equally (as ``amax``);
        * ``max(d)``, ``max(dim=d, keepdim=...)`` (PyTorch's form, one dimension): the named
          tuple ``(values, indices)``; the gradient goes to the element at the returned index.
        """
        if dim is not None:
            if axis is not None:
                raise TypeError("max: give dim= (values and indices) or axis= (values), not both")
            return values_and_indices(self, dim, keepdim, "max")
        return self.amax(axis, keepdim or keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        """The minimum, in the same two forms as :meth:`max` (the values are −max(−x))."""
        if dim is not None:
            if axis is not None:
                raise TypeError("min: give dim= (values and indices) or axis= (values), not both")
            return values_and_indices(self, dim, keepdim, "min")
        return self.amin(axis, keepdim or keepdims)

    def amax(self, dim=None, keepdim=False):
        """The maximum over ``dim`` (an int, a tuple, or None/() for all): values only;
        tied maxima share the gradient equally."""
        axis, keepdims = _axis_arguments(None, False, dim, keepdim)
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False):
        """The minimum over ``dim``: ``−amax(−x)``, so ties share the gradient equally too."""
        return -(-self).amax(dim, keepdim)

    def softmax(self, axis=-1, *, dim=None):
        """e^x / Σ e^x along ``axis`` (or ``dim``), computed stably (see :mod:`tinygrad_edu.ops.softmax`)."""
        return Softmax.apply(self._floating(), axis=_axis_arguments(axis, False, dim, None)[0])

    def log_softmax(self, axis=-1, *, dim=None):
        """x − log Σ e^x along ``axis`` (or ``dim``), computed stably."""
        return LogSoftmax.apply(self._floating(), axis=_axis_arguments(axis, False, dim, None)[0])

    # ------------------------------------------------------------------ shape
    # The three shape operations; the vocabulary built on them (view, flatten, transpose,
    # permute, squeeze, ...) and the dim and index checks are in tensor_shape.py.
    def reshape(self, *shape):
        """The same elements in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        return Reshape.apply(self, shape=Tensor._shape(shape))

    def _permuted(self, axes):
        """The axes reordered, ``out.shape[i] = self.shape[axes[i]]`` (``axes`` already checked)."""
        return Transpose.apply(self, axes=axes)

    def __getitem__(self, index):
        """``t[index]`` as NumPy/PyTorch: ints, slices, ``None``, ``...``, integer arrays or
        Tensors, and boolean masks (bool arrays or Tensors). A floating-point array or Tensor
        as an index is refused (PyTorch would cast it; ``x[Tensor([0.9])]`` picking element 0
        is a silent wrong answer). Repeated integer indices accumulate gradients."""
        if isinstance(index, tuple):
            index = tuple(index_part(part) for part in index)
        else:
            index = index_part(index)
        return GetItem.apply(self, index=index)

    def __iter__(self):
        """Iterate over the first dimension (each item a Tensor in the graph), as PyTorch.
        A 0-d tensor is not iterable, so ``sum(loss)`` raises instead of returning 0."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (a single number): use .item() for "
                            "the number; sum(t) and list(t) need at least one dimension")
        for i in range(len(self._data)):
            yield self[i]

    # ------------------------------------------------------------------ backward
    def backward(self, grad=None):
        """Accumulate ∂self/∂leaf into ``.grad`` of every leaf with ``requires_grad``.

        ``grad`` is ∂L/∂self for some scalar L you have in mind (same shape as ``self``);
        it may be left out only when ``self`` has one element (then it is 1). Leaves'
        ``.grad`` accumulate (+) across calls, as PyTorch; intermediate tensors keep no
        gradient. The graph is kept, so ``backward`` may be called again.
        """
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: none of the "
                               "tensors it was computed from has requires_grad=True (or it was "
                               "computed inside no_grad())")
        if grad is None:
            if self._data.size != 1:
                raise ValueError(
                    f"backward() without a gradient works only for a one-element tensor (a "
                    f"loss); this one has shape {self.shape}. Reduce it first (out.sum()) or "
                    f"pass the gradient ∂L/∂out: out.backward(np.ones({self.shape}))")
            grad = np.ones(self.shape, dtype=self.dtype)
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad): grad has shape {grad.shape} but the tensor "
                                 f"has shape {self.shape}; they must match")

        anomaly = _AnomalyMode.enabled
        pending = {id(self): grad}  # node id -> ∂L/∂node summed over the uses seen so far
        kept = set()                # memory already handed to a leaf's .grad in this call
        for node in reversed(topological_order(self)):
            node_grad = pending.pop(id(node), None)
            if node_grad is None:
                continue  # no path from self to this node carries a gradient
            ctx = node._ctx
            if ctx is None:
                if node.requires_grad:
                    _keep_leaf_grad(node, node_grad, kept)
                continue
            if ctx.saved_at != _inplace_changes[0]:  # some tensor changed in place since
                _check_versions(node, ctx)
            input_grads = _one_gradient_per_input(node, ctx, ctx.backward(ctx, node_grad))
            for position, parent in ctx.differentiable:
                parent_grad = input_grads[position]
                if parent_grad is None:
                    continue
                if type(parent_grad) is not np.ndarray:
                    parent_grad = np.asarray(parent_grad)
                if parent_grad.shape != parent._data.shape:
                    raise ValueError(f"{node.op}.backward returned a gradient of shape "
                                     f"{parent_grad.shape} for input {position}, whose shape is "
                                     f"{parent._data.shape}")
                if anomaly:
                    check_finite(node.op, parent_grad, "backward")
                earlier = pending.get(id(parent))
                if earlier is None:
                    pending[id(parent)] = parent_grad
                else:  # a second use of parent: add (into a new array, never in place,
                    # since `earlier` may be shared: Add hands one array to both inputs)
                    pending[id(parent)] = np.asarray(earlier + parent_grad)  # 0-d + 0-d: a scalar

    def __repr__(self):
        text = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = []
        if self._data.dtype != _default_dtype:
            extras.append(f"dtype={self._data.dtype}")
        if self.requires_grad:
            extras.append(f"requires_grad=True, op={self.op!r}" if self.op else "requires_grad=True")
            if self.grad is None:
                extras.append("grad=None")
            else:
                extras.append("grad=" + np.array2string(np.asarray(self.grad), separator=", ",
                                                        prefix="Tensor(grad="))
        if self.label:
            extras.append(f"label={self.label!r}")
        return "Tensor(" + ", ".join([text] + extras) + ")"


def _axis_arguments(axis, keepdims, dim, keepdim):
    """``(axis, keepdims)`` from NumPy's and PyTorch's spellings (a list of axes: a tuple;
    ``dim=()`` is PyTorch's "all dimensions", like ``axis=None``)."""
    if dim is not None:
        if axis is not None and axis != -1:  # -1: softmax's default, not a choice
            raise TypeError(f"give the axis once: axis={axis!r} (NumPy) or dim={dim!r} "
                            f"(PyTorch), not both")
        axis = dim
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis == ():
        axis = None
    return axis, bool(keepdims if keepdim is None else keepdim)


# Version counters: how an in-place change between forward and backward is caught.
# Every in-place change made through the Tensor API (the `data` setter given the same array,
# hence `t.data += 1` and `optimizer.step()`) takes the next number of one global count, and
# the tensor remembers the number of its latest change: its version. `Function.apply` notes
# the count when it records an op that saved arrays (one integer per op: the hot path stays
# fast). At backward, an op whose inputs and output all have older versions is fine; one
# that was changed later is an error if the op saved (part of) its array.
_inplace_changes = [0]


def _version_counter(tensor):
    """The tensor's version cell, ``[number of its latest in-place change (0: never), the
    array that change was made to]``, made on first use. (The array, not the tensor's
    current one: ``t.data += 1; t.data = new`` must still be caught.)

    A cell rather than an int so that tensors sharing memory share it: a view made by an op
    (``W.T``, ``x.reshape(...)``, ``x[0]``) and ``detach()`` get their base's cell, so an
    in-place change through any of them is seen by every op that saved any of them.
    """
    counter = getattr(tensor, "_version", None)
    if counter is None:
        counter = tensor._version = [0, None]
    return counter


def _check_versions(node, ctx):
    """Raise if an array that ``node``'s op saved for backward was changed in place since
    its forward pass (``ctx.saved_at``: the global count of in-place changes at that time)."""
    for position, tensor in enumerate(node.parents + (node,)):
        counter = tensor._version
        if counter is None or counter[0] <= ctx.saved_at:
            continue
        changed = counter[1]
        if not any(type(saved) is np.ndarray and np.shares_memory(saved, changed)
                   for saved in ctx.saved_tensors):
            continue  # changed, but this op kept nothing of it (Add, Sum...): no harm done
        which = "the output" if tensor is node else f"input {position}"
        label = f", label {tensor.label!r}" if tensor.label else ""
        raise RuntimeError(
            f"{node.op}'s backward needs an array that was changed in place after the forward "
            f"pass: {which} of {node.op} (a tensor of shape {tensor.shape}{label}), so its "
            f"gradient would be computed from the new numbers. Change parameters (t.data += "
            f"..., optimizer.step()) only after backward(), or run the forward pass again "
            f"after the change. (Writes into the raw array, t.data[...] = ..., are not "
            f"tracked.)")


def _one_gradient_per_input(node, ctx, input_grads, rule="backward"):
    """A backward rule's result as a tuple with one entry per forward input (a rule for a
    single input may return its gradient bare); any other count is the rule's mistake."""
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if len(input_grads) != ctx.n_inputs:
        raise ValueError(f"{node.op}.{rule} returned {len(input_grads)} gradient(s) but "
                         f"forward had {ctx.n_inputs} input(s); return one per input "
                         f"(None for those without a gradient)")
    return input_grads


def _keep_leaf_grad(leaf, grad, kept):
    """Add ``grad`` into ``leaf.grad``, copying only when the array cannot be kept as is.

    Keeping the op's array avoids a copy per parameter per step. It is not safe when the array
    is read-only (a broadcast view), when its memory already went to another leaf in this
    backward pass (``a + b`` gives both the same array), or when its dtype differs from the
    leaf's (the gradient of a float32 parameter stays float32).
    """
    if grad.dtype != leaf._data.dtype:
        grad = grad.astype(leaf._data.dtype)
    memory = id(grad if grad.base is None else grad.base)
    if not grad.flags.writeable or memory in kept:
        grad = grad.copy()
        memory = id(grad)
    if leaf.grad is None:
        kept.add(memory)
        leaf.grad = grad
    else:  # a new array: the old one may be aliased by whoever set it
        leaf.grad = leaf.grad + grad


# The operations build Tensors, so they are imported after the class exists.
from .ops import (Abs, Add, Cast, Clone, Cos, Div, Exp, GetItem, Log, LogSoftmax,  # noqa: E402
                  MatMul, Max, Mul, Neg, Pow, Relu, Reshape, Sigmoid, Sin, Softmax, Sqrt, Sum,
                  Tanh, Transpose)
