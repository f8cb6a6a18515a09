"""In-place changes, as PyTorch: ``+= -= *= /= //= %=``, ``t[index] = value`` and the ``_`` methods
(``add_ sub_ mul_ div_ zero_ fill_ normal_ uniform_ copy_ clamp_``).

An in-place change writes the new numbers into the tensor's own array, so everything that
shares it sees them: the same Tensor object held elsewhere (``ys = [y]; y *= 3``), and its
views (``row = y[0]; row *= 10`` changes ``y``). Autograd then records the change, as PyTorch
does, by **rebasing**: the tensor stays the same object, but its node in the graph becomes the
operation that made the new value from the old one::

    y = x * 2          # y: Mul(x, 2)
    y *= 3             # y: Mul(y_before, 3), where y_before is Mul(x, 2) with the old numbers

* A view is changed through the tensor it views: ``row *= 10`` computes the new row, writes it
  into ``y`` with ``y[0] = new_row`` (a :class:`~tinygrad_edu.tensors.ops.shape.SetItem`, whose
  backward sends zeros to the overwritten elements of the old ``y``), and ``row`` becomes
  ``y[0]`` again, of the new ``y``. Views made by indexing, ``reshape`` and transposes can be
  written through; a view made by another op raises.
* An operation recorded *before* the change and still pointing at the tensor sends its gradient
  to the node the tensor was at that time (``z = y + 1; y *= 3; z`` still gets ∂z/∂x = 2).
  If it saved the old numbers and they were overwritten, the version counter makes
  ``backward()`` raise (:mod:`.versions`). A view made before its base changed is remade when
  it is next used (``row = y[0]; y *= 3; row.sum()`` sums the new row and differentiates
  through ``y *= 3``), as PyTorch regenerates a view's ``grad_fn``.
* As in PyTorch, a leaf that requires grad (a parameter) and its views may be changed in
  place only inside ``no_grad()`` (an optimizer's update); otherwise ``RuntimeError``.

Without anything to record (inside ``no_grad()``, or when neither side requires grad) the
numbers are simply written, and the version counter is bumped.

``.data`` and ``.grad`` hand out :class:`InPlaceArray`: the tensor's NumPy array (a view of the
same memory), with PyTorch's in-place methods added, so ``w.grad.zero_()`` and
``p.data.normal_(0, 0.01)`` port unchanged.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> y = x * 1
>>> row = y[0]
>>> row *= 10                    # y changes too
>>> y.data
array([[10., 20.],
       [ 3.,  4.]])
>>> y.sum().backward(); x.grad   # ∂Σy/∂x: 10 for the scaled row
array([[10., 10.],
       [ 1.,  1.]])
"""
import numpy as np

from ..graph import is_grad_enabled, no_grad
from ..random import generator
from .versions import InPlaceChanges, mark_changed, version_counter

__all__ = ["InPlaceArray", "InPlaceMixin", "GradFn"]


_LOWER = {"b": 0, "i": 1, "u": 1, "f": 2}   # bool < integer < floating: what fits in place
_SIGN = {np.add: "+", np.subtract: "-", np.multiply: "*", np.divide: "/",
         np.floor_divide: "//", np.remainder: "%", np.power: "**"}


def _array(x):
    """The array of a Tensor, anything else unchanged (for NumPy functions with ``out=``)."""
    return x._data if isinstance(x, InPlaceMixin) else x


def drop_leading_ones(value):
    """``value`` without its leading dimensions of size 1: PyTorch writes ``t[0] = tensor([5.])``
    (shape (1,) into one element), which NumPy's broadcasting alone refuses."""
    shape = np.shape(value)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return np.reshape(value, shape)


class InPlaceArray(np.ndarray):
    """A NumPy array with PyTorch's in-place methods: what ``t.data`` and ``t.grad`` are.

    ``t.data`` is a view of the tensor's memory that knows its tensor's version counter, so
    its methods count as in-place changes (a saved array changed this way makes
    ``backward()`` raise). Plain NumPy writes (``t.data[0] = 5``) are not counted.

    >>> import numpy as np
    >>> g = np.ones(3).view(InPlaceArray)
    >>> g.mul_(2).add_(1, alpha=0.5)
    array([2.5, 2.5, 2.5])
    >>> g.zero_()
    array([0., 0., 0.])
    """

    def __repr__(self):                      # reads as the array it is
        return repr(self.view(np.ndarray))

    def copy(self, order="C"):               # a copy is a plain array of its own
        return self.view(np.ndarray).copy(order)

    def _changed(self):
        tensor = self.__dict__.get("_tensor")
        if tensor is not None and tensor._data is self._source:   # still that tensor's array
            mark_changed(tensor)
        return self

    def zero_(self):
        """Set every element to 0."""
        self.fill(0)
        return self._changed()

    def fill_(self, value):
        """Set every element to ``value``."""
        self.fill(_array(value))
        return self._changed()

    def add_(self, other, *, alpha=1):
        """self ← self + alpha·other."""
        other = _array(other)
        np.add(self, other if alpha == 1 else alpha * np.asarray(other), out=self)
        return self._changed()

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha·other."""
        other = _array(other)
        np.subtract(self, other if alpha == 1 else alpha * np.asarray(other), out=self)
        return self._changed()

    def mul_(self, other):
        """self ← self · other."""
        np.multiply(self, _array(other), out=self)
        return self._changed()

    def div_(self, other):
        """self ← self / other."""
        np.divide(self, _array(other), out=self)
        return self._changed()

    def clamp_(self, min=None, max=None):
        """Limit every element to ``[min, max]``."""
        np.clip(self, _array(min), _array(max), out=self)
        return self._changed()

    def copy_(self, src):
        """Copy ``src``'s numbers in (broadcast to this shape)."""
        np.copyto(self, np.asarray(_array(src)), casting="same_kind")
        return self._changed()

    def normal_(self, mean=0.0, std=1.0):
        """Fill with samples of N(mean, std²) from the library's generator."""
        self[...] = generator().normal(mean, std, self.shape)
        return self._changed()

    def uniform_(self, low=0.0, high=1.0):
        """Fill with samples of U(low, high) from the library's generator."""
        self[...] = generator().uniform(low, high, self.shape)
        return self._changed()


class GradFn:
    """What ``t.grad_fn`` gives for a tensor made by an operation: the operation's backward,
    named as PyTorch prints it (``<MulBackward>``). Leaves have ``grad_fn`` None."""
    __slots__ = ("op", "_ctx", "_parents")

    def __init__(self, op, ctx, parents=()):
        self.op, self._ctx, self._parents = op, ctx, parents

    def name(self):
        return f"{self.op}Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        """The links back through the graph, as PyTorch gives them: one ``(node, 0)`` per
        input of the operation — the input's ``grad_fn``, an :class:`AccumulateGrad` for a
        leaf that requires grad, ``None`` for a constant. (The 0: which output of that node;
        every operation here has one.) The blitz tutorial walks ``loss.grad_fn`` this way."""
        needs = getattr(self._ctx, "needs_input_grad", ())
        needing = {position: parent for position, parent
                   in zip(getattr(self._ctx, "parent_positions", ()), self._parents)
                   if needs[position]}
        n_inputs = getattr(self._ctx, "n_inputs", len(needing))
        nodes = []
        for position in range(n_inputs):
            tensor = needing.get(position)
            if tensor is None:
                nodes.append((None, 0))
            elif tensor._ctx is None:
                nodes.append((AccumulateGrad(tensor), 0))
            else:
                nodes.append((GradFn(tensor.op, tensor._ctx, tensor._parents), 0))
        return tuple(nodes)


class AccumulateGrad:
    """The end of a ``next_functions`` walk: where a leaf's gradient is added to ``.grad``;
    ``variable`` is the leaf (PyTorch's name)."""
    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def _requires_grad(x):
    return isinstance(x, InPlaceMixin) and x.requires_grad


class InPlaceMixin:
    """The in-place operators and methods of ``Tensor`` (see the module docstring)."""

    __slots__ = ()

    @property
    def grad_fn(self):
        """The backward of the operation that made this tensor (None for a leaf)."""
        return None if self._ctx is None else GradFn(self.op, self._ctx, self._parents)

    # ------------------------------------------------------------------ operators
    # Nothing to record (the update inside no_grad(), an integer counter): NumPy's ufunc
    # with out= writes straight into the array, the fast path of every optimizer-style update.
    def _operator_in_place(self, other, ufunc, out_of_place):
        self._follow_base()   # (its base may have a graph now: then so does this change)
        if is_grad_enabled() and (self.requires_grad or _requires_grad(other)):
            return self._change(lambda old: out_of_place(old, self._same(other, old)),
                                ufunc.__name__)
        from .dtypes import _refuse_bools, result_type
        if ufunc in (np.subtract, np.power):
            _refuse_bools(self, other, _SIGN[ufunc])
        if ufunc is np.power:
            from .ops.arithmetic import _refuse_integer_to_negative_power
            _refuse_integer_to_negative_power(self._data, _array(other))
        if ufunc in (np.floor_divide, np.remainder):
            from .ops.arithmetic import refuse_integer_division_by_zero  # (ops import Tensor)
            refuse_integer_division_by_zero(self._data, _array(other))
        target = result_type(self, other)
        if ufunc is np.divide and target.kind != "f" or _LOWER[target.kind] > _LOWER[self.dtype.kind]:
            raise RuntimeError(f"in-place {ufunc.__name__}: the result's dtype ("
                               f"{'floating' if ufunc is np.divide else target}) can't be "
                               f"written into this {self.dtype} tensor; convert the tensor "
                               f"first (t = t.double()), or write t = t {_SIGN[ufunc]} other")
        # Same category or lower (int64 into uint8, float64 into float32): cast, as PyTorch.
        ufunc(self._data, _array(other), out=self._data, casting="unsafe")
        mark_changed(self)
        return self

    def __iadd__(self, other):
        return self._operator_in_place(other, np.add, type(self).__add__)

    def __isub__(self, other):
        return self._operator_in_place(other, np.subtract, type(self).__sub__)

    def __imul__(self, other):
        return self._operator_in_place(other, np.multiply, type(self).__mul__)

    def __itruediv__(self, other):
        return self._operator_in_place(other, np.divide, type(self).__truediv__)

    # Without these Python would run t = t // other (or t ** e): a new tensor, maybe of
    # another dtype, that views and other names of t never see.
    def __ifloordiv__(self, other):
        return self._operator_in_place(other, np.floor_divide, type(self).__floordiv__)

    def __imod__(self, other):
        return self._operator_in_place(other, np.remainder, type(self).__mod__)

    def __ipow__(self, exponent):
        return self._operator_in_place(exponent, np.power, type(self).__pow__)

    # ------------------------------------------------------------------ the _ methods
    def add_(self, other, *, alpha=1):
        """self ← self + alpha·other, in place (recorded as PyTorch records it)."""
        return self.__iadd__(other if alpha == 1 else other * alpha)

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha·other, in place."""
        return self.__isub__(other if alpha == 1 else other * alpha)

    def mul_(self, other):
        """self ← self · other, in place."""
        return self.__imul__(other)

    def div_(self, other):
        """self ← self / other, in place."""
        return self.__itruediv__(other)

    def zero_(self):
        """Set every element to 0, in place (the gradient to the old values is 0)."""
        return self.fill_(0)

    def fill_(self, value):
        """Set every element to ``value`` (a number or a one-element Tensor), in place."""
        return self._set(Ellipsis, value)

    def copy_(self, src):
        """Copy ``src`` (broadcast to this shape) into this tensor, in place; the gradient
        flows to ``src``."""
        return self._set(Ellipsis, src)

    def clamp_(self, min=None, max=None):
        """``clamp`` in place: each element limited to ``[min, max]``."""
        self._follow_base()
        if is_grad_enabled() and self.requires_grad:
            return self._change(lambda old: old.clamp(min, max), "clamp_")
        np.clip(self._data, _array(min), _array(max), out=self._data)
        mark_changed(self)
        return self

    def normal_(self, mean=0.0, std=1.0):
        """Fill with samples of N(mean, std²) from the library's generator, in place."""
        return self._set(Ellipsis, generator().normal(mean, std, self.shape))

    def uniform_(self, low=0.0, high=1.0):
        """Fill with samples of U(low, high) from the library's generator, in place."""
        return self._set(Ellipsis, generator().uniform(low, high, self.shape))

    def __setitem__(self, index, value):
        """``t[index] = value``, as PyTorch: the elements at ``index`` are overwritten (in
        place); recorded when ``value`` or ``t`` requires grad (the overwritten elements get
        gradient 0, ``value`` gets theirs)."""
        self._set(self._index(index), value, _index_tensors(index))

    def _set(self, index, value, watched=()):
        self._follow_base()
        if is_grad_enabled() and (self.requires_grad or _requires_grad(value)):
            from .ops import SetItem   # (the ops import this module's Tensor: not at the top)

            def overwrite(old):
                out = SetItem.apply(old, self._same(value, old), index=index)
                if watched and out._ctx is not None:
                    out._ctx.watched = watched
                return out
            return self._change(overwrite, "setitem")
        value = _array(value)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and self.dtype.kind != "f":
            raise TypeError(f"cannot write {value.dtype} values into a {self.dtype} tensor in "
                            f"place; convert one of them first")
        try:
            self._data[index] = value
        except ValueError:
            self._data[index] = drop_leading_ones(value)
        mark_changed(self)
        return self

    def _same(self, other, old):
        """``other`` as an operand of the recorded change: ``self`` itself means its old value."""
        return old if other is self else other

    # ------------------------------------------------------------------ recording
    def _follow_base(self):
        """If this tensor is a stale view (:func:`is_stale`), take its base's new node first,
        so that what is done with it next — a change through it, backward() — reaches the
        base's graph. (Function.apply makes the same check inline: it is on every op's path.)"""
        if self._view_of is not None and is_stale(self):
            remake_view(self)

    def _change(self, compute, name):
        """Make this tensor hold ``compute(old)`` in place, recorded in the graph.

        ``compute`` builds the new value, out of place, from a Tensor ``old`` standing for
        this tensor's current value and node."""
        if self.requires_grad and self.is_leaf:
            raise RuntimeError(
                f"a leaf tensor that requires grad is being used in an in-place operation "
                f"({name}): autograd needs its values as they are. Change a parameter inside "
                f"`with no_grad():` (as an optimizer does), or write y = x + ... for a new "
                f"tensor")
        if self._view_of is not None:
            return self._change_view(compute, name)
        old = self._snapshot()
        new = self._fitted(compute(old), name)
        self._data[...] = new._data
        self._take_node(new, old, mark_changed(self))
        return self

    def _change_view(self, compute, name):
        """In place on a view: the new value is written into the tensor it views."""
        base, op, kwargs = self._view_of
        if base.requires_grad and base.is_leaf:
            raise RuntimeError(
                f"a view of a leaf tensor that requires grad is being used in an in-place "
                f"operation ({name}); change the parameter inside `with no_grad():`, or "
                f"work on a copy (x.clone())")
        write_back = _WRITE_BACK.get(op.__name__)
        if write_back is None:
            raise RuntimeError(
                f"in-place {name} on a tensor that shares memory with its input through "
                f"{op.__name__}, which cannot be written back; work on a copy (t.clone())")
        old = self._snapshot()

        def through_base(base_old):   # the base's new value, from its old one
            view_now = op.apply(base_old, **kwargs)
            return write_back(base_old, self._fitted(compute(view_now), name), kwargs)
        base._change(through_base, name)
        self._take_node(op.apply(base, **kwargs), old, InPlaceChanges.count)
        return self

    def _snapshot(self):
        """A new Tensor with this one's node and a copy of its numbers: what the graph
        recorded so far keeps pointing at, once this tensor has moved on."""
        old = type(self)._constant(self._data.copy())
        old.requires_grad, old.op, old._parents, old._ctx = (self.requires_grad, self.op,
                                                             self._parents, self._ctx)
        old.label = self.label
        # The ops that saved this array (out = x.sigmoid() saves out) must see it change.
        old._version = version_counter(self)
        return old

    def _take_node(self, new, old, when):
        """Become ``new``'s node; ops recorded before ``when`` are sent to ``old`` instead."""
        self.requires_grad, self.op, self._parents, self._ctx = (new.requires_grad, new.op,
                                                                 new._parents, new._ctx)
        if self._rebased is None:
            self._rebased = []
        self._rebased.append((when, old))

    def _fitted(self, new, name):
        """The new value, of this tensor's shape and dtype (as PyTorch: the result of an
        in-place op keeps the tensor's dtype; it may not need a larger shape)."""
        if new.shape != self.shape:
            raise RuntimeError(f"in-place {name}: the result has shape {new.shape}, which does "
                               f"not fit this tensor's shape {self.shape} (broadcasting may "
                               f"stretch the other operand, never the tensor changed in "
                               f"place); write t = t + other for a new tensor")
        if new.dtype != self.dtype:
            if not np.can_cast(new.dtype, self.dtype, "same_kind"):
                raise TypeError(f"in-place {name}: the result's dtype {new.dtype} can't be "
                                f"cast to this tensor's dtype {self.dtype}; convert the "
                                f"tensor first (t = t.double())")
            from .ops import Cast
            new = Cast.apply(new, dtype=self.dtype)
        return new


def is_stale(view):
    """True if ``view`` (a tensor with ``_view_of``) no longer follows its base's node: the
    base was changed in place after the view's node was recorded, or the view was made without
    a graph and an in-place change gave its base one since (``a = zeros(3); b = a[1:]; a +=
    x`` with x requiring grad: b's numbers are a's, so must its gradient path be). A base that
    only became a leaf requiring grad (``a.requires_grad_()``) leaves earlier views without a
    graph, as in PyTorch."""
    if view._ctx is None:
        return view._view_of[0]._ctx is not None and is_grad_enabled()
    return view._version.version > view._ctx.saved_at


def remake_view(view):
    """A stale view (:func:`is_stale`): its numbers are the base's new ones, so before it is
    used again its node becomes the same view of the base's new node, as PyTorch regenerates a
    view's ``grad_fn``. Ops recorded before keep the old node (``_rebased``)."""
    base, op, kwargs = view._view_of
    old = view._snapshot()
    view._take_node(op.apply(base, **kwargs), old, InPlaceChanges.count)


def _index_tensors(index):
    """The Tensors in an index (their arrays are kept by the op: watched for changes)."""
    parts = index if isinstance(index, tuple) else (index,)
    return tuple(p for p in parts if isinstance(p, InPlaceMixin))


def _write_item(base_old, new, kwargs):
    from .ops import SetItem
    return SetItem.apply(base_old, new, index=kwargs["index"])


def _write_reshaped(base_old, new, kwargs):
    from .ops import Reshape
    return Reshape.apply(new, shape=base_old.shape)


def _write_transposed(base_old, new, kwargs):
    axes = kwargs.get("axes")
    inverse = None if axes is None else tuple(int(a) for a in np.argsort(axes))
    from .ops import Transpose
    return Transpose.apply(new, axes=inverse)


# How a new value of a view is written into the tensor it views, per view-making op.
_WRITE_BACK = {"GetItem": _write_item, "Reshape": _write_reshaped,
               "Transpose": _write_transposed}
