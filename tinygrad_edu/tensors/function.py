"""``Function``: one operation of the Tensor engine, as a forward rule and one backward rule.

Every Tensor operation, built in or your own, is a small subclass of :class:`Function` with
two static methods:

* ``forward(ctx, *arrays, **kw) -> ndarray`` computes the result from NumPy arrays and keeps
  what backward will need: ``ctx.save_for_backward(x, out)`` (constants such as shapes or
  masks as ``ctx.anything = value``);
* ``backward(ctx, grad)`` receives ``grad`` = ∂L/∂out and returns ∂L/∂input for each
  positional input (``None`` where ``ctx.needs_input_grad[i]`` is False): the
  *vector-Jacobian product* ``grad · ∂out/∂input``.

``MyOp.apply(*inputs, **kw)`` runs ``forward`` and returns a Tensor that remembers ``MyOp``
(``.op``), its inputs (``.parents``) and the ``ctx`` — ``torch.autograd.Function``'s design.

One backward rule serves first and second derivatives. ``backward()`` calls it with arrays
(:func:`chain_rule`). ``autograd.grad(..., create_graph=True)`` calls it with Tensors
(:func:`chain_rule_on_tensors`): ``grad`` is a Tensor and ``ctx.saved_tensors`` hands back the
input and output Tensors the saved arrays belong to, so every operation of the rule is
recorded and can be differentiated again. So save only inputs and the output; keep
constants (a mask, a table of weights) as ``ctx`` attributes. A rule whose arithmetic reads the same on both
(operators, ``.sum``, ``.reshape``, and the functions of :mod:`.ops.xp`) says so with
``twice_differentiable = True``; without it, ``create_graph=True`` through the op raises
``RuntimeError`` naming it, never a silently wrong second derivative.

>>> import numpy as np
>>> from tinygrad_edu import Tensor
>>> from tinygrad_edu.autograd import grad
>>> class Cube(Function):
...     '''y = x³,  dy/dx = 3x²'''
...     twice_differentiable = True
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return grad * 3 * x ** 2
>>> x = Tensor([1.0, 2.0], requires_grad=True)
>>> y = Cube.apply(x)
>>> y.op, y.data
('Cube', array([1., 8.]))
>>> y.backward(np.ones(2)); x.grad
array([ 3., 12.])
>>> (dy,) = grad(Cube.apply(x).sum(), [x], create_graph=True)   # 3x², recorded
>>> grad(dy.sum(), [x])[0].data                                  # 6x
array([ 6., 12.])

Older code may give an op a second static method ``differentiable_backward(ctx, grad, out,
*inputs)`` with the rule written again on Tensors; ``create_graph=True`` still calls it when
present. New code writes the one rule instead.

Saved arrays are shared, not copied, so an in-place change between forward and backward
would make the rule read new numbers; the version counters of :mod:`.versions` catch it and
``backward()`` raises ``RuntimeError`` naming the op. The ``ctx`` never holds the output
Tensor (the output holds the ``ctx``: a reference back would be a cycle), so the graph is a
tree of plain references, freed the moment the loss is dropped.
"""
import numpy as np

from ..graph import _AnomalyMode, _grad_mode, check_finite
from .inplace import InPlaceArray, is_stale, remake_view
from .versions import InPlaceChanges, check_versions, node_at, share_version_counter

__all__ = ["Function", "chain_rule", "chain_rule_on_tensors", "release_graph"]


class Function:
    """Base class of every Tensor operation; subclass it and call ``YourOp.apply(...)``.

    An instance of the subclass is the ``ctx`` handed to ``forward`` and ``backward``:

    * ``ctx.save_for_backward(*arrays)`` / ``ctx.saved_tensors`` — arrays kept for backward;
    * ``ctx.needs_input_grad`` — a tuple of bools, one per positional input;
    * any other attribute you set (``ctx.axis = axis``) is kept as well.

    Non-Tensor inputs (numbers, arrays) are passed to ``forward`` unchanged and are treated
    as constants: whatever ``backward`` returns for them is ignored.
    """

    shape_hint = ""               # appended to shape errors raised in forward
    saved_tensors = ()            # what a ctx holds when forward saved nothing
    twice_differentiable = False  # backward may run on Tensors (see the module docstring)
    differentiable_backward = None  # the older second rule, if an op still has one
    freed = False                 # True once backward() let go of what the op saved
    release = None                # release(ctx): let go of more than arrays, after backward()

    def __init_subclass__(cls, **kwargs):
        """Refuse, when the class is defined, a forward/backward written without
        ``@staticmethod`` (it would fail only later, inside backward, with a puzzling error).
        And make the class's ctx class (see ``__init__``)."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_is_ctx_class"):
            return
        for name in ("forward", "backward", "differentiable_backward"):
            method = cls.__dict__.get(name)
            if method is not None and not isinstance(method, staticmethod):
                raise TypeError(f"{cls.__name__}.{name} must be a static method: add "
                                f"@staticmethod on the line above 'def {name}(ctx, ...)' "
                                f"(it receives ctx, not self)")
        cls._ctx_class = type(cls.__name__, (cls,), {
            "__init__": object.__init__, "_is_ctx_class": True,
            "__module__": cls.__module__, "__qualname__": cls.__qualname__})

    def __init__(self, *args, **kwargs):
        """Only here to explain the mistake ``MyOp(x)``. ``apply`` makes each ctx as an
        instance of ``MyOp._ctx_class``, a subclass without this method, because a Python
        ``__init__`` would cost every operation of every training step a function call."""
        if args or kwargs:
            name = type(self).__name__
            raise TypeError(f"{name} is a Function: call {name}.apply(...) with the inputs, "
                            f"not {name}(...)")

    def __call__(self, *args, **kwargs):
        name = type(self).__name__
        raise TypeError(f"a Function is not called through an instance: use "
                        f"{name}.apply(...) with the inputs")

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx, *arrays, **kwargs):
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a Function subclass must define a static backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run ``forward`` on the inputs' arrays; return the result as a Tensor in the graph.

        The result requires grad if grad mode is on and any input Tensor requires grad;
        otherwise no graph is recorded (no parents, nothing saved for later).
        """
        ctx = cls._ctx_class()   # an instance of cls, made without Function.__init__
        # 1. The inputs: arrays for forward; which ones are Tensors, and which need a gradient.
        arrays, parents, positions, needs = [], [], [], []
        differentiable = False
        for position, x in enumerate(inputs):
            if isinstance(x, Tensor):
                if x._view_of is not None and is_stale(x):   # InPlaceMixin._follow_base,
                    remake_view(x)   # written out: every op's inputs pass here
                arrays.append(x._data)
                parents.append(x)
                positions.append(position)
                needs.append(x.requires_grad)
                differentiable = differentiable or x.requires_grad
            else:   # a number or an array: a constant (a Tensor's .data as the plain array)
                arrays.append(x.view(np.ndarray) if type(x) is InPlaceArray else x)
                needs.append(False)
        ctx.needs_input_grad = tuple(needs)
        # 2. The forward rule, on arrays (shape errors made to name the op; anomaly check).
        out = Tensor._constant(_run_forward(cls, ctx, arrays, kwargs))
        # 3. A view of an input (reshape, transpose, basic indexing) shares its versions, and
        #    remembers how it was made (an in-place change of it is written back: inplace.py).
        if out._data.base is not None:
            viewed = share_version_counter(out, parents)
            if viewed is not None:
                out._view_of = (viewed, cls, kwargs)
        # 4. Recording: the op, its parents, and the ctx with what backward will need.
        if differentiable and _grad_mode.enabled:
            out.requires_grad, out.op, out._ctx = True, cls.__name__, ctx
            out._parents = tuple(parents)
            ctx.n_inputs = len(inputs)           # how many gradients backward returns
            ctx.parent_positions = positions     # where each parent was among the inputs
            # For create_graph=True: which Tensor each saved array was (see _SavedAsTensors).
            ctx.inputs, ctx.input_arrays, ctx.output_array = inputs, arrays, out._data
            ctx.saved_at = InPlaceChanges.count  # the clock, for the version check at backward
        return out


def _run_forward(cls, ctx, arrays, kwargs):
    """``cls.forward`` on the arrays: an array, with NumPy's shape complaints made to name the
    op and the shapes, and (under ``detect_anomaly``) a check that it is finite."""
    try:
        data = cls.forward(ctx, *arrays, **kwargs)
    except ValueError as error:
        shapes = " and ".join(str(np.shape(a)) for a in arrays)
        raise ValueError(f"{cls.__name__} failed for input shape(s) {shapes}: {error}. "
                         f"{cls.shape_hint}".rstrip()) from None
    if type(data) is not np.ndarray:  # NumPy returns 0-d results as scalars: keep arrays
        scalar, data = data, np.asarray(data)
        if any(saved is scalar for saved in ctx.saved_tensors):   # saved: the array now
            ctx.saved_tensors = tuple(data if saved is scalar else saved
                                      for saved in ctx.saved_tensors)
    if _AnomalyMode.enabled:
        check_finite(cls.__name__, data, "forward")
    return data


# ------------------------------------------------------------------------ the chain rule
def chain_rule(node, grad):
    """One node's step of the backward walk (:func:`tinygrad_edu.graph.backpropagate`), on
    arrays: its op's ``backward`` turns ∂L/∂node into ``(parent, ∂L/∂parent)`` pairs."""
    ctx = node._ctx
    if ctx.freed:
        _freed(node)
    changed = ctx.saved_at != InPlaceChanges.count   # some tensor changed in place since forward
    if changed:
        check_versions(node, ctx)
    if type(grad) is not np.ndarray:   # a sum of two 0-d arrays is a NumPy scalar
        grad = np.asarray(grad)
    input_grads = _one_per_input(node, ctx, ctx.backward(ctx, grad), "backward")
    pairs = []
    needs = ctx.needs_input_grad
    for position, parent in zip(ctx.parent_positions, node._parents):
        parent_grad = input_grads[position]
        if parent_grad is None or not needs[position]:
            continue
        if type(parent_grad) is not np.ndarray:
            parent_grad = np.asarray(parent_grad)
        if parent_grad.shape != parent._data.shape:
            _wrong_shape(node, "backward", position, parent_grad.shape, parent)
        if _AnomalyMode.enabled:
            check_finite(node.op, parent_grad, "backward")
        if changed and parent._rebased is not None:   # it moved on: the node it was then
            parent = node_at(parent, ctx.saved_at)
        pairs.append((parent, parent_grad))
    return pairs


def chain_rule_on_tensors(node, grad):
    """:func:`chain_rule` for ``create_graph=True``: the same rule run on Tensors, so that
    the gradients it returns are themselves recorded."""
    ctx = node._ctx
    if ctx.freed:
        _freed(node)
    changed = ctx.saved_at != InPlaceChanges.count
    if changed:
        check_versions(node, ctx)
    if ctx.differentiable_backward is not None:   # an older op with a second rule
        rule = "differentiable_backward"
        operands = [Tensor._constant(x) if isinstance(x, np.ndarray) else x for x in ctx.inputs]
        result = ctx.differentiable_backward(ctx, grad, node, *operands)
    elif ctx.twice_differentiable:
        rule = "backward"
        result = ctx.backward(_SavedAsTensors(ctx, node), grad)
    else:
        raise RuntimeError(
            f"{node.op} cannot be differentiated twice: create_graph=True runs its backward on "
            f"Tensors, and {node.op} has not said that its backward works there. Write the "
            f"backward with operators and tinygrad_edu.tensors.ops.xp functions (no np.* "
            f"calls on saved values), save only inputs and the output (constants as ctx "
            f"attributes), then set twice_differentiable = True on the class; or leave "
            f"create_graph=False")
    input_grads = _one_per_input(node, ctx, result, rule)
    pairs = []
    needs = ctx.needs_input_grad
    for position, parent in zip(ctx.parent_positions, node._parents):
        parent_grad = input_grads[position]
        if parent_grad is None or not needs[position]:
            continue
        if not isinstance(parent_grad, Tensor):   # e.g. a constant zero array
            parent_grad = Tensor._constant(np.asarray(parent_grad, dtype=parent.dtype))
        if parent_grad.shape != parent._data.shape:
            _wrong_shape(node, rule, position, parent_grad.shape, parent)
        if changed and parent._rebased is not None:
            parent = node_at(parent, ctx.saved_at)
        pairs.append((parent, parent_grad))
    return pairs


class _SavedAsTensors:
    """A ``ctx`` as its backward rule sees it under ``create_graph=True``: every attribute as
    it is, except ``saved_tensors``, where each saved array is handed back as the Tensor it was
    in the forward pass — an input, or the output — so that the rule's arithmetic on it is
    recorded. An array that was a constant input (not a Tensor) becomes a Tensor without
    gradient. Anything else cannot be differentiated through, so it is refused: constants an
    op computes for its backward (masks, weights) belong in ``ctx`` attributes instead."""

    def __init__(self, ctx, node):
        self._ctx = ctx
        self.saved_tensors = tuple(_as_tensor(ctx, node, k, saved)
                                   for k, saved in enumerate(ctx.saved_tensors))

    def __getattr__(self, name):
        return getattr(self._ctx, name)


def _as_tensor(ctx, node, k, saved):
    """The Tensor that the k-th saved value was in the forward pass (a number stays one)."""
    if not isinstance(saved, np.ndarray):
        return saved
    arrays = ctx.input_arrays
    # The input at the same position first: in x.detach() * x both inputs share one array.
    if k < len(arrays) and arrays[k] is saved:
        position = k
    elif saved is ctx.output_array:
        return node
    else:
        position = next((i for i, a in enumerate(arrays) if a is saved), None)
        if position is None:
            raise RuntimeError(
                f"{node.op} saved for backward an array that is neither one of its inputs nor "
                f"its output, so create_graph=True cannot tell how it depends on the inputs. "
                f"Save inputs and the output with ctx.save_for_backward; keep constants (masks, "
                f"weights) as ctx attributes; recompute anything else in backward")
    x = ctx.inputs[position]
    return x if isinstance(x, Tensor) else Tensor._constant(saved)


def _one_per_input(node, ctx, input_grads, rule):
    """A rule's result as a tuple with one entry per forward input (a rule for a single
    input may return its gradient bare); any other count is the rule's mistake."""
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if len(input_grads) != ctx.n_inputs:
        raise ValueError(f"{node.op}.{rule} returned {len(input_grads)} gradient(s) but "
                         f"forward had {ctx.n_inputs} input(s); return one per input "
                         f"(None for those without a gradient)")
    return input_grads


# ------------------------------------------------------------------ after backward()
def release_graph(order):
    """Let go of every array the graph in ``order`` holds, keeping its shape (what
    ``backward()`` does unless ``retain_graph=True``, as PyTorch).

    Two kinds of arrays: what the ops saved for backward (``ctx.saved_tensors`` and arrays kept
    as ``ctx`` attributes), and the intermediate tensors themselves, which the graph holds as
    ``parents``. Each op's inputs are replaced by stand-ins (``freed`` Tensors with the op,
    parents, shape and dtype, and no numbers), so an intermediate tensor nobody else holds is
    freed; leaves that require grad (parameters) stay themselves. An op that had saved
    something is marked ``freed``: a second ``backward()`` through it raises. Ops that saved
    nothing (``+``, ``sum``, reshapes) can still pass a gradient on, as in PyTorch.
    """
    done = {}   # id(tensor) -> its stand-in
    for node in order:             # inputs before users: a node's inputs are done first
        ctx = node._ctx
        if ctx is None:
            continue
        node._parents = tuple([_stand_in(p, done) for p in node._parents])
        if node._rebased is not None:
            node._rebased = [(when, _stand_in(old, done)) for when, old in node._rebased]
        _drop_saved(ctx)


def _stand_in(tensor, done):
    """The stand-in of ``tensor`` (made once per graph: ``done``); a parameter stays itself,
    as PyTorch's graph keeps its leaves."""
    found = done.get(id(tensor))
    if found is None:
        if tensor.freed or tensor.requires_grad and tensor._ctx is None:
            return tensor
        found = done[id(tensor)] = _Freed.of(tensor, done)
    return found


def _drop_saved(ctx):
    """Delete the arrays a ctx holds; mark it ``freed`` if backward needed any of them."""
    attributes = vars(ctx)
    needed = bool(attributes.pop("saved_tensors", ()))
    for name in _INPUTS_KEPT:    # (the inputs and output, for create_graph=True)
        attributes.pop(name, None)
    arrays = []
    if len(attributes) > len(_APPLY_KEEPS):   # forward kept more than apply's own four: look
        arrays = [name for name, value in attributes.items() if name not in _BOOKKEEPING and (
            type(value) is np.ndarray or type(value) in _SEQUENCES and _holds_array(value))]
        for name in arrays:
            del attributes[name]
    if needed or arrays:
        ctx.freed = True
        if ctx.release is not None:   # an op that keeps more than arrays (autograd.Function)
            ctx.release(ctx)


# What Function.apply keeps of the inputs and output (dropped, not counted as saved); what
# else it keeps on every recorded ctx; and what it and the built-in ops keep that is never an
# array (skipped by the scan).
_APPLY_KEEPS = ("needs_input_grad", "n_inputs", "parent_positions", "saved_at")
_BOOKKEEPING = frozenset(_APPLY_KEEPS + ("shapes", "shape", "keep_shape", "axis", "dtype",
                                         "inverse", "ends", "value_shape"))
_INPUTS_KEPT = ("inputs", "input_arrays", "output_array", "watched")
_SEQUENCES = (tuple, list)


def _holds_array(values):
    return any(isinstance(v, np.ndarray) for v in values)


def _freed(node):
    raise RuntimeError(
        f"Trying to backward through the graph a second time (or directly access saved "
        f"tensors after they have already been freed): {node.op} needs the arrays it saved, "
        f"and backward() let go of them. Saved intermediate values of the graph are freed "
        f"when you call .backward(). Specify retain_graph=True if you need to backward "
        f"through the graph a second time (loss.backward(retain_graph=True)), or run the "
        f"forward pass again.")


def _wrong_shape(node, rule, position, shape, parent):
    raise ValueError(f"{node.op}.{rule} returned a gradient of shape {shape} for input "
                     f"{position}, whose shape is {parent._data.shape}")


# Tensor is defined in tensor.py, which imports the built-in ops, which subclass Function:
# the two modules need each other, so this import sits below the class it depends on.
from .tensor import Tensor  # noqa: E402


class _Freed(Tensor):
    """A stand-in for a tensor of a graph after ``backward()``: its op, parents, label, shape
    and dtype, and no numbers (``data`` is a zero-strided view of one zero: no memory)."""
    __slots__ = ()
    freed = True

    @classmethod
    def of(cls, tensor, done):
        out = cls.__new__(cls)
        data = tensor._data
        key = (data.shape, data.dtype)
        no_numbers = _NO_NUMBERS.get(key)
        out._data = _no_numbers(key) if no_numbers is None else no_numbers
        out._version, out._grad, out.requires_grad = tensor._version, None, tensor.requires_grad
        out.label, out.op, out._parents, out._ctx = tensor.label, tensor.op, tensor._parents, tensor._ctx
        out._view_of = None
        out._rebased = (None if tensor._rebased is None else
                        [(when, _stand_in(old, done)) for when, old in tensor._rebased])
        return out


_NO_NUMBERS = {}


def _no_numbers(key):
    """A read-only array of shape and dtype ``key`` with no memory behind it (every element is
    the same one zero): what a stand-in holds. Made once per shape and dtype."""
    shape, dtype = key
    found = _NO_NUMBERS[key] = np.broadcast_to(np.zeros((), dtype), shape)
    return found
