"""``grad``: gradients handed back rather than accumulated, and, on request, differentiable.

``backward()`` adds ∂L/∂leaf into every leaf's ``.grad``: right for training, awkward for
anything else. ``grad(outputs, inputs)`` is the same walk
(:func:`~tinygrad_edu.graph.backpropagate`) but returns the gradients of the inputs you name
and touches no ``.grad``. Its real purpose is ``create_graph=True``:

    df = grad(f(x), [x], create_graph=True)[0]     # f'(x), a Tensor/Value *with a graph*
    d2f = grad(df, [x])[0]                          # f''(x): differentiate the gradient

For that, each node's backward rule must itself be recorded, so the walk runs the same rule
on Tensors (:func:`~tinygrad_edu.tensors.function.chain_rule_on_tensors`) or, for Values,
computes the local derivatives as Values
(:func:`~tinygrad_edu.scalar.value.chain_rule_on_values`). Without ``create_graph`` it runs
the rules on arrays and numbers (each engine's ``chain_rule``), as fast as ``backward()``.

Only nodes on a path from the outputs to the requested inputs are visited, so a part of the
graph that cannot reach them (e.g. a custom op without a second-order rule feeding only
other parameters) costs nothing and raises nothing.
"""
import contextlib

import numpy as np

from ..graph import backpropagate, enable_grad
from ..scalar.value import Value, chain_rule_on_values
from ..scalar.value import chain_rule as value_chain_rule
from ..tensors import Tensor
from ..tensors.function import chain_rule, chain_rule_on_tensors

__all__ = ["grad"]


def _as_tuple(things, name):
    if isinstance(things, (list, tuple)):
        return tuple(things)
    if hasattr(things, "parents"):  # one Tensor or Value
        return (things,)
    raise TypeError(f"grad: {name} must be a Tensor, a Value or a sequence of them, "
                    f"got {type(things).__name__}")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    ``outputs``: a Tensor/Value or a sequence of them; ``inputs``: a sequence of Tensors
    (with ``requires_grad``) or Values. ``grad_outputs`` gives ∂L/∂output for each output
    (default 1 for one-element outputs), so the result is ∂L/∂input with
    L = Σ_k ⟨grad_outputs[k], outputs[k]⟩. Returns a tuple with one gradient per input (a
    Tensor for a Tensor, a Value for a Value); ``None`` for an input the outputs do not
    depend on if ``allow_unused=True``, else ``RuntimeError``. No ``.grad`` is changed.

    ``create_graph=True`` records the gradient computation, so the results can be
    differentiated again; otherwise they are constants.

    ``retain_graph`` is accepted (PyTorch's position and name) and changes nothing: ``grad``
    never lets go of the graph's arrays here, so a later ``backward()`` through the same
    graph still works (PyTorch frees it unless ``retain_graph=True``, and then raises).

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


# ----------------------------------------------------------------------------- Tensors
def _tensor_seed(out, given, create_graph):
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
    for position, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad; create it with "
                               f"requires_grad=True to differentiate with respect to it")
    for position, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {position} does not require grad: none of the "
                               f"tensors it was computed from has requires_grad=True (or it "
                               f"was computed inside no_grad(), or it is a constant gradient)")
    seeds = [_tensor_seed(out, given, create_graph) for out, given in zip(outputs, grad_outputs)]
    with enable_grad() if create_graph else contextlib.nullcontext():
        found = backpropagate(outputs, seeds,
                              chain_rule_on_tensors if create_graph else chain_rule,
                              wanted=inputs)
    if create_graph:
        return found
    # A private copy of each: the array may be shared with other gradients, or read-only.
    return {id(x): Tensor._constant(np.array(found[id(x)], dtype=x.dtype))
            for x in inputs if id(x) in found}


# ------------------------------------------------------------------------------ Values
def _value_gradients(outputs, inputs, grad_outputs, create_graph):
    seeds = []
    for given in grad_outputs:
        if given is None:
            seeds.append(1.0)
        elif isinstance(given, Value):
            seeds.append(given if create_graph else given.data)
        else:
            seeds.append(float(given))
    with enable_grad() if create_graph else contextlib.nullcontext():
        found = backpropagate(outputs, seeds,
                              chain_rule_on_values if create_graph else value_chain_rule,
                              wanted=inputs)
    # A gradient that stayed a plain number (an input that is an output, seeded with 1.0;
    # or any gradient without create_graph) is returned as a new Value, a constant.
    return {key: g if isinstance(g, Value) else Value(g) for key, g in found.items()}
