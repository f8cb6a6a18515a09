"""Version counters: how an in-place change between forward and backward is caught.

Saved arrays are shared, not copied (copies would cost every step). So changing a tensor's
``.data`` *in place* between a forward pass and its ``backward()`` would make the backward
rules read the changed numbers: a silently wrong gradient. As in PyTorch, version counters
catch it:

* every in-place change made through the Tensor API (the ``data`` setter given the same
  array, hence ``t.data += 1`` and ``optimizer.step()``) takes the next number of one global
  count, :attr:`InPlaceChanges.count`, and the tensor's :class:`VersionCounter` remembers
  the number of its latest change;
* ``Function.apply`` notes the count when it records an op (one integer per op: the hot path
  stays fast);
* at backward, an op whose inputs and output all have older versions is fine; one that was
  changed later is an error if the op saved (part of) its array.

Writes into the raw array (``t.data[0] = 5``, or ``a = t.data; a += 1``) bypass the counter:
the library cannot see them, so they remain a rule to follow.
"""
import numpy as np

__all__ = ["InPlaceChanges", "VersionCounter", "version_counter", "mark_changed",
           "share_version_counter", "check_versions", "node_at"]


class InPlaceChanges:
    """The number of in-place changes made so far through the Tensor API: a global clock."""
    count = 0


class VersionCounter:
    """A tensor's version: the clock reading of its latest in-place change (0: never), and the
    array that change was made to (not the tensor's current one: ``t.data += 1; t.data = new``
    must still be caught).

    One object rather than an int so that tensors sharing memory share it: a view made by an
    op (``W.T``, ``x.reshape(...)``, ``x[0]``) and ``detach()`` get their base's counter, so an
    in-place change through any of them is seen by every op that saved any of them.
    """
    __slots__ = ("version", "changed_array")

    def __init__(self):
        self.version, self.changed_array = 0, None


def version_counter(tensor):
    """The tensor's counter, made on first use."""
    counter = tensor._version
    if counter is None:
        counter = tensor._version = VersionCounter()
    return counter


def mark_changed(tensor, array=None):
    """Count an in-place change of ``tensor``'s array (``array``, by default its current one):
    every writer of the library (``+=``, the ``_`` methods, ``t[i] = v``, ``nn.init``,
    ``optimizer.step()`` through the ``data`` setter) calls this. Returns the clock reading."""
    counter = tensor._version if tensor._version is not None else version_counter(tensor)
    InPlaceChanges.count += 1
    counter.version = InPlaceChanges.count
    counter.changed_array = tensor._data if array is None else array
    return InPlaceChanges.count


def share_version_counter(out, parents):
    """Give ``out`` the version counter of the input whose memory it views, if any (and
    return that input).

    NumPy points every view at the array that owns the memory (``.base``), so ``out`` views
    input ``x`` when both have the same owner.
    """
    memory = out._data.base
    for x in parents:
        data = x._data
        if data is memory or data.base is memory:
            out._version = version_counter(x)
            return x
    return None


def check_versions(node, ctx):
    """Raise if an array that ``node``'s op saved for backward was changed in place since
    its forward pass (``ctx.saved_at``: the clock reading at that time)."""
    for tensor in getattr(ctx, "watched", ()):   # an index or a where's condition
        counter = tensor._version
        if counter is not None and counter.version > ctx.saved_at:
            raise RuntimeError(
                f"{node.op}'s backward needs the {tensor.dtype} tensor of shape {tensor.shape} "
                f"it was given as an index or a condition, and that tensor was changed in "
                f"place after the forward pass (so the gradient would go to the wrong "
                f"elements). Change it only after backward(), or give {node.op} a copy "
                f"(i.clone()).")
    for position, tensor in enumerate(node._parents + (node,)):   # the very objects saved
        counter = tensor._version
        if counter is None or counter.version <= ctx.saved_at:
            continue
        changed = counter.changed_array
        if not any(type(saved) is np.ndarray and np.shares_memory(saved, changed)
                   for saved in ctx.saved_tensors):
            continue  # changed, but this op kept nothing of it (Add, Sum...): no harm done
        which = "the output" if tensor is node else f"input {position}"
        label = f", label {tensor.label!r}" if tensor.label else ""
        raise RuntimeError(
            f"{node.op}'s backward needs an array that was changed in place after the forward "
            f"pass: {which} of {node.op} (a tensor of shape {tensor.shape}{label}), so its "
            f"gradient would be computed from the new numbers. Change parameters (t.data += "
            f"..., optimizer.step()) only after backward(), or run the forward pass again "
            f"after the change. (Writes into the raw array, t.data[...] = ..., are not "
            f"tracked.)")


def node_at(tensor, clock):
    """The node ``tensor`` was at time ``clock``: ``tensor`` itself, or, if a recorded in-place
    change has moved it on since (see :mod:`.inplace`), the node it was then — the one an op
    recorded at ``clock`` took its numbers from."""
    for when, old in tensor._rebased:
        if clock < when:
            return old
    return tensor
