"""Leaf gradients without a copy per parameter per step.

The plain rule for a leaf reached by ``backward()`` is: its ``.grad`` becomes a fresh copy of
the gradient that arrived (``grad.copy()``), or, if it already holds one, the sum
``leaf.grad + grad`` (a new array: whoever set the old one may still hold it). The copy is
there because the arriving array may not be the leaf's to keep. Copying every parameter's
gradient on every step costs time, so when the array *is* safe to keep, it is kept:

* not read-only (``Sum``'s backward hands back a broadcast view: read-only, must copy);
* not already handed to another leaf in this backward pass (``a + b`` gives both inputs the
  same array);
* of the leaf's dtype (the gradient of a float32 parameter stays float32).

With :func:`tinygrad_edu.fast.plain` every leaf gets its copy.
"""
from .switch import switch

__all__ = ["accumulate_leaf_grad"]


def accumulate_leaf_grad(handed_out, leaf, grad):
    """Add the array ``grad`` into ``leaf.grad`` (``leaf.data`` gives the dtype).
    ``handed_out`` is a set, one per backward pass, of the memory already handed to a leaf in
    that pass."""
    dtype = leaf.data.dtype
    if leaf.grad is not None:   # a new array: the old one may be aliased by whoever set it
        leaf.grad = leaf.grad + grad.astype(dtype, copy=False)
        return
    if not switch.on:
        leaf.grad = grad.astype(dtype)   # the plain rule: a copy
        return
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    memory = id(grad if grad.base is None else grad.base)
    if not grad.flags.writeable or memory in handed_out:
        grad = grad.copy()
        memory = id(grad)
    handed_out.add(memory)
    leaf.grad = grad
