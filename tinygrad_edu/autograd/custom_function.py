"""``tinygrad_edu.autograd.Function``: PyTorch's custom-function protocol, on Tensors.

Two protocols for writing your own operation, side by side:

==========================================  ===========================================
``tinygrad_edu.Function`` (the engine's)    ``tinygrad_edu.autograd.Function`` (PyTorch's)
==========================================  ===========================================
``forward(ctx, *arrays)`` gets NumPy arrays  ``forward(ctx, *tensors)`` gets Tensors
``backward(ctx, grad)``: array math          ``backward(ctx, *grads)``: Tensor operations
saves arrays: ``ctx.save_for_backward(a)``   saves Tensors: ``ctx.save_for_backward(t)``
every built-in op is one (``tensors/ops/``)  ``torch.autograd.Function`` code ports as is
==========================================  ===========================================

Both are called as ``MyOp.apply(x)``; both give ``ctx.needs_input_grad``. Here ``forward``
runs with recording off (as in PyTorch: what it computes is one node of the graph, not many),
and ``backward`` is handed Tensors, so it may use any Tensor operation (``clamp``, ``clone``,
comparisons, ``where``) and return Tensors (or None for an input without a gradient). Because
``backward`` is Tensor code, the operation can be differentiated twice: under
``create_graph=True`` its backward is recorded like any other computation.

How it works: the result is one node of the engine's own kind (a private
:class:`~tinygrad_edu.tensors.function.Function` subclass) whose backward rule wraps the
incoming gradient in a Tensor, calls yours, and unwraps what it returns.

>>> import tinygrad_edu as torch
>>> class Cube(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad_output):
...         x, = ctx.saved_tensors
...         return grad_output * 3 * x ** 2
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> Cube.apply(x).sum().backward(); x.grad
array([ 3., 12.])
"""
import weakref

import numpy as np

from ..graph import enable_grad, no_grad
from ..tensors import Function as _EngineFunction, Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` of a :class:`Function`: ``save_for_backward(*tensors)``,
    ``saved_tensors``, ``needs_input_grad``, ``mark_non_differentiable(*outputs)``, and any
    attribute you set in ``forward`` (``ctx.constant = 3``) for ``backward`` to read."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._non_differentiable = ()
        self._recorded_output = None   # (forward's result, weak reference to the graph's node)

    def save_for_backward(self, *tensors):
        for position, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward takes Tensors (or None); argument "
                                f"{position} is a {type(t).__name__}: keep other values as "
                                f"ctx attributes (ctx.name = value)")
        self._saved = tensors

    @property
    def saved_tensors(self):
        """What ``forward`` saved. Forward's own result, if saved, comes back as the node the
        graph holds, so that ``create_graph=True`` differentiates through it too."""
        if self._recorded_output is None:
            return self._saved
        result, node = self._recorded_output[0], self._recorded_output[1]()
        return tuple(node if t is result and node is not None else t for t in self._saved)

    def mark_non_differentiable(self, *outputs):
        """Say that an output has no gradient (e.g. indices): it is returned without one."""
        self._non_differentiable = outputs


class Function:
    """Base class for a custom operation written with Tensors, as ``torch.autograd.Function``.

    Subclass it with two static methods, then call ``YourOp.apply(*inputs)``:

    * ``forward(ctx, *inputs)`` → one Tensor (non-Tensor inputs are passed through);
    * ``backward(ctx, *grad_outputs)`` → one gradient per input of ``forward``: a Tensor of
      the input's shape, or None.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("forward", "backward"):
            method = cls.__dict__.get(name)
            if method is not None and not isinstance(method, staticmethod):
                raise TypeError(f"{cls.__name__}.{name} must be a static method: add "
                                f"@staticmethod on the line above 'def {name}(ctx, ...)'")

    def __init__(self, *args, **kwargs):
        name = type(self).__name__
        raise TypeError(f"{name} is an autograd Function: call {name}.apply(...) with the "
                        f"inputs, not {name}(...)")

    @staticmethod
    def forward(ctx, *inputs):
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define a static "
                                  "backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *inputs):
        """Run ``forward`` (recording off) and record its result as one node of the graph."""
        ctx = FunctionCtx(tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs))
        with no_grad():
            result = cls.forward(ctx, *inputs)
        if not isinstance(result, Tensor):
            raise TypeError(f"{cls.__name__}.forward returned a {type(result).__name__}; it must "
                            f"return one Tensor (this protocol has one output; for an op on "
                            f"arrays use tinygrad_edu.Function)")
        if any(result is t for t in ctx._non_differentiable):
            return result
        node = _Custom.apply(*inputs, user_class=cls, user_ctx=ctx, result=result)
        if node.requires_grad:
            node.op = cls.__name__   # graphs and errors name your class
            ctx._recorded_output = (result, weakref.ref(node))
        return node


class _Custom(_EngineFunction):
    """The engine node behind ``autograd.Function.apply``: its forward hands back what the
    user's forward computed; its backward runs the user's backward on Tensors."""

    twice_differentiable = True

    @staticmethod
    def forward(ctx, *arrays, user_class, user_ctx, result):
        ctx.user_class, ctx.user_ctx = user_class, user_ctx
        # The arrays of the inputs and the output your forward saved are saved here too: the
        # engine then checks them for in-place changes before backward, and a second
        # backward() through this node raises once they are let go of, as in PyTorch.
        ctx.save_for_backward(*[t._data for t in user_ctx._saved if t is not None and (
            t is result or any(t._data is a for a in arrays))])
        return result._data

    @staticmethod
    def release(ctx):
        """After ``backward()``: your ctx lets go of the Tensors it saved, as the graph does
        of its arrays (called by the engine with the ctx's own saved arrays)."""
        ctx.user_ctx._saved = ()

    @staticmethod
    def backward(ctx, grad):
        recorded = isinstance(grad, Tensor)   # create_graph=True: record the user's backward
        grad_output = grad if recorded else Tensor._constant(grad)
        with (enable_grad() if recorded else no_grad()):
            grads = ctx.user_class.backward(ctx.user_ctx, grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if recorded:
            return tuple(g if g is None or isinstance(g, Tensor) else Tensor(g) for g in grads)
        return tuple(g.data if isinstance(g, Tensor) else None if g is None else np.asarray(g)
                     for g in grads)
