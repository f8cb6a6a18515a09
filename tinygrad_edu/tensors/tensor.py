"""``Tensor``: the scalar engine's ideas on NumPy arrays.

A Tensor is an array (``.data``) that remembers how it was made: ``.op`` (the name of the
:class:`~tinygrad_edu.tensors.function.Function` that made it), ``.parents`` (its input
Tensors) and, privately, that op's ``ctx`` with whatever the backward rule needs.
``backward()`` walks the graph from the output to the leaves in reverse topological order
(:func:`~tinygrad_edu.graph.backpropagate`) and, at each node, asks its op for the gradients
of its inputs (:func:`~tinygrad_edu.tensors.function.chain_rule`): the chain rule, one array
at a time.

Three things are new compared with ``Value``:

* **Broadcasting.** ``x + b`` with shapes ``(32, 10)`` and ``(10,)`` uses each ``b[j]`` 32
  times, so ``b``'s gradient is the sum over those 32 uses. One helper,
  :func:`~tinygrad_edu.tensors.ops.broadcast.sum_to_shape`, does this for every op.
* **Gradients are arrays**, and each op's backward rule is array arithmetic; the same rule
  runs on Tensors when a gradient must be differentiated again (``create_graph=True``).
* **Pending gradients.** ``Value`` keeps each node's running gradient in its ``.grad``; a
  Tensor's intermediates keep none: the walk sums them in a dictionary while it runs, and
  only leaves receive theirs, in ``.grad``.

Dtypes follow PyTorch: see :mod:`~tinygrad_edu.tensors.dtypes`.

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
"""
import functools

import numpy as np

from ..fast import accumulate_leaf_grad
from ..graph import backpropagate, topological_order
from ..random import generator
from .compare import CompareMixin, values_and_indices
from .pytorch_names import PyTorchNamesMixin
from .dtypes import _operands, _to_array, get_default_dtype, set_default_dtype
from .inplace import InPlaceArray, InPlaceMixin
from .shape import ShapeMixin, index_part
from .versions import InPlaceChanges, node_at, version_counter

__all__ = ["Tensor", "set_default_dtype", "get_default_dtype"]


class Tensor(PyTorchNamesMixin, ShapeMixin, CompareMixin, InPlaceMixin):
    """An n-dimensional array with a gradient.

    This file holds what every Tensor needs: creation, arithmetic, element-wise ops,
    reductions, the three shape operations (``reshape``, ``.T``/``_permuted``, ``t[index]``)
    and ``backward``. PyTorch's shape vocabulary built on them (``view``, ``unsqueeze``,
    ``squeeze``, ``flatten``, ``transpose``, ``permute``, ``size``, ...) and the dim and
    index checks come from :class:`~tinygrad_edu.tensors.shape.ShapeMixin`; comparisons,
    ``argmax`` and ``clamp`` from :class:`~tinygrad_edu.tensors.compare.CompareMixin`; the
    in-place operators and ``_`` methods from :class:`~tinygrad_edu.tensors.inplace.InPlaceMixin`.

    >>> w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (w @ np.array([1.0, -1.0])).relu().data     # [-1, -1] -> relu -> [0, 0]
    array([0., 0.])
    >>> (w @ np.array([2.0, 1.0])).sum().backward()  # ∂/∂w[i, j] = [2, 1][j]
    >>> w.grad
    array([[2., 1.],
           [2., 1.]])
    """

    __slots__ = ("_data", "_version", "_grad", "requires_grad", "label", "op", "_parents", "_ctx",
                 "_view_of", "_rebased", "__weakref__")
    freed = False   # True for the stand-ins a graph keeps after backward() (see function.py)

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
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self.label = ""
        self.op = ""
        self._parents = ()
        self._ctx = None
        self._view_of = None    # (tensor, op, kwargs) if this tensor views another's memory
        self._rebased = None    # ((clock, old node), ...): see inplace.py

    # ------------------------------------------------------------------ factories
    @classmethod
    def zeros(cls, *shape, requires_grad=False, dtype=None):
        """A tensor of zeros of the given shape (default dtype unless ``dtype`` is given)."""
        return cls(np.zeros(cls._shape(shape), dtype or get_default_dtype()), requires_grad)

    @classmethod
    def ones(cls, *shape, requires_grad=False, dtype=None):
        """A tensor of ones of the given shape (default dtype unless ``dtype`` is given)."""
        return cls(np.ones(cls._shape(shape), dtype or get_default_dtype()), requires_grad)

    @classmethod
    def randn(cls, *shape, requires_grad=False, dtype=None):
        """Standard normal samples from the library's generator (``manual_seed`` reproduces them).

        Drawn in float64 and then rounded, so float32 and float64 runs start from the same numbers.

        >>> from tinygrad_edu import manual_seed
        >>> manual_seed(0); a = Tensor.randn(2, 3)
        >>> manual_seed(0); bool((Tensor.randn(2, 3).data == a.data).all())
        True
        """
        samples = generator().standard_normal(cls._shape(shape))
        return cls(samples.astype(dtype or get_default_dtype(), copy=False), requires_grad)

    # ------------------------------------------------------------------ properties
    @property
    def data(self):
        """The array: an ``np.ndarray`` (an :class:`~tinygrad_edu.tensors.inplace.InPlaceArray`,
        a view of the tensor's own memory with PyTorch's in-place methods: ``t.data.normal_()``).
        Assignable: a new array is stored as given (its memory, dtype and shape).

        Assigning the tensor's own array back — which is what ``t.data += 1`` does after
        changing it in place — counts as an in-place change and bumps the tensor's version,
        as do the array's ``_`` methods, so that a backward pass which saved this array raises
        instead of using the changed numbers (:mod:`~tinygrad_edu.tensors.versions`). A new
        array does not (the saved one is unchanged). Writes into the raw array
        (``t.data[0] = 5``, ``a = t.data; a += 1``) are not seen.
        """
        view = self._data.view(InPlaceArray)
        view._source, view._tensor = self._data, self   # (for its _ methods' version count)
        return view

    @data.setter
    def data(self, value):
        data = self._data
        if value is data or getattr(value, "_source", None) is data or _all_of(value, data):
            # The same memory, changed in place: date it with the next reading of the clock.
            counter = self._version if self._version is not None else version_counter(self)
            InPlaceChanges.count += 1
            counter.version, counter.changed_array = InPlaceChanges.count, data
            return
        if type(value) is InPlaceArray:   # another tensor's .data: share its memory
            value = value.view(np.ndarray)
        self._data = value

    @property
    def grad(self):
        """∂L/∂self after ``backward()`` (an :class:`~tinygrad_edu.tensors.inplace.InPlaceArray`:
        a NumPy array with PyTorch's in-place methods, ``w.grad.zero_()``), or None.

        Later ``backward()`` calls add into this same array, so a reference taken after one
        sees the next one's sum, as in PyTorch. Assign an array, a Tensor (its array) or None.
        """
        return self._grad

    @grad.setter
    def grad(self, value):
        if type(value) is np.ndarray:   # what backward() and optimizers assign: one check
            self._grad = value.view(InPlaceArray)
            return
        if value is None:
            self._grad = None
            return
        if isinstance(value, Tensor):
            value = value._data
        elif isinstance(value, np.generic):   # a NumPy number (a 0-d result): an array
            value = np.asarray(value)
        if not isinstance(value, np.ndarray):
            raise TypeError(f"assigned grad expected to be an array, a Tensor or None but got "
                            f"grad of type {type(value).__name__}; to forget it write "
                            f"t.grad = None, to set zeros t.grad = np.zeros_like(t.data)")
        self._grad = value if type(value) is InPlaceArray else value.view(InPlaceArray)

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
    def parents(self):
        """The input Tensors of the op that made this one (``()`` for a leaf).

        As they were when the op was recorded: an input changed in place by a recorded op
        since (``z = y + 1; y *= 3``) is given as the node it was then (see inplace.py)."""
        ctx = self._ctx
        if ctx is None or ctx.saved_at == InPlaceChanges.count:   # nothing changed since
            return self._parents
        return tuple(p if p._rebased is None else node_at(p, ctx.saved_at)
                     for p in self._parents)

    @parents.setter
    def parents(self, value):
        self._parents = tuple(value)

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
        out._version = version_counter(self)
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
        if type(array) is InPlaceArray:   # (someone's .data): the engine keeps plain arrays
            array = array.view(np.ndarray)
        elif not isinstance(array, np.ndarray):   # a NumPy scalar (np.argmax of a vector)
            array = np.asarray(array)
        out = Tensor.__new__(Tensor)
        out._data, out._version, out._grad, out.requires_grad = array, None, None, False
        out.label, out.op, out._parents, out._ctx = "", "", (), None
        out._view_of = out._rebased = None
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
        pair = _operands(self, other, operator="-")
        if pair is None:
            return NotImplemented
        a, b = pair
        if isinstance(b, Tensor):
            return Add.apply(a, Neg.apply(b))
        if type(b) is int and b > 0 and a.dtype.kind == "u":   # −b as 2ⁿ − b: unsigned
            return Add.apply(a, (1 << 8 * a.dtype.itemsize) - b)  # sums wrap modulo 2ⁿ
        return Add.apply(a, -b)

    def __rsub__(self, other):  # other − self = other + (−self)
        pair = _operands(self, other, operator="-")
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
        pair = _operands(self, exponent, operator="**")
        return NotImplemented if pair is None else Pow.apply(*pair)

    def __rpow__(self, base):
        pair = _operands(self, base, operator="r**")
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

    def __floordiv__(self, other):
        """``self // other``: ⌊self / other⌋ (no gradient, as PyTorch: backward raises)."""
        pair = _operands(self, other)
        return NotImplemented if pair is None else FloorDivide.apply(*pair)

    def __rfloordiv__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else FloorDivide.apply(pair[1], pair[0])

    def __mod__(self, other):
        """``self % other``: the remainder with the sign of ``other``, as Python and PyTorch."""
        pair = _operands(self, other)
        return NotImplemented if pair is None else Remainder.apply(*pair)

    def __rmod__(self, other):
        pair = _operands(self, other)
        return NotImplemented if pair is None else Remainder.apply(pair[1], pair[0])

    # In-place operators (+=, ...), t[i] = v and the _ methods: see inplace.py.

    # ------------------------------------------------------------------ element-wise
    def _floating(self):
        """Self, or for integer/bool data a float copy (default dtype) cut off from the graph
        (integer tensors never require grad): for ops whose result is never an integer."""
        if self._data.dtype.kind == "f":
            return self
        return Tensor._constant(self._data.astype(get_default_dtype()))

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
        return mean(self, *_axis_arguments(axis, keepdims, dim, keepdim))

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
        return self._max_values(axis, keepdim or keepdims, nan_shares=True)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=False):
        """The minimum, in the same two forms as :meth:`max` (the values are −max(−x))."""
        if dim is not None:
            if axis is not None:
                raise TypeError("min: give dim= (values and indices) or axis= (values), not both")
            return values_and_indices(self, dim, keepdim, "min")
        return self._max_values(axis, keepdim or keepdims, nan_shares=True, largest=False)

    def amax(self, dim=None, keepdim=False):
        """The maximum over ``dim`` (an int, a tuple, or None/() for all): values only;
        tied maxima share the gradient equally."""
        return self._max_values(dim, keepdim, nan_shares=False)

    def _max_values(self, dim, keepdim, nan_shares, largest=True):
        """max()'s and amax's values (or min's); they differ at NaN (see Max), as in PyTorch."""
        axis, keepdims = _axis_arguments(None, False, dim, keepdim)
        return Max.apply(self, axis=axis, keepdims=keepdims, nan_shares=nan_shares,
                         largest=largest)

    def amin(self, dim=None, keepdim=False):
        """The minimum over ``dim``: as :meth:`amax`, ties share the gradient equally too."""
        return self._max_values(dim, keepdim, nan_shares=False, largest=False)

    def softmax(self, axis=-1, *, dim=None):
        """e^x / Σ e^x along ``axis`` (or ``dim``), computed stably (see :mod:`tinygrad_edu.tensors.ops.softmax`)."""
        return Softmax.apply(self._floating(), axis=_axis_arguments(axis, False, dim, None)[0])

    def log_softmax(self, axis=-1, *, dim=None):
        """x − log Σ e^x along ``axis`` (or ``dim``), computed stably."""
        return LogSoftmax.apply(self._floating(), axis=_axis_arguments(axis, False, dim, None)[0])

    # ------------------------------------------------------------------ shape
    # The three shape operations; the vocabulary built on them (view, flatten, transpose,
    # permute, squeeze, ...) and the dim and index checks are in shape.py.
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
        is a silent wrong answer). Repeated integer indices accumulate gradients. A uint8
        index is a mask, as PyTorch's (deprecated) rule. An index Tensor changed in place
        before ``backward()`` makes it raise (the op kept its array)."""
        out = GetItem.apply(self, index=self._index(index))
        if out._ctx is not None and isinstance(index, (tuple, Tensor)):
            watched = _index_tensors(index)
            if watched:
                out._ctx.watched = watched
        return out

    @staticmethod
    def _index(index):
        """An index with Tensors replaced by their arrays, checked (see ``index_part``)."""
        if isinstance(index, tuple):
            return tuple(index_part(part) for part in index)
        return index_part(index)

    def __iter__(self):
        """Iterate over the first dimension (each item a Tensor in the graph), as PyTorch.
        A 0-d tensor is not iterable, so ``sum(loss)`` raises instead of returning 0."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (a single number): use .item() for "
                            "the number; sum(t) and list(t) need at least one dimension")
        for i in range(len(self._data)):
            yield self[i]

    # ------------------------------------------------------------------ backward
    def backward(self, gradient=None, retain_graph=None, create_graph=False, *, grad=None):
        """Accumulate ∂self/∂leaf into ``.grad`` of every leaf with ``requires_grad``.

        ``gradient`` (also ``grad=``) is ∂L/∂self for some scalar L you have in mind (same
        shape as ``self``); it may be left out only when ``self`` has one element (then it
        is 1). Leaves' ``.grad`` accumulate (+, into the same array) across calls, as
        PyTorch; intermediate tensors keep no gradient.

        Afterwards the graph keeps its shape (it can still be drawn) but lets go of every
        array it held — the ones its ops saved, and the intermediate tensors' data — unless
        ``retain_graph=True``, as PyTorch: that is what keeps ``total += loss`` from keeping
        every step's activations. A second ``backward()`` through an op that needed its
        saved arrays then raises. ``create_graph=True`` is for
        :func:`tinygrad_edu.autograd.grad` here (``.grad`` stays an array).
        """
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward: give the gradient once, as gradient= (PyTorch's "
                                "name) or grad=")
            gradient = grad
        if create_graph:
            raise RuntimeError("backward(create_graph=True) is not supported: .grad stays a "
                               "NumPy array here. For gradients you can differentiate again "
                               "use tinygrad_edu.autograd.grad(outputs, inputs, "
                               "create_graph=True)")
        self._follow_base()   # a stale view takes its base's new node first (see inplace.py)
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: none of the "
                               "tensors it was computed from has requires_grad=True (or it was "
                               "computed inside no_grad())")
        if gradient is None:
            if self._data.size != 1:
                raise ValueError(
                    f"backward() without a gradient works only for a one-element tensor (a "
                    f"loss); this one has shape {self.shape}. Reduce it first (out.sum()) or "
                    f"pass the gradient ∂L/∂out: out.backward(np.ones({self.shape}))")
            gradient = np.ones(self.shape, dtype=self.dtype)
        else:
            gradient = np.array(gradient._data if isinstance(gradient, Tensor) else gradient,
                                dtype=self.dtype)
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient): it has shape {gradient.shape} but the "
                                 f"tensor has shape {self.shape}; they must match")
        # Every leaf the walk reaches requires grad (the chain rule passes gradients only to
        # those); the set is the memory already handed out to a leaf in this pass (see
        # fast.gradients: a leaf keeps its op's array when that is safe).
        add_into_leaf = functools.partial(accumulate_leaf_grad, set())
        order = topological_order(self)
        backpropagate([self], [gradient], chain_rule, on_leaf=add_into_leaf, order=order)
        if not retain_graph:
            release_graph(order)

    def __repr__(self):
        text = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = []
        if self._data.dtype != get_default_dtype():
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


def _all_of(view, array):
    """True if ``view`` is another ndarray object over exactly ``array``'s elements (what
    ``np.asarray(t.data)`` gives): assigning it back is an in-place change, not a new array."""
    base = getattr(view, "base", None)
    if base is None or view.shape != array.shape or view.strides != array.strides or (
            view.dtype != array.dtype):
        return False
    if base is array:   # a view as large as the array that owns the memory starts where it does
        return True
    return base is array.base and view.ctypes.data == array.ctypes.data


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


# The operations build Tensors, so they are imported after the class exists.
from .ops import (Abs, Add, Cast, Clone, Cos, Div, Exp, FloorDivide, GetItem, Log,  # noqa: E402
                  LogSoftmax, MatMul, Max, Mul, Neg, Pow, Relu, Remainder, Reshape, Sigmoid,
                  Sin, Softmax, Sqrt, Sum, Tanh, Transpose)
from .ops.reduce import mean  # noqa: E402
from .function import chain_rule, release_graph  # noqa: E402
from .inplace import _index_tensors  # noqa: E402
