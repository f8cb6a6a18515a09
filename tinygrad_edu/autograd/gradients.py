"""``grad``: gradients handed back rather than accumulated, and, on request, differentiable.

``backward()`` adds ∂L/∂leaf into every leaf's ``.grad``: right for training, awkward for
anything else. ``grad(outputs, inputs)`` walks the same graph in the same order (see
:func:`~tinygrad_edu.autograd.topological_order`) but returns the gradients of the inputs
you name and touches no ``.grad``. Its real purpose is ``create_graph=True``:

    df = grad(f(x), [x], create_graph=True)[0]     # f'(x), a Tensor/Value *with a graph*
    d2f = grad(df, [x])[0]                          # f''(x): differentiate the gradient

For that, each node's backward rule must itself be recorded, so the walker calls the
Tensor form of the rule (``Function.differentiable_backward``, see
:mod:`tinygrad_edu.function`) or, for Values, builds the local derivatives as Values
(:func:`tinygrad_edu.scalar.value.differentiable_local_grads`). Without ``create_graph`` it
runs the ordinary array/float rules, as fast as ``backward()``.

Only nodes on a path from the outputs to the requested inputs are visited, so a part of the
graph that cannot reach them (e.g. a custom op without a second-order rule feeding only
other parameters) costs nothing and raises nothing.
"""
import contextlib

import numpy as np

from . import _AnomalyMode, check_finite, enable_grad, topological_order

__all__ = ["grad"]


class _Root:
    """A stand-in node whose parents are all the outputs: one topological order for them all."""

    def __init__(self, outputs):
        self.parents = tuple(outputs)


def _as_tuple(things, name):
    if isinstance(things, (list, tuple)):
        return tuple(things)
    if hasattr(things, "parents"):  # one Tensor or Value
        return (things,)
    raise TypeError(f"grad: {name} must be a Tensor, a Value or a sequence of them, "
                    f"got {type(things).__name__}")


def grad(outputs, inputs, grad_outputs=None, create_graph=False, allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    ``outputs``: a Tensor/Value or a sequence of them; ``inputs``: a sequence of Tensors
    (with ``requires_grad``) or Values. ``grad_outputs`` gives ∂L/∂output for each output
    (default 1 for one-element outputs), so the result is ∂L/∂input with
    L = Σ_k ⟨grad_outputs[k], outputs[k]⟩. Returns a tuple with one gradient per input (a
    Tensor for a Tensor, a Value for a Value); ``None`` for an input the outputs do not
    depend on if ``allow_unused=True``, else ``RuntimeError``. No ``.grad`` is changed.

    ``create_graph=True`` records the gradient computation, so the results can be
    differentiated again; otherwise they are constants.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)      # 3x² = 27
    >>> (d2y,) = grad(dy, [x])                            # 6x = 18
    >>> dy.data, d2y.data
    (27.0, 18.0)
    """
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = (tuple(grad_outputs) if isinstance(grad_outputs, (list, tuple))
                        else (grad_outputs,))
        if len(grad_outputs) != len(outputs):
            raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} "
                             f"outputs; give one per output (None for a one-element output)")
    if not outputs or not inputs:
        raise ValueError("grad: outputs and inputs must not be empty")

    from ..scalar import Value
    from ..tensor import Tensor
    if all(isinstance(t, Value) for t in outputs + inputs):
        walk = _value_gradients
    elif all(isinstance(t, Tensor) for t in outputs + inputs):
        walk = _tensor_gradients
    else:
        kinds = sorted({type(t).__name__ for t in outputs + inputs})
        raise TypeError(f"grad: outputs and inputs must all be Tensors or all be Values, "
                        f"got {', '.join(kinds)}")

    found = walk(outputs, inputs, grad_outputs, create_graph)
    results = []
    for position, x in enumerate(inputs):
        g = found.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {position} is not used to compute the outputs (no path leads "
                f"from them to it), so it has no gradient; pass allow_unused=True to get None "
                f"for it instead")
        results.append(g)
    return tuple(results)


def _order_and_needed(outputs, inputs):
    """The topological order of everything the outputs depend on, and the ids of the nodes
    that lie on a path to some input (only those need a backward rule)."""
    order = topological_order(_Root(outputs))[:-1]  # drop the stand-in root
    needed = {id(x) for x in inputs}
    for node in order:  # inputs before users: a node is needed if one of its parents is
        if id(node) not in needed and any(id(p) in needed for p in node.parents):
            needed.add(id(node))
    return order, needed


# ----------------------------------------------------------------------------- Tensors
def _tensor_seed(out, given, create_graph):
    from ..tensor import Tensor
    if given is None:
        if out.data.size != 1:
            raise ValueError(f"grad: grad_outputs can be left out only for one-element "
                             f"outputs; this output has shape {out.shape}. Pass "
                             f"grad_outputs=[np.ones({out.shape})] (∂L/∂output)")
        given = np.ones(out.shape, dtype=out.dtype)
    if isinstance(given, Tensor):
        if given.shape != out.shape:
            raise ValueError(f"grad: a grad_output has shape {given.shape} but its output has "
                             f"shape {out.shape}; they must match")
        return given if create_graph else given.data
    array = np.array(given, dtype=out.dtype)
    if array.shape != out.shape:
        raise ValueError(f"grad: a grad_output has shape {array.shape} but its output has "
                         f"shape {out.shape}; they must match")
    return Tensor._constant(array) if create_graph else array


def _tensor_gradients(outputs, inputs, grad_outputs, create_graph):
    from ..tensor import Tensor, _check_versions, _inplace_changes, _one_gradient_per_input
    for position, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad; create it with "
                               f"requires_grad=True to differentiate with respect to it")
    for position, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {position} does not require grad: none of the "
                               f"tensors it was computed from has requires_grad=True (or it "
                               f"was computed inside no_grad(), or it is a constant gradient)")
    order, needed = _order_and_needed(outputs, inputs)
    pending = {}
    for out, given in zip(outputs, grad_outputs):
        seed = _tensor_seed(out, given, create_graph)
        earlier = pending.get(id(out))
        pending[id(out)] = seed if earlier is None else earlier + seed
    wanted = {id(x) for x in inputs}
    found = {}
    anomaly = _AnomalyMode.enabled
    with enable_grad() if create_graph else contextlib.nullcontext():
        for node in reversed(order):
            if id(node) not in needed:
                continue
            node_grad = pending.pop(id(node), None)
            if node_grad is None:
                continue
            if id(node) in wanted:
                found[id(node)] = node_grad
            ctx = node._ctx
            if ctx is None:
                continue
            if ctx.saved_at != _inplace_changes[0]:  # some tensor changed in place since
                _check_versions(node, ctx)            # (see Tensor.backward)
            if create_graph:
                rule = ctx.differentiable_backward
                if rule is None:
                    raise RuntimeError(
                        f"{node.op} cannot be differentiated twice: create_graph=True needs its "
                        f"backward rule written with Tensor operations. Give {node.op} a static "
                        f"differentiable_backward(ctx, grad, out, *inputs) returning the same "
                        f"gradients as Tensors (see tinygrad_edu.function), or leave "
                        f"create_graph=False")
                input_grads = _one_gradient_per_input(
                    node, ctx, rule(ctx, node_grad, node, *map(_as_operand, ctx.inputs)),
                    rule="differentiable_backward")
            else:
                input_grads = _one_gradient_per_input(node, ctx, ctx.backward(ctx, node_grad))
            for position, parent in ctx.differentiable:
                parent_grad = input_grads[position]
                if parent_grad is None or id(parent) not in needed:
                    continue
                if create_graph:
                    if not isinstance(parent_grad, Tensor):  # e.g. a constant zero array
                        parent_grad = Tensor._constant(np.asarray(parent_grad, dtype=parent.dtype))
                    shape = parent_grad.shape
                else:
                    if type(parent_grad) is not np.ndarray:
                        parent_grad = np.asarray(parent_grad)
                    shape = parent_grad.shape
                    if anomaly:
                        check_finite(node.op, parent_grad, "backward")
                if shape != parent.data.shape:
                    raise ValueError(f"{node.op}'s backward returned a gradient of shape {shape} "
                                     f"for input {position}, whose shape is {parent.data.shape}")
                earlier = pending.get(id(parent))
                pending[id(parent)] = parent_grad if earlier is None else earlier + parent_grad

    results = {}
    for x in inputs:
        g = found.get(id(x))
        if g is None:
            continue
        if create_graph:
            results[id(x)] = g
        else:  # a private copy: the array may be shared with other gradients or read-only
            results[id(x)] = Tensor._constant(np.array(g, dtype=x.dtype))
    return results


def _as_operand(x):
    """An op's recorded input as ``differentiable_backward`` receives it: Tensors and numbers
    as they are, arrays as Tensors without gradient (so the rule can use Tensor methods)."""
    from ..tensor import Tensor
    return Tensor._constant(x) if isinstance(x, np.ndarray) else x


# ------------------------------------------------------------------------------ Values
def _value_gradients(outputs, inputs, grad_outputs, create_graph):
    from ..scalar.value import Value, differentiable_local_grads
    order, needed = _order_and_needed(outputs, inputs)
    pending = {}
    for out, given in zip(outputs, grad_outputs):
        if given is None:
            seed = 1.0
        elif isinstance(given, Value):
            seed = given if create_graph else given.data
        else:
            seed = float(given)
        earlier = pending.get(id(out))
        pending[id(out)] = seed if earlier is None else earlier + seed
    wanted = {id(x) for x in inputs}
    found = {}
    anomaly = _AnomalyMode.enabled
    with enable_grad() if create_graph else contextlib.nullcontext():
        for node in reversed(order):
            if id(node) not in needed:
                continue
            node_grad = pending.pop(id(node), None)
            if node_grad is None:
                continue
            if id(node) in wanted:
                found[id(node)] = node_grad
            if not node.parents:
                continue
            locals_ = differentiable_local_grads(node) if create_graph else node._local_grads
            for parent, local in zip(node.parents, locals_):
                if id(parent) not in needed:
                    continue
                # ∂L/∂parent += ∂node/∂parent · ∂L/∂node (a local of exactly 1 adds no node)
                share = node_grad if (type(local) is float and local == 1.0) else local * node_grad
                if anomaly and not create_graph:
                    check_finite(node.op, share, "backward")
                earlier = pending.get(id(parent))
                pending[id(parent)] = share if earlier is None else earlier + share
    # A gradient that stayed a plain number (an input that is an output, seeded with 1.0;
    # or any gradient without create_graph) is returned as a new Value, a constant.
    return {key: g if isinstance(g, Value) else Value(g) for key, g in found.items()}
