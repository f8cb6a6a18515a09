"""The graph walker shared by both engines: topological order, ``no_grad`` and anomaly mode.

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

Nothing else in the library walks graphs; ``Value.backward`` and ``Tensor.backward`` both
call :func:`topological_order`.
"""
import contextlib
import math
import threading

import numpy as np

__all__ = ["topological_order", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "is_anomaly_enabled", "check_finite", "grad", "functional"]


def topological_order(root):
    """Return the nodes ``root`` depends on (itself included), each input before its users.

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
    # expanded (its parents are pushed above it), then, once every parent has been placed
    # in `order`, to be placed itself. `placed_next[i]` says which of the two stack[i] is.
    stack, placed_next = [root], [False]
    while stack:
        node, place = stack.pop(), placed_next.pop()
        if place:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            placed_next.append(True)
            for parent in node.parents:
                if parent not in visited:
                    stack.append(parent)
                    placed_next.append(False)
    return order


# --------------------------------------------------------------------------- grad mode
class _ThreadGradMode(threading.local):
    enabled = True  # the class default: every thread starts with recording on


class _GradMode:
    """Whether operations record the graph: one mode per thread, as PyTorch.

    ``local.enabled`` is the calling thread's mode (a ``threading.local``: each thread sees
    its own), so one thread's ``no_grad()`` never switches recording off for another thread
    that is training. Reading a thread-local attribute costs about twice a plain one, and
    the engines ask on every operation, so they first read ``everywhere``: a plain flag that
    is True while no thread at all is inside ``no_grad()``. The test on the hot path is

        _GradMode.everywhere or _GradMode.local.enabled

    ``off_threads`` counts the threads whose mode is off; ``everywhere`` is ``off_threads == 0``.
    """
    everywhere = True
    off_threads = 0
    local = _ThreadGradMode()
    lock = threading.Lock()

    @classmethod
    def set(cls, enabled):
        """Set this thread's mode; return the mode it had."""
        previous = cls.local.enabled
        if enabled != previous:
            cls.local.enabled = enabled
            with cls.lock:
                cls.off_threads += -1 if enabled else 1
                cls.everywhere = cls.off_threads == 0
        return previous


def is_grad_enabled():
    """True unless inside ``no_grad()`` (in this thread): whether operations record the graph."""
    return _GradMode.local.enabled


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
        self._previous.append(_GradMode.set(self.enabled))
        return self

    def __exit__(self, *exc):
        _GradMode.set(self._previous.pop())
        return False  # never swallow the exception


def no_grad():
    """Context manager (and decorator) in which nothing is recorded for backward.

    Results made inside have no parents, so ``backward`` cannot reach through them. Use it
    for evaluation and for optimizer updates, which must not become part of the graph.

    >>> from tinygrad_edu import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    """
    return _SetGradMode(False)


def enable_grad():
    """Context manager that turns recording back on inside a ``no_grad`` block."""
    return _SetGradMode(True)


# ------------------------------------------------------------------------ anomaly mode
class _AnomalyMode:
    enabled = False


def is_anomaly_enabled():
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


# Higher-order gradients (API §11): built on the walker above, so imported after it.
from .gradients import grad  # noqa: E402
from . import functional  # noqa: E402
