"""The graph, as both engines see it: the order of a backward walk, the walk itself, and the
two modes that change what operations do (``no_grad``, ``detect_anomaly``). NumPy only: it
knows nothing of ``Value`` or ``Tensor``, only that a node has a ``parents`` tuple.

Reverse-mode differentiation needs one thing from the graph: an order in which every node
comes *after* all the nodes it was computed from. Walking that order backwards, a node's
gradient is complete (every consumer has already added its share) before it is passed on
to its own inputs.

Why not simply recurse from the output into its inputs and push gradients as we go?
Because a node can be used twice::

    a = Value(3.0)
    b = a + a        # b depends on a twice
    c = b + b        # c depends on b twice

Recursing naively would visit ``b`` (and so ``a``) once per path — four times for ``a`` — and
pass ``b``'s gradient on before all of its consumers had contributed. The topological order
visits each node exactly once, after all of its consumers. And we build that order with an
explicit stack rather than recursion: Python's recursion limit (~1,000 frames) would stop a
recursive walk on any deep graph, such as a long chain of operations or an RNN unrolled
over many steps.

Two walks use this order. ``Value.backward`` (``scalar/value.py``) is micrograd's loop, kept
as the first thing a learner reads: every node's running gradient lives in its ``.grad``.
:func:`backpropagate` is the same walk for everything else — ``Tensor.backward`` and
``autograd.grad`` on both engines — with the running gradients in a dictionary instead (so
no node keeps one after the walk) and the chain rule of one node handed in as a function.
"""
import contextlib
import functools
import inspect
import math
import threading

import numpy as np

__all__ = ["topological_order", "backpropagate", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "is_anomaly_enabled", "check_finite"]


def topological_order(*roots):
    """Return the nodes the ``roots`` depend on (themselves included), each input before its users.

    A node is anything with a ``parents`` tuple, hashed by identity. Each node appears once,
    however many paths lead to it. The walk is iterative (an explicit stack), so graphs of
    any depth work: a chain of a million operations is fine.

    >>> from tinygrad_edu import Value
    >>> a = Value(3.0, label="a"); b = a + a; c = b + b
    >>> [n.label or n.op for n in topological_order(c)]
    ['a', '+', '+']
    """
    order, visited = [], set()
    # A depth-first walk with an explicit stack. Each node is pushed twice: first to be
    # expanded (its parents are pushed above it), then, once every parent has been placed in
    # `order`, to be placed itself. `ready[i]` says which of the two stack[i] is. (Two lists
    # rather than a list of pairs: no tuple per push.)
    stack, ready = list(reversed(roots)), [False] * len(roots)
    while stack:
        node, place = stack.pop(), ready.pop()
        if place:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            ready.append(True)
            for parent in node.parents:
                if parent not in visited:
                    stack.append(parent)
                    ready.append(False)
    return order


def backpropagate(outputs, seeds, chain_rule, *, wanted=None, on_leaf=None, order=None):
    """The backward walk: the chain rule applied node by node, from the outputs to the leaves.

    * ``outputs`` and ``seeds``: where to start, and ∂L/∂output for each (L is the scalar
      ``Σ ⟨seed, output⟩``; a seed of 1 for a loss).
    * ``chain_rule(node, grad)``: one node's backward step. Given ∂L/∂node, it returns the
      pairs ``(parent, ∂L/∂node · ∂node/∂parent)``. The engines supply it (a Value multiplies
      by its stored local derivatives; a Tensor asks its operation's ``backward``).
    * ``wanted``: nodes whose gradient to return, as ``{id(node): gradient}`` (a node no
      gradient reaches is left out). Only nodes on a path to one of them are visited;
      ``None`` visits every node and returns an empty dict.
    * ``on_leaf(leaf, grad)``: called once per leaf reached, with its complete gradient
      (``Tensor.backward`` adds it into ``leaf.grad``).
    * ``order``: ``topological_order(*outputs)``, if the caller has it already
      (``Tensor.backward`` uses it again afterwards, to let go of the graph's arrays).

    A node's running gradient is summed in ``pending`` while its users are visited (a node
    used twice gets two shares, added: ``+`` makes a new sum, never changing a share in
    place); it is complete when the walk reaches the node, which is then removed.

    >>> from tinygrad_edu import Value
    >>> x = Value(3.0); y = x * x                     # dy/dx = 2x = 6
    >>> def chain_rule(node, grad):
    ...     return [(p, local * grad) for p, local in zip(node.parents, node._local_grads)]
    >>> found = backpropagate([y], [1.0], chain_rule, wanted=[x])
    >>> found[id(x)]
    6.0
    """
    if order is None:
        order = topological_order(*outputs)
    needed = None if wanted is None else _on_a_path_to(wanted, order)
    wanted_ids = () if wanted is None else {id(x) for x in wanted}
    pending = {}   # id(node) -> ∂L/∂node, summed over the users visited so far
    for out, seed in zip(outputs, seeds):
        earlier = pending.get(id(out))
        pending[id(out)] = seed if earlier is None else earlier + seed
    found = {}
    for node in reversed(order):
        grad = pending.pop(id(node), None)
        if grad is None:
            continue  # no path from the outputs to this node carries a gradient
        if needed is not None:
            if id(node) not in needed:
                continue
            if id(node) in wanted_ids:
                found[id(node)] = grad
        if not node.parents:
            if on_leaf is not None:
                on_leaf(node, grad)
            continue
        for parent, share in chain_rule(node, grad):
            if needed is None or id(parent) in needed:
                earlier = pending.get(id(parent))
                pending[id(parent)] = share if earlier is None else earlier + share
    return found


def _on_a_path_to(wanted, order):
    """The ids of the nodes in ``order`` from which a path leads to a ``wanted`` node."""
    needed = {id(x) for x in wanted}
    for node in order:  # inputs before users: a node is needed if one of its parents is
        if id(node) not in needed and any(id(p) in needed for p in node.parents):
            needed.add(id(node))
    return needed


# --------------------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    """Whether operations record the graph: one mode per thread, as PyTorch (a
    ``threading.local``: each thread sees its own ``enabled``, so one thread's ``no_grad()``
    never switches recording off for another thread that is training)."""
    enabled = True  # the class default: every thread starts with recording on


_grad_mode = _GradMode()


def is_grad_enabled():
    """True unless inside ``no_grad()`` (in this thread): whether operations record the graph."""
    return _grad_mode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Set the grad mode inside a ``with`` block or a decorated function, then restore it.

    Re-entrant: the mode to restore is pushed on a stack at each entry, so the same object
    may be entered again before it is left (a recursive decorated function, nested ``with``
    of one object). An exception inside propagates; the mode is restored on the way out.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self._previous = []

    def _recreate_cm(self):
        # Each call of a decorated function gets its own object, so calls in other threads
        # never share the stack of modes to restore.
        return type(self)(self.enabled)

    def __enter__(self):
        self._previous.append(_grad_mode.enabled)
        _grad_mode.enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _grad_mode.enabled = self._previous.pop()
        return False  # never swallow the exception

    def __call__(self, function):
        # A generator function's body runs at each next(), long after the call that made
        # the generator returned: the mode must be set around every resumption instead.
        if inspect.isgeneratorfunction(function):
            return _wrap_generator(self._recreate_cm, function)
        return super().__call__(function)


def _wrap_generator(mode, function):
    """``function`` (a generator function) whose body always runs in a fresh ``mode()``,
    while the code between its ``yield``s (the caller's) keeps the caller's own mode."""
    @functools.wraps(function)
    def generator(*args, **kwargs):
        inner = function(*args, **kwargs)
        try:
            with mode():
                value = next(inner)
            while True:
                try:
                    sent = yield value
                except GeneratorExit:         # the caller closed us: close the body too
                    with mode():
                        inner.close()
                    raise
                except BaseException as error:    # thrown in by the caller: pass it on
                    with mode():
                        value = inner.throw(error)
                else:
                    with mode():
                        value = inner.send(sent)
        except StopIteration as stop:
            return stop.value
    return generator


def _grad_mode_factory(enabled, name, function):
    """``name()`` (a context manager and decorator), or ``@name`` used without parentheses
    (as PyTorch allows): the decorated ``function`` itself."""
    if function is None:
        return _SetGradMode(enabled)
    if not callable(function):
        raise TypeError(f"{name} takes no arguments: write `with {name}():`, or decorate a "
                        f"function with @{name} or @{name}(); got {function!r}"
                        + (" (to choose the mode by a flag, use set_grad_enabled(flag))"
                           if isinstance(function, bool) else ""))
    return _SetGradMode(enabled)(function)


def no_grad(function=None):
    """Context manager (and decorator, with or without parentheses) in which nothing is
    recorded for backward.

    Results made inside have no parents, so ``backward`` cannot reach through them. Use it
    for evaluation and for optimizer updates, which must not become part of the graph.
    On a generator function it covers the generator's body at every ``next()``, as PyTorch.

    >>> from tinygrad_edu import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    >>> @no_grad
    ... def square(v):
    ...     return v * v
    >>> square(x).parents
    ()
    """
    return _grad_mode_factory(False, "no_grad", function)


def enable_grad(function=None):
    """Context manager (and decorator, with or without parentheses) that turns recording
    back on inside a ``no_grad`` block."""
    return _grad_mode_factory(True, "enable_grad", function)


# ------------------------------------------------------------------------ anomaly mode
class _AnomalyMode:
    """Whether operations check for NaN/inf. One flag for the whole process (unlike grad mode,
    which is per thread, as PyTorch): it is a debugging switch, turned on around a run."""
    enabled = False


def is_anomaly_enabled():
    """True inside ``detect_anomaly()``."""
    return _AnomalyMode.enabled


@contextlib.contextmanager
def detect_anomaly():
    """Within this block, the first operation whose forward result or backward gradient is
    NaN or infinite raises ``FloatingPointError`` naming the operation.

    It costs a finiteness check per operation, so it is off by default; turn it on to find
    where a loss first became ``nan``.

    >>> from tinygrad_edu import Value
    >>> with detect_anomaly():
    ...     Value(1000.0).exp()
    Traceback (most recent call last):
    ...
    FloatingPointError: exp produced inf in its forward pass ...
    """
    previous = _AnomalyMode.enabled
    _AnomalyMode.enabled = True
    try:
        yield
    finally:
        _AnomalyMode.enabled = previous


def check_finite(op, value, phase):
    """Raise FloatingPointError if ``value`` (float or array) holds a NaN or inf.

    ``phase`` is "forward" or "backward"; the message names the operation and what it made.
    """
    if isinstance(value, np.ndarray):
        if np.isfinite(value).all():
            return
        bad = "nan" if np.isnan(value).any() else "inf"
    else:
        if math.isfinite(value):
            return
        bad = "nan" if math.isnan(value) else "inf"
    where = "its forward pass" if phase == "forward" else "the gradient of its inputs (backward)"
    raise FloatingPointError(
        f"{op} produced {bad} in {where} (detect_anomaly is on). Look at this operation's "
        f"inputs: a too-large learning rate, a log/sqrt/division at 0, or exp of a large "
        f"number are the usual causes.")
