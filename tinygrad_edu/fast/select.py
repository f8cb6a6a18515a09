"""ReLU's two element-wise passes, each in NumPy's fast loop: ``np.where(keep, a, 0)``
without a branch per element, and ``np.maximum(x, 0)`` in the vector loop.

ReLU's backward lets the gradient through where the input was positive and writes 0
elsewhere: ``where(keep, grad, 0)``. NumPy's ``where`` decides element by element with a
branch, and on a ReLU mask — about half the elements pass, in no pattern — the processor
guesses wrong half the time: at 256 × 256 float32 it takes ~180 µs, where a multiplication
of the same arrays takes ~10 µs. ``grad * keep`` is not the same, though: a NaN or an
infinity arriving in a blocked element would give NaN (∞ · 0), where PyTorch — and
``where`` — give 0.

The trick keeps ``where``'s answer exactly: a float is its bits, and an integer product of
those bits with 1 keeps the number while a product with 0 gives the bits of +0.0, whatever
the number was. So ``keep``'s bytes (1 or 0) multiply ``a``'s bits, seen as integers of the
same width — no branch:

    out = (a's bits) · keep      (viewed as floats again)

One element-wise pass that never branches: ~12 µs for that 256 × 256 mask (NumPy widens the
mask's bytes in chunks inside the product, as it goes).

ReLU's forward has a trap of its own: ``np.maximum(x, 0)`` against the *number* 0 runs
NumPy's scalar loop, ~19 µs at 256 × 256 float32, while against an *array* of zeros it runs
its vector loop, ~5 µs with the zeros made fresh (``np.zeros`` is a cheap fill). Same
function, same bits (a NaN stays NaN, and −0.0 comes out as the scalar loop makes it):
:func:`maximum_zero`.

>>> import numpy as np
>>> where_zero(np.array([True, False, False]), np.array([1.5, np.nan, np.inf]))
array([1.5, 0. , 0. ])
>>> maximum_zero(np.array([-1.0, np.nan, 2.0]))
array([ 0., nan,  2.])
"""
import numpy as np

from .switch import switch

__all__ = ["where_zero", "maximum_zero"]

_SAME_WIDTH_INT = {np.dtype(np.float64): np.int64, np.dtype(np.float32): np.int32,
                   np.dtype(np.float16): np.int16}


def where_zero(keep, a):
    """``np.where(keep, a, 0)`` for a bool array ``keep`` and an array ``a`` (shapes
    broadcast as in ``where``) — the same numbers, bit for bit. Takes the integer product
    of the bits when ``a`` is a float array, else (or with :func:`~tinygrad_edu.fast.plain`)
    calls ``np.where``."""
    ints = _SAME_WIDTH_INT.get(a.dtype) if isinstance(a, np.ndarray) else None
    if not switch.on or ints is None or getattr(keep, "dtype", None) != bool:
        return np.where(keep, a, 0)
    # (dtype=: the product in a's width whatever the shapes; NumPy 1.x would size it by a
    # 0-d a's value)
    return np.multiply(a.view(ints), keep.view(np.uint8), dtype=ints).view(a.dtype)


def maximum_zero(x):
    """``np.maximum(x, 0)`` — the same numbers, bit for bit — against an array of zeros,
    which takes NumPy's vector loop (the number 0 takes its scalar loop). The result is
    row-major, or column-major for a column-major x (another layout, such as a permuted 3-d
    array, comes back row-major). With :func:`~tinygrad_edu.fast.plain`, or for what is not an
    array, ``np.maximum(x, 0)``."""
    if not switch.on or not isinstance(x, np.ndarray):
        return np.maximum(x, 0)
    # zeros in x's layout (a column-major x against row-major zeros takes a strided loop)
    order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    return np.maximum(x, np.zeros(x.shape, x.dtype, order=order))
