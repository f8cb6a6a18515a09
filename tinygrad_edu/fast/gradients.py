"""Leaf gradients without a copy per parameter per step.

The plain rule for a leaf reached by ``backward()`` is: its ``.grad`` becomes a fresh copy of
the gradient that arrived (``grad.copy()``), or, if it already holds one, the gradient is
added into that array in place (``leaf.grad += grad``), as PyTorch does: a reference taken
after one ``backward()`` sees the next one's sum. (An array that cannot take the sum in place
— read-only, another shape or a narrower dtype — is replaced by the sum.) So a leaf's
``.grad`` must be its own array: the copy is there because the arriving array may be another
leaf's too. Copying every parameter's gradient on every step costs time, so when the array
*is* safe to keep, it is kept:

* not read-only (``Sum``'s backward hands back a broadcast view: read-only, must copy);
* not already handed to another leaf in this backward pass (``a + b`` gives both inputs the
  same array);
* of the leaf's dtype (the gradient of a float32 parameter stays float32).

With :func:`tinygrad_edu.fast.plain` every leaf gets its copy.
"""
import numpy as np

from .switch import switch

__all__ = ["accumulate_leaf_grad"]


def accumulate_leaf_grad(handed_out, leaf, grad):
    """Add the array ``grad`` into ``leaf.grad`` (``leaf.dtype`` gives the dtype).
    ``handed_out`` is a set, one per backward pass, of the memory already handed to a leaf in
    that pass."""
    dtype = leaf.dtype
    held = leaf.grad
    if held is not None:
        if (held.flags.writeable and held.shape == grad.shape
                and np.can_cast(grad.dtype, held.dtype, "same_kind")):
            np.add(held, grad, out=held)   # in place: every reference to .grad sees the sum
        else:
            leaf.grad = np.asarray(held + grad.astype(dtype, copy=False))
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
