"""Freed arrays handed back one step late, so that memory is reused instead of returned.

After ``backward()`` a graph lets go of its arrays (``tensors/function.py``'s
``release_graph``). Freed at once, a training loop hands a step's worth of memory back to the
C library just before the next forward pass asks for the same amount again, and glibc's
``malloc`` often gives large freed blocks back to the kernel (trimming the heap): the next
step then pays page faults for fresh memory, ~20 % of a small MLP step here. Before graphs
were freed by ``backward()``, the previous step's graph died only when the loop rebound
``loss``, after the new arrays were made, so memory was reused.

:func:`release_later` keeps the last released graph's arrays until the next graph is
released: the memory a loop holds is then what it held before (one extra step's graph at
most, never a growing amount), and the step is as fast. With :func:`~.switch.plain` nothing
is kept: the arrays go at once.
"""
from .switch import switch

__all__ = ["release_later"]

_kept = []   # the arrays (and tensors) of the graph released last


def release_later(objects):
    """Keep ``objects`` (a list) alive until the next call; let the previous ones go."""
    if switch.on:
        _kept[:] = [objects]
    else:
        _kept.clear()
