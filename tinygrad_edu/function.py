"""``Function``: one operation of the Tensor engine, as a forward rule and a backward rule.

Every Tensor operation, built in or your own, is a small subclass of :class:`Function`
with two static methods that work on plain NumPy arrays:

* ``forward(ctx, *arrays, **kw) -> ndarray`` computes the result and may keep what the
  backward rule will need: ``ctx.save_for_backward(x, out)`` (or ``ctx.anything = value``);
* ``backward(ctx, grad) -> ndarray | tuple`` receives ``grad`` = ∂L/∂out (same shape as the
  output) and returns ∂L/∂input for each positional input of ``forward`` — the
  *vector-Jacobian product* ``grad · ∂out/∂input`` — with ``None`` for inputs that need none
  (``ctx.needs_input_grad[i]`` says which do).

``MyOp.apply(*inputs, **kw)`` runs ``forward`` on the inputs' arrays and returns a new Tensor
that remembers ``MyOp`` (as ``.op``), its inputs (as ``.parents``) and the ``ctx``. This is
``torch.autograd.Function``'s design: the ``ctx`` object *is* an instance of the op's class.

>>> import numpy as np
>>> from tinygrad_edu import Tensor
>>> class Cube(Function):
...     '''y = x³,  dy/dx = 3x²'''
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

Saved arrays are shared, not copied (copies would cost every step). So changing a tensor's
``.data`` *in place* between a forward pass and its ``backward()`` would make the backward
rules read the changed numbers: a silently wrong gradient. As in PyTorch, **version
counters** catch it: every in-place change (``t.data += 1``, ``t.data =`` the same array,
``optimizer.step()``) dates the tensor, ``apply`` notes the date of the forward pass, and
``backward()`` raises ``RuntimeError`` naming the op if an input or output whose array the op
saved was changed after that. Assigning a new array (``t.data = ...``) is safe and not counted.
Writes into the raw array (``t.data[0] = 5``, or ``a = t.data; a += 1``) bypass the counter:
the library cannot see them, so they remain a rule to follow.

>>> w = Tensor([1.0, 2.0], requires_grad=True)
>>> y = (w * w).sum()        # Mul saves w's array
>>> w.data += 1               # ... which is then changed in place
>>> y.backward()
Traceback (most recent call last):
    ...
RuntimeError: Mul's backward needs an array that was changed in place after the forward pass: ...

Second derivatives: ``differentiable_backward``
-----------------------------------------------
``backward`` works on arrays, so its result is a plain number: fast, easy to read, and
impossible to differentiate again. For ``autograd.grad(..., create_graph=True)`` (and so
``hessian``, ``hvp``, ``gradgradcheck``) the graph walker needs the gradient *as a Tensor made
by Tensor operations*, whose own graph can be walked once more. So an op may declare a second,
optional static method with the same rule written with Tensor operations::

    @staticmethod
    def differentiable_backward(ctx, grad, out, *inputs):
        (x,) = inputs
        return grad * 3 * x ** 2        # Cube: the same formula, on Tensors

* ``grad`` is ∂L/∂out as a Tensor (it may itself depend on the inputs);
* ``out`` is the op's output Tensor: use it where ``backward`` reuses the output (e.g.
  ``grad * out`` for exp). Referring to it makes no cycle: the new nodes point at ``out``,
  ``out`` never points at them;
* ``inputs`` are ``forward``'s positional inputs as given to ``apply``: Tensors, Python
  numbers, or (NumPy arrays) Tensors without gradient;
* return one Tensor (or ``None``) per input, exactly like ``backward``. ``ctx`` holds
  whatever ``forward`` stored (shapes, axes, masks). A constant factor such as a relu mask may
  stay an array: its derivative is zero.

Only ``create_graph=True`` calls it; ``backward()`` and ``grad(..., create_graph=False)``
never do, so the first-order path costs exactly what it did. This is PyTorch's shape
(formulas on tensors, recorded only when asked) rather than DeZero's (every backward always
builds a graph), chosen so that a learner reading a first-order backward still sees a few
lines of array math. The price is that every rule is written twice; ``gradgradcheck`` and
the PyTorch reference tests hold the two forms to each other.

An op without ``differentiable_backward`` (your own ``Function`` that only defines
``backward``) still works for first derivatives; ``create_graph=True`` through it raises
``RuntimeError`` naming it, never a silently wrong second derivative.

Why the ``ctx`` never holds the output Tensor: the output holds the ``ctx`` (``out._ctx``), so
a reference back would make a cycle, and every training step would leave garbage for the
cycle collector. The ``ctx`` keeps only arrays and the *input* Tensors; the graph is a tree of
plain references from the loss down to the leaves, freed the moment the loss is dropped.
"""
import numpy as np

from .autograd import _AnomalyMode, _GradMode, check_finite

__all__ = ["Function"]


class Function:
    """Base class of every Tensor operation; subclass it and call ``YourOp.apply(...)``.

    An instance of the subclass is the ``ctx`` handed to ``forward`` and ``backward``:

    * ``ctx.save_for_backward(*arrays)`` / ``ctx.saved_tensors`` — arrays kept for backward;
    * ``ctx.needs_input_grad`` — a tuple of bools, one per positional input;
    * any other attribute you set (``ctx.axis = axis``) is kept as well.

    Non-Tensor inputs (numbers, arrays) are passed to ``forward`` unchanged and are treated
    as constants: whatever ``backward`` returns for them is ignored.
    """

    # A hint appended to shape errors raised in forward (subclasses may override).
    shape_hint = ""
    # What a ctx holds when forward saved nothing.
    saved_tensors = ()
    saved_at = 0   # the count of in-place changes when the op was recorded (set by apply)

    def __init_subclass__(cls, **kwargs):
        """Refuse, when the class is defined, a forward/backward written without
        ``@staticmethod`` (it would fail only later, inside backward, with a puzzling error).
        And make the class's ctx type (see ``__init__``)."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_is_ctx_type"):
            return
        for name in ("forward", "backward", "differentiable_backward"):
            method = cls.__dict__.get(name)
            if method is not None and not isinstance(method, staticmethod):
                raise TypeError(f"{cls.__name__}.{name} must be a static method: add "
                                f"@staticmethod on the line above 'def {name}(ctx, ...)' "
                                f"(it receives ctx, not self)")
        cls._ctx_type = type(cls.__name__, (cls,), {
            "__init__": object.__init__, "_is_ctx_type": True,
            "__module__": cls.__module__, "__qualname__": cls.__qualname__})

    def __init__(self, *args, **kwargs):
        """Only here to explain the mistake ``MyOp(x)``. ``apply`` makes each ctx as an
        instance of ``MyOp._ctx_type``, a subclass without this method, because a Python
        ``__init__`` would cost every operation of every training step a function call."""
        if args or kwargs:
            name = type(self).__name__
            raise TypeError(f"{name} is a Function: call {name}.apply(...) with the inputs, "
                            f"not {name}(...)")

    def __call__(self, *args, **kwargs):
        name = type(self).__name__
        raise TypeError(f"a Function is not called through an instance: use "
                        f"{name}.apply(...) with the inputs")

    # The backward rule on Tensors, for create_graph=True (see the module docstring). None:
    # this op is differentiable once only.
    differentiable_backward = None

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
        ctx = cls._ctx_type()   # an instance of cls, made without Function.__init__
        arrays, parents, needs, differentiable = [], [], [], []
        for position, x in enumerate(inputs):
            if isinstance(x, Tensor):
                arrays.append(x._data)
                parents.append(x)
                needs.append(x.requires_grad)
                if x.requires_grad:
                    differentiable.append((position, x))
            else:  # a number or an array: a constant
                arrays.append(x)
                needs.append(False)
        ctx.needs_input_grad = tuple(needs)
        try:
            data = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as error:  # mostly numpy's shape complaints: say which op and shapes
            shapes = " and ".join(str(np.shape(a)) for a in arrays)
            raise ValueError(f"{cls.__name__} failed for input shape(s) {shapes}: {error}. "
                             f"{cls.shape_hint}".rstrip()) from None
        if type(data) is not np.ndarray:  # numpy reductions return scalars: keep arrays
            data = np.asarray(data)
        if _AnomalyMode.enabled:
            check_finite(cls.__name__, data, "forward")

        out = Tensor.__new__(Tensor)
        out._data = data
        out._version = None
        if data.base is not None:  # a view of an input (reshape, transpose, basic indexing)?
            _share_version_counter(out, parents)
        out.grad = None
        out.label = ""
        if differentiable and (_GradMode.everywhere or _GradMode.local.enabled):
            out.requires_grad = True
            out.op = cls.__name__
            out.parents = tuple(parents)
            # For backward: how many gradients to expect, and where each one goes.
            ctx.n_inputs = len(inputs)
            ctx.differentiable = differentiable
            ctx.inputs = inputs  # for differentiable_backward: one reference, no copy
            ctx.saved_at = _inplace_changes[0]  # for the version check at backward
            out._ctx = ctx
        else:  # a constant: nothing to differentiate, so nothing is remembered
            out.requires_grad = False
            out.op = ""
            out.parents = ()
            out._ctx = None
        return out


def _share_version_counter(out, parents):
    """Give ``out`` the version counter of the input whose memory it views, if any.

    NumPy points every view at the array that owns the memory (``.base``), so ``out`` views
    input ``x`` when both have the same owner.
    """
    memory = out._data.base
    for x in parents:
        data = x._data
        if data is memory or data.base is memory:
            out._version = _version_counter(x)
            return


# Tensor is defined in tensor.py, which imports the built-in ops, which subclass Function:
# the two modules need each other, so this import sits below the class it depends on.
from .tensor import Tensor, _inplace_changes, _version_counter  # noqa: E402
