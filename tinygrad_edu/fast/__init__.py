"""Speed, behind one door.

Everything a learner reads as "the rule" — an op's backward, an optimizer's update — is the
plain form, and it is what runs with the tricks off. The tricks live here, each in one
module, none changing a result beyond the rounding of a product summed in another order
(said where it happens), each held to the plain form by tests:

* :mod:`.layout` — a matrix product in the memory layout the BLAS runs faster;
* :mod:`.select` — ReLU's two passes: ``where(keep, grad, 0)`` (its backward) without a
  branch per element, ``maximum(x, 0)`` (its forward) in NumPy's vector loop;
* :mod:`.gradients` — a leaf keeps its op's gradient array instead of a copy, when safe;
* :mod:`.updates` — an optimizer's update rule run over all its parameters: large ones in
  cache-sized blocks, and in two threads (bit for bit the plain loop).

NumPy and the standard library only: nothing here imports the rest of the package, so every
room may call it. ``with plain():`` turns every trick off for the block (the switch is one
for the whole process):

>>> import tinygrad_edu.fast as fast
>>> with fast.plain():
...     fast.switch.on
False
>>> fast.switch.on
True
"""
from .gradients import accumulate_leaf_grad
from .layout import matmul, product_like
from .select import maximum_zero, where_zero
from .switch import plain, switch
from .updates import update_all

__all__ = ["plain", "switch", "matmul", "product_like", "where_zero", "maximum_zero",
           "accumulate_leaf_grad",
           "update_all"]
