"""Matrix products in the memory layout the BLAS runs faster. Two tricks, neither changing
what is computed (the same sums, in another memory order):

1. :func:`matmul`: ``a @ bᵀ`` in the form the installed BLAS runs faster, chosen by timing
   both once per shape;
2. :func:`product_like`: a gradient laid out in memory like the matrix it belongs to.

Trick 1.
``x @ W.T`` (the product of every ``Linear`` forward, ``W`` stored ``(out, in)`` as in PyTorch)
hands the BLAS a transposed operand. Some BLAS builds run that case markedly slower than the
same numbers computed as ``(W @ x.T).T`` for a small batch, others do not. Rather than assume one BLAS, :func:`matmul` times both forms the first
time it sees a shape and remembers the faster; the two forms are the same sums, so results
agree to rounding. The transposed form is kept only if it is clearly (5 %) faster, so the
plain textbook product is used whenever the choice does not matter.

Trick 2. The gradient of ``W.T`` in ``x @ W.T`` is ``xᵀ @ ∂L/∂out``, a row-major array, which
``Transpose``'s backward then hands to ``W`` as a column-major ``W.grad``. Every update
``W.data -= lr * W.grad`` would then walk two arrays in opposite orders, which costs more
than the matrix product itself for a small batch. :func:`product_like` computes the same
product as ``(rightᵀ @ leftᵀ)ᵀ`` in that case, so ``W.grad`` comes out row-major like ``W``.

With :func:`tinygrad_edu.fast.plain` both step aside: ``a @ b`` as written.
"""
import time

from .switch import switch

__all__ = ["matmul", "product_like"]

_MEASURE_MAX_MACS = 1 << 26   # larger products: the layout costs little, timing it too much
_CLEARLY_FASTER = 0.95   # 5 %: at batch 32 the first layer of the bench's MLP gains ~8 %
_TRIALS = 7
_choice = {}   # (a.shape, b.shape, a.dtype, b.dtype, a row-major?) -> True: use (bᵀ @ aᵀ)ᵀ


def matmul(a, b):
    """``a @ b``; for a contiguous matrix ``a`` and a column-major ``b`` (typically ``W.T``),
    possibly computed as ``(bᵀ @ aᵀ)ᵀ`` (a column-major result): see the module docstring.

    ``a`` may be row- or column-major (the output of a ``Linear`` that took the transposed
    form is column-major, and it is the next layer's input): the two layouts are timed apart.
    """
    if not (switch.on and a.ndim == 2 and b.ndim == 2 and (a.flags.c_contiguous or a.flags.f_contiguous)
            and b.flags.f_contiguous and not b.flags.c_contiguous):
        return a @ b
    key = (a.shape, b.shape, a.dtype, b.dtype, a.flags.c_contiguous)
    transposed = _choice.get(key)
    if transposed is None:
        transposed = _choice[key] = _transposed_is_faster(a, b)
    return (b.T @ a.T).T if transposed else a @ b


def _transposed_is_faster(a, b):
    if a.shape[0] * a.shape[1] * b.shape[1] > _MEASURE_MAX_MACS:
        return False
    plain, transposed = float("inf"), float("inf")
    for _ in range(_TRIALS):   # interleaved, best of seven: a busy neighbour hits both forms
        start = time.perf_counter()
        a @ b
        middle = time.perf_counter()
        b.T @ a.T
        end = time.perf_counter()
        plain, transposed = min(plain, middle - start), min(transposed, end - middle)
    return transposed < _CLEARLY_FASTER * plain


def product_like(left, right, operand):
    """``left @ right`` (the gradient of the matrix ``operand``), column-major when ``operand``
    is a column-major matrix (typically ``W.T``), else as NumPy makes it."""
    if (switch.on and left.ndim == 2 and right.ndim == 2 and operand.ndim == 2
            and operand.flags.f_contiguous and not operand.flags.c_contiguous):
        return (right.T @ left.T).T
    return left @ right
