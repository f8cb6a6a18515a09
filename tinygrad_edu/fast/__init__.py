"""Speed behind one door: tricks that change no number.

Each trick here makes a plain rule run faster without changing what it computes, and a
test holds it to the plain rule bit for bit. Nothing here knows a Tensor, a Value or an
optimizer: it works on NumPy arrays and functions handed to it, and imports nothing from
the rest of tinygrad_edu, so any part of the package may call it.

* :func:`update_all` (in :mod:`.updates`) runs an optimizer's update rule over all its
  parameters: large ones in cache-sized blocks, and in two threads.

``enabled`` switches the fast path off for the whole process (the plain loop runs
instead), and ``disabled()`` does so for a ``with`` block:

>>> import tinygrad_edu.fast as fast
>>> with fast.disabled():
...     fast.enabled
False
>>> fast.enabled
True
"""
import contextlib

from .updates import update_all

__all__ = ["enabled", "disabled", "update_all"]

#: False: the optimizers run their plain loop, one rule call per parameter.
enabled = True


@contextlib.contextmanager
def disabled():
    """``with disabled():`` runs the plain code inside the block (for tests and learners)."""
    global enabled
    saved, enabled = enabled, False
    try:
        yield
    finally:
        enabled = saved
