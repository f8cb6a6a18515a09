"""Arithmetic: ``Add``, ``Neg``, ``Mul``, ``Div``, ``Pow`` (element-wise, broadcasting) and ``MatMul``.

Subtraction is not an op of its own: ``a - b`` is ``a + (-b)`` (``Add`` and ``Neg``).
Each backward returns ∂L/∂input = (∂L/∂out)·(∂out/∂input), summed back to the input's shape
by :func:`~tinygrad_edu.tensors.ops.broadcast.sum_to_shape`; inputs that need no gradient
(constants, tensors without ``requires_grad``) get ``None`` and cost nothing. Each rule is
written once, against :mod:`.xp`, and serves first and second derivatives alike.
"""
import numpy as np

from ...fast.layout import matmul
from ..function import Function
from . import xp
from .broadcast import sum_to_shape

__all__ = ["Add", "Neg", "Mul", "Div", "Pow", "MatMul", "FloorDivide", "Remainder"]

_BROADCAST_HINT = ("Broadcasting compares shapes from the right: each pair of dimensions "
                   "must be equal, or one of them 1.")


class Add(Function):
    """out = a + b;   ∂out/∂a = 1,  ∂out/∂b = 1 (each summed back to its operand's shape)."""
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))  # for sum_to_shape
        return a + b

    @staticmethod
    def backward(ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        return (sum_to_shape(grad, a_shape) if need_a else None,
                sum_to_shape(grad, b_shape) if need_b else None)


class Neg(Function):
    """out = −a;   ∂out/∂a = −1."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Function):
    """out = a·b;   ∂out/∂a = b,  ∂out/∂b = a."""
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        # Keep only what backward reads, as PyTorch: b for ∂/∂a, a for ∂/∂b. (In y[0] * 2 the
        # 2 needs no gradient, so y is not kept, and changing y in place later is no error.)
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = (np.shape(a), np.shape(b))
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_shape(grad * b, ctx.shapes[0]) if need_a else None,
                sum_to_shape(grad * a, ctx.shapes[1]) if need_b else None)


class Div(Function):
    """out = a / b;   ∂out/∂a = 1/b,  ∂out/∂b = −a/b² = −out/b.

    A direct op rather than ``a * b**-1``: one rounding instead of two, one node instead of two.
    Division by zero gives ±inf or nan, as in NumPy and PyTorch (``detect_anomaly`` finds it).
    """
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        # Backward reads b, and out for ∂/∂b; never a (so changing a later is no error).
        ctx.save_for_backward(b, out if ctx.needs_input_grad[1] else None)
        ctx.shapes = (np.shape(a), np.shape(b))
        return out

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_over_b = grad / b
        return (sum_to_shape(grad_over_b, ctx.shapes[0]) if need_a else None,
                sum_to_shape(-grad_over_b * out, ctx.shapes[1]) if need_b else None)  # reuses out


class Pow(Function):
    """out = aᵇ;   ∂out/∂a = b·aᵇ⁻¹,  ∂out/∂b = aᵇ·ln a = out·ln a.

    As PyTorch: ∂/∂a is 0 where b = 0 (x⁰ = 1 is flat even at x = 0), and ∂/∂b is 0 where
    a = 0 and b ≥ 0 (ln 0 would give 0·(−inf) = nan). A negative base with a tensor exponent
    gives nan in ∂/∂b, as ln of a negative number does.

    Implemented form: those entries are first made harmless — where b = 0 the exponent b − 1
    becomes 0 (0⁻¹ would give inf, and inf·0 = nan), where a = 0 and b ≥ 0 the log's argument
    becomes 1 — and then zeroed by a 0/1 mask. A mask (rather than ``where``) keeps the rule
    differentiable again: the masked entries' own derivatives are 0, not nan.
    """
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        _refuse_integer_to_negative_power(a, b)
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        a_values, b_values = _values(a), _values(b)   # the numbers, for the masks
        dtype = _values(out).dtype
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                keep = (b_values != 0).astype(dtype)              # 0 where b = 0
                grad_a = sum_to_shape(grad * b * a ** ((b - 1) * keep) * keep, np.shape(a))
            if need_b:
                zero = ((a_values == 0) & (b_values >= 0)).astype(dtype)
                log_a = xp.log(a * (1 - zero) + zero)            # log 1 = 0 where masked
                grad_b = sum_to_shape(grad * out * log_a * (1 - zero), np.shape(b))
        return grad_a, grad_b


def _refuse_integer_to_negative_power(a, b):
    """PyTorch's rule, with what to write instead: an integer tensor to a negative integer
    power has no integer result (2 ** -1 = 0.5)."""
    if np.result_type(a, b).kind in "iu" and np.any(np.asarray(b) < 0):
        negative = np.asarray(b)[np.asarray(b) < 0].ravel()[0]
        raise RuntimeError(f"Integers to negative integer powers are not allowed (as PyTorch): "
                           f"an integer tensor to the power {negative} has no integer result. "
                           f"Make the base floating point first: x.float() ** {negative} or "
                           f"x.double() ** {negative}, or write the numbers as floats "
                           f"(tensor([2.0]))")


def _values(x):
    """The numbers of an array, a number or a Tensor, as an array (for masks: constants)."""
    return np.asarray(getattr(x, "data", x))


class MatMul(Function):
    """out = a @ b, with NumPy's rules: matrices, stacks of matrices (batch dimensions
    broadcast), and 1-D operands (a vector on the left acts as a row, on the right as a column,
    and that dimension is dropped from the result).

    For matrices, out[i, k] = Σ_j a[i, j]·b[j, k], so

        ∂L/∂a = ∂L/∂out @ bᵀ        ∂L/∂b = aᵀ @ ∂L/∂out

    Implemented form: two matrices take the formulas as they stand. Otherwise 1-D operands are
    first viewed as 1-row / 1-column matrices (and the gradient gets the matching axis back),
    so the same formulas cover every case; batch dimensions that were broadcast are summed
    back by ``sum_to_shape``.
    """
    twice_differentiable = True
    shape_hint = ("For a @ b the last dimension of a must equal the second-to-last of b "
                  "(for a 1-D operand: its only dimension); other dimensions broadcast.")

    @staticmethod
    def forward(ctx, a, b):
        a = np.asarray(a)
        b = np.asarray(b)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least one dimension; use * to scale")
        ctx.save_for_backward(a, b)
        return matmul(a, b)   # a @ b (fast.matmul may pick the BLAS's faster form)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # (xp.matmul(left, right, like=m) is left @ right, laid out in memory like m.)
        if a.ndim == 2 and b.ndim == 2:   # two matrices: the formulas above, as they stand
            return (xp.matmul(grad, b.T, like=a) if need_a else None,
                    xp.matmul(a.T, grad, like=b) if need_b else None)
        a_shape, b_shape = a.shape, b.shape
        if b.ndim == 1:   # a column: (k,) -> (k, 1), and the gradient gets that column back
            b, grad = b[:, None], grad[..., None]
        if a.ndim == 1:   # a row: (k,) -> (1, k), and the gradient gets that row back
            a, grad = a[None, :], grad[..., None, :]
        grad_a = grad_b = None
        if need_a:   # ∂L/∂a = ∂L/∂out @ bᵀ
            grad_a = xp.matmul(grad, xp.swap_last_axes(b), like=a)
            grad_a = sum_to_shape(grad_a, a.shape).reshape(a_shape)
        if need_b:   # ∂L/∂b = aᵀ @ ∂L/∂out
            grad_b = xp.matmul(xp.swap_last_axes(a), grad, like=b)
            grad_b = sum_to_shape(grad_b, b.shape).reshape(b_shape)
        return grad_a, grad_b


def refuse_integer_division_by_zero(a, b):
    """Raise, as PyTorch does, for an integer ``a // 0`` or ``a % 0`` (NumPy would answer 0
    with a warning: a silent wrong number)."""
    b = np.asarray(b)
    if b.dtype.kind in "iub" and np.asarray(a).dtype.kind in "iub" and not b.all():
        raise RuntimeError("ZeroDivisionError: integer // or % by zero (a divisor holds 0); "
                           "divide floats (a.float() // b gives inf or nan there), or mask "
                           "the zeros out first")


class FloorDivide(Function):
    """out = ⌊a / b⌋ (``a // b``, rounding towards −∞ as Python and PyTorch do).

    A step function: its derivative is 0 almost everywhere and undefined at the steps.
    PyTorch does not implement it ("derivative for floor_divide is not implemented"), and
    neither does this: backward raises rather than silently handing back zeros (on arrays
    and on Tensors alike, hence declared twice differentiable: it never answers wrongly).
    """
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        refuse_integer_division_by_zero(a, b)
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative of floor division (a // b) is not implemented, as "
                           "in PyTorch; compute it on .detach()-ed tensors, or write "
                           "(a / b).floor() logic without needing its gradient")


class Remainder(Function):
    """out = a − b·⌊a / b⌋ (``a % b``: the sign of b, as Python and PyTorch);

        ∂out/∂a = 1,   ∂out/∂b = −⌊a / b⌋ (the floor taken as a constant, as PyTorch).
    """
    twice_differentiable = True
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        refuse_integer_division_by_zero(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[1]:
            ctx.quotient = np.floor_divide(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        return (sum_to_shape(grad, a_shape) if need_a else None,
                sum_to_shape(-grad * ctx.quotient, b_shape) if need_b else None)
