"""``np.where(keep, a, 0)`` without a branch per element.

ReLU's backward lets the gradient through where the input was positive and writes 0
elsewhere: ``where(keep, grad, 0)``. NumPy's ``where`` decides element by element with a
branch, and on a ReLU mask — about half the elements pass, in no pattern — the processor
guesses wrong half the time: at 256 × 256 float32 it takes ~180 µs, where a multiplication
of the same arrays takes ~10 µs. ``grad * keep`` is not the same, though: a NaN or an
infinity arriving in a blocked element would give NaN (∞ · 0), where PyTorch — and
``where`` — give 0.

The trick keeps ``where``'s answer exactly: a float is its bits, and ANDing them with all
ones keeps the number while ANDing with all zeros gives +0.0, whatever the number was. So
``keep`` becomes an integer mask of all-ones (−1) or 0 per element, and one bitwise AND —
no branch — selects:

    bits = −keep               (−1 where keep, else 0; widened to an int of the float's width)
    out  = (a's bits) AND bits (viewed as floats again)

Three element-wise passes that never branch: ~12 µs for that 256 × 256 mask.

>>> import numpy as np
>>> where_zero(np.array([True, False, False]), np.array([1.5, np.nan, np.inf]))
array([1.5, 0. , 0. ])
"""
import numpy as np

from .switch import switch

__all__ = ["where_zero"]

_SAME_WIDTH_INT = {np.dtype(np.float64): np.int64, np.dtype(np.float32): np.int32,
                   np.dtype(np.float16): np.int16}


def where_zero(keep, a):
    """``np.where(keep, a, 0)`` for a bool array ``keep`` and an array ``a`` (shapes
    broadcast as in ``where``) — the same numbers, bit for bit. Takes the bitwise form when
    ``a`` is a float array, else (or with :func:`~tinygrad_edu.fast.plain`) calls
    ``np.where``."""
    ints = _SAME_WIDTH_INT.get(a.dtype) if isinstance(a, np.ndarray) else None
    if not switch.on or ints is None or getattr(keep, "dtype", None) != bool:
        return np.where(keep, a, 0)
    bits = np.negative(keep.view(np.int8)).astype(ints)   # (negating 1-byte ints, then
    # widening, is cheaper than widening bools)
    return np.bitwise_and(a.view(ints), bits).view(a.dtype)
