"""Draw a computation graph: every value and every operation that made the output.

``draw_graph(loss)`` walks the graph with :func:`tinygrad_edu.autograd.topological_order`
(the same walk ``backward`` uses) and returns a ``graphviz.Digraph``::

    a ──▶ (*) ──▶ c ──▶ (+) ──▶ e
    b ──▶ (*)           (+) ◀── d

Boxes are values (label, data, grad), ellipses are operations. Reading the arrows forwards is
the forward pass; reading them backwards is the chain rule: each box's ``grad`` is the sum,
over the operations it feeds, of (the grad of that operation's result box) × (the operation's
local derivative with respect to this input).

Building the Digraph needs only the ``graphviz`` Python package (its ``.source`` is the DOT
text). Turning it into a picture needs the Graphviz program ``dot``, which is *not* part of the
Python package: :func:`render_graph` (and the Digraph's own ``render``/``pipe``) raise
:class:`DotNotFoundError` saying how to install it when it is missing.
"""
import contextlib
import os
import shutil

import numpy as np

from ..graph import topological_order
from ..scalar import Value

__all__ = ["draw_graph", "render_graph", "DotNotFoundError"]

_VIZ_EXTRA = 'pip install "tinygrad_edu[viz]"'

NOT_COMPUTED = "not computed yet"

_INSTALL_DOT = (
    "Rendering a graph needs the Graphviz program `dot`, which the `graphviz` Python package "
    "does not include, and it was not found on your PATH. Install it with your system's "
    "package manager:\n"
    "    Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "    macOS:          brew install graphviz\n"
    "    conda:          conda install -c conda-forge graphviz\n"
    "    Windows:        winget install graphviz  (or https://graphviz.org/download/)\n"
    "Without it you still have the graph as DOT text: draw_graph(...).source (paste it into "
    "any online Graphviz viewer), or save it with open('graph.gv', 'w').write(g.source).")


class DotNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is not installed; the message says how to install it."""


def _import_graphviz():
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(f"draw_graph needs the `graphviz` Python package: {_VIZ_EXTRA} "
                          f"(and the Graphviz program itself to render pictures)") from error
    return graphviz


@contextlib.contextmanager
def _explain_missing_dot():
    graphviz = _import_graphviz()
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        raise DotNotFoundError(_INSTALL_DOT) from error


_graph_class = None


def _computation_graph_class():
    """``graphviz.Digraph`` with ``render``/``pipe`` that explain how to install ``dot``.

    Made on first use because ``graphviz`` is an optional package, imported only when needed.
    """
    global _graph_class
    graphviz = _import_graphviz()  # every time (a dict lookup once imported), so a missing
    if _graph_class is None:       # package is reported even after an earlier success

        class ComputationGraph(graphviz.Digraph):
            """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz."""

            def render(self, *args, **kwargs):
                with _explain_missing_dot():
                    return super().render(*args, **kwargs)

            def pipe(self, *args, **kwargs):  # also what Jupyter calls to display the graph
                with _explain_missing_dot():
                    return super().pipe(*args, **kwargs)

        _graph_class = ComputationGraph
    return _graph_class


# ----------------------------------------------------------------------------- labels
def _escape(text):
    """Escape the characters that have a meaning inside a Graphviz record label."""
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text


def _summary(array):
    """A one-line description of an array's values: the value itself if it has one element."""
    array = np.asarray(array)
    if array.size == 1:
        return f"{float(array.reshape(())):.4g}"
    if array.size == 0:
        return "empty"
    return (f"mean {float(array.mean()):.4g}  min {float(array.min()):.4g}  "
            f"max {float(array.max()):.4g}")


def _value_fields(node, show_grad, grads_computed):
    """The record fields of a Value box: label, data, grad."""
    fields = [node.label] if node.label else []
    fields.append(f"data {node.data:.4f}")
    if show_grad:
        fields.append(f"grad {node.grad:.4f}" if grads_computed else f"grad {NOT_COMPUTED}")
    return fields


def _tensor_fields(node, show_grad, grads_computed):
    """The record fields of a Tensor box: label, shape and dtype, a data summary, grad."""
    fields = [node.label] if getattr(node, "label", "") else []
    data = np.asarray(node.data)
    fields.append(f"{tuple(data.shape)} {data.dtype}")
    # After backward() a graph keeps its shape but not its intermediate numbers (as PyTorch).
    fields.append("data freed by backward()" if getattr(node, "freed", False)
                  else f"data {_summary(data)}")
    if show_grad:
        if node.grad is not None:
            fields.append(f"grad {_summary(node.grad)}")
        elif not getattr(node, "requires_grad", False):  # e.g. the input batch: never gets one
            fields.append("no grad (requires_grad=False)")
        elif not grads_computed:
            fields.append(f"grad {NOT_COMPUTED}")
        elif node.parents:  # backward ran, but intermediate results do not keep their gradients
            fields.append("grad not kept (intermediate)")
        else:  # a leaf that backward did not reach (it does not affect the output)
            fields.append("grad None (not reached by backward)")
    return fields


def _gradients_computed(order):
    """Has backward run? Before it, Values' grads are all 0.0 and Tensors' grads all None."""
    for node in order:
        grad = node.grad
        if isinstance(node, Value):
            if grad != 0.0:
                return True
        elif grad is not None:
            return True
    return False


def draw_graph(root, rankdir="LR", show_grad=True):
    """The computation graph of ``root`` (a Value or a Tensor) as a ``graphviz.Digraph``.

    One box per value — its label (if any), its data (for a Tensor: shape, dtype and a summary
    ``mean/min/max``) and its grad — and one ellipse per operation, with arrows
    value → operation → result. ``rankdir="LR"`` lays the graph out left to right (inputs on
    the left, the output on the right); ``"TB"`` top to bottom.

    Before ``backward()`` every gradient is still 0 (Values) or None (Tensors), and boxes full
    of zeros look like a bug; so until some gradient exists each box says
    ``grad not computed yet`` and the caption says to call ``backward()``.

    Show the picture in Jupyter by leaving the Digraph as a cell's last expression; save it
    with :func:`render_graph`; get the DOT text from ``.source`` (no Graphviz program needed).

    >>> from tinygrad_edu import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> g = draw_graph(c)
    >>> for line in g.body: print(line.strip())   # doctest: +ELLIPSIS
    rankdir=LR
    node [fontname=Helvetica fontsize=11]
    label="gradients not computed yet: call backward() to fill them in" labelloc=t
    ...
    v2 [label="{ c | data -6.0000 | grad not computed yet }" shape=record]
    v2_op [label="*" shape=ellipse]
    v2_op -> v2
    ...
    >>> c.backward()
    >>> '{ a | data 2.0000 | grad -3.0000 }' in draw_graph(c).source   # ∂c/∂a = b
    True
    """
    if not hasattr(root, "parents"):
        raise TypeError(f"draw_graph expects a Value or a Tensor (something with .parents), "
                        f"got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    order = topological_order(root)
    computed = _gradients_computed(order)

    graph = _computation_graph_class()()
    graph.attr(rankdir=rankdir)
    graph.attr("node", fontname="Helvetica", fontsize="11")
    if show_grad:
        graph.attr(labelloc="t", label=(
            "grad = d(output)/d(value), filled in by backward()" if computed else
            f"gradients {NOT_COMPUTED}: call backward() to fill them in"))

    ids = {}  # id(node) -> name of its box; names follow the topological order, so stable
    for index, node in enumerate(order):
        name = f"v{index}"
        ids[id(node)] = name
        fields = (_value_fields if isinstance(node, Value) else _tensor_fields)(
            node, show_grad, computed)
        graph.node(name, label="{ " + " | ".join(_escape(f) for f in fields) + " }",
                   shape="record")
        if node.parents:  # made by an operation: draw it, fed by the parents' boxes
            graph.node(f"{name}_op", label=node.op or "?", shape="ellipse")
            graph.edge(f"{name}_op", name)
            for parent in node.parents:
                graph.edge(ids[id(parent)], f"{name}_op")
    return graph


def render_graph(graph, path, format=None):
    """Render ``graph`` (a Digraph from :func:`draw_graph`, or a Value/Tensor to draw) to the
    image file ``path`` and return ``path``. ``format`` ("png", "svg", "pdf", ...) defaults to
    the file's suffix, or "png" when it has none.

    Needs the Graphviz program ``dot``; without it raises :class:`DotNotFoundError`, whose
    message says how to install it (the DOT text in ``graph.source`` works without it).
    """
    if not hasattr(graph, "source"):
        graph = draw_graph(graph)
    if format is None:
        format = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    if shutil.which("dot") is None:
        raise DotNotFoundError(_INSTALL_DOT)
    with _explain_missing_dot():
        image = graph.pipe(format=format)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as file:
        file.write(image)
    return path
