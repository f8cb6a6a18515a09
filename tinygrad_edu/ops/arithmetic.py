"""Arithmetic: ``Add``, ``Neg``, ``Mul``, ``Div``, ``Pow`` (element-wise, broadcasting) and ``MatMul``.

Subtraction is not an op of its own: ``a - b`` is ``a + (-b)`` (``Add`` and ``Neg``).
Each backward returns ∂L/∂input = (∂L/∂out)·(∂out/∂input), summed back to the input's shape
by :func:`~tinygrad_edu.ops.broadcast.sum_to_shape`; inputs that need no gradient (constants,
tensors without ``requires_grad``) get ``None`` and cost nothing.

Each op also has ``differentiable_backward``: the same formula on Tensors, used only for
second derivatives (``create_graph=True``; see :mod:`tinygrad_edu.function`).
"""
import numpy as np

from ..function import Function
from .broadcast import sum_to_shape, sum_to_shape_tensor
from .product_form import matmul
from .shape import Transpose

__all__ = ["Add", "Neg", "Mul", "Div", "Pow", "MatMul"]

_BROADCAST_HINT = ("Broadcasting compares shapes from the right: each pair of dimensions "
                   "must be equal, or one of them 1.")


class Add(Function):
    """out = a + b;   ∂out/∂a = 1,  ∂out/∂b = 1 (each summed back to its operand's shape)."""
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

    @staticmethod
    def differentiable_backward(ctx, grad, out, a, b):
        need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        return (sum_to_shape_tensor(grad, a_shape) if need_a else None,
                sum_to_shape_tensor(grad, b_shape) if need_b else None)


class Neg(Function):
    """out = −a;   ∂out/∂a = −1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def differentiable_backward(ctx, grad, out, a):
        return -grad


class Mul(Function):
    """out = a·b;   ∂out/∂a = b,  ∂out/∂b = a."""
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_shape(grad * b, np.shape(a)) if need_a else None,
                sum_to_shape(grad * a, np.shape(b)) if need_b else None)

    @staticmethod
    def differentiable_backward(ctx, grad, out, a, b):
        need_a, need_b = ctx.needs_input_grad
        return (sum_to_shape_tensor(grad * b, np.shape(a)) if need_a else None,
                sum_to_shape_tensor(grad * a, np.shape(b)) if need_b else None)


class Div(Function):
    """out = a / b;   ∂out/∂a = 1/b,  ∂out/∂b = −a/b² = −out/b.

    A direct op rather than ``a * b**-1``: one rounding instead of two, one node instead of two.
    Division by zero gives ±inf or nan, as in NumPy and PyTorch (``detect_anomaly`` finds it).
    """
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_over_b = grad / b
        return (sum_to_shape(grad_over_b, np.shape(a)) if need_a else None,
                sum_to_shape(-grad_over_b * out, np.shape(b)) if need_b else None)  # reuses out

    @staticmethod
    def differentiable_backward(ctx, grad, out, a, b):
        need_a, need_b = ctx.needs_input_grad
        grad_over_b = grad / b
        return (sum_to_shape_tensor(grad_over_b, np.shape(a)) if need_a else None,
                sum_to_shape_tensor(-grad_over_b * out, np.shape(b)) if need_b else None)


class Pow(Function):
    """out = aᵇ;   ∂out/∂a = b·aᵇ⁻¹,  ∂out/∂b = aᵇ·ln a = out·ln a.

    As PyTorch: ∂/∂a is 0 where b = 0 (x⁰ = 1 is flat even at x = 0), and ∂/∂b is 0 where
    a = 0 and b ≥ 0 (ln 0 would give 0·(−inf) = nan). A negative base with a tensor exponent
    gives nan in ∂/∂b, as ln of a negative number does.
    """
    shape_hint = _BROADCAST_HINT

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out entries only
            if need_a:
                grad_a = sum_to_shape(np.where(b == 0, 0, grad * b * a ** (b - 1)), np.shape(a))
            if need_b:
                log_a = np.log(np.asarray(a, dtype=out.dtype))  # a may be a Python number
                grad_b = sum_to_shape(np.where((a == 0) & (b >= 0), 0, grad * out * log_a),
                                      np.shape(b))
        return grad_a, grad_b

    @staticmethod
    def differentiable_backward(ctx, grad, out, a, b):
        """The same rule on Tensors. ``np.where`` is not an op here, so the masked entries are
        handled by making them harmless and multiplying by a 0/1 mask: where b = 0 the
        exponent b − 1 becomes 0 (so 0**-1 cannot make inf·0 = nan), where a = 0 and b ≥ 0 the
        log's argument becomes 1; the mask then zeroes those entries and their derivatives."""
        need_a, need_b = ctx.needs_input_grad
        a_array, b_array = (np.asarray(getattr(v, "data", v)) for v in (a, b))
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                keep = (b_array != 0).astype(out.dtype)
                grad_a = grad * b * a ** ((b - 1) * keep) * keep
                grad_a = sum_to_shape_tensor(grad_a, np.shape(a))
            if need_b:
                zero = ((a_array == 0) & (b_array >= 0)).astype(out.dtype)
                safe_a = a * (1 - zero) + zero                  # 1 where masked: log 1 = 0
                log_a = safe_a.log() if hasattr(safe_a, "log") else np.log(safe_a)
                grad_b = sum_to_shape_tensor(grad * out * log_a * (1 - zero), np.shape(b))
        return grad_a, grad_b


class MatMul(Function):
    """out = a @ b, with NumPy's rules: matrices, stacks of matrices (batch dimensions
    broadcast), and 1-D operands (a vector on the left acts as a row, on the right as a column,
    and that dimension is dropped from the result).

    For matrices, out[i, k] = Σ_j a[i, j]·b[j, k], so

        ∂L/∂a = ∂L/∂out @ bᵀ        ∂L/∂b = aᵀ @ ∂L/∂out

    Implemented form: two matrices take a direct path. Otherwise 1-D operands are first viewed
    as 1-row / 1-column matrices (and the gradient gets the matching axis back), so one formula
    covers every case; batch dimensions that were broadcast are summed back by ``sum_to_shape``.
    """
    shape_hint = ("For a @ b the last dimension of a must equal the second-to-last of b "
                  "(for a 1-D operand: its only dimension); other dimensions broadcast.")

    @staticmethod
    def forward(ctx, a, b):
        a = np.asarray(a)
        b = np.asarray(b)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least one dimension; use * to scale")
        ctx.save_for_backward(a, b)
        return matmul(a, b)   # a @ b; x @ W.T in the BLAS's faster form (see product_form)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
            return (_matrix_grad(grad, b.T, a) if need_a else None,
                    _matrix_grad(a.T, grad, b) if need_b else None)
        a2 = a[None, :] if a.ndim == 1 else a        # (k,) -> (1, k)
        b2 = b[:, None] if b.ndim == 1 else b        # (k,) -> (k, 1)
        if b.ndim == 1:
            grad = grad[..., None]                   # the column that b's promotion added
        if a.ndim == 1:
            grad = grad[..., None, :]                # the row that a's promotion added
        grad_a = grad_b = None
        if need_a:
            grad_a = sum_to_shape(grad @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b:
            grad_b = sum_to_shape(np.swapaxes(a2, -1, -2) @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    @staticmethod
    def differentiable_backward(ctx, grad, out, a, b):
        """The general branch of ``backward`` on Tensors (a and b are Tensors here)."""
        need_a, need_b = ctx.needs_input_grad
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        if b.ndim == 1:
            grad = grad.reshape(grad.shape + (1,))
        if a.ndim == 1:
            grad = grad.reshape(grad.shape[:-1] + (1, grad.shape[-1]))
        grad_a = grad_b = None
        if need_a:
            grad_a = sum_to_shape_tensor(grad @ _swap_last(b2), a2.shape).reshape(a.shape)
        if need_b:
            grad_b = sum_to_shape_tensor(_swap_last(a2) @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b


def _swap_last(x):
    """The Tensor ``x`` with its last two axes swapped (a batch of transposed matrices)."""
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return Transpose.apply(x, axes=axes)


def _matrix_grad(left, right, operand):
    """``left @ right``, the gradient of a 2-D ``operand``, laid out in memory like the operand."""
    if _is_transposed_matrix(operand):  # e.g. W.T in x @ W.T: see below
        return (right.T @ left.T).T
    return left @ right


def _is_transposed_matrix(x):
    """True for a 2-D column-major array, typically ``W.T`` of a row-major ``W``.

    Its gradient is computed as the transpose of ``(∂L/∂x)ᵀ = rightᵀ @ leftᵀ`` (the same numbers,
    one matrix product either way), so that after ``Transpose``'s backward ``W.grad`` comes out row-major
    like ``W``. Otherwise every update ``W.data -= lr * W.grad`` would walk two arrays in
    opposite orders, which costs more than the matrix product itself for a small batch.
    """
    return x.ndim == 2 and x.flags.f_contiguous and not x.flags.c_contiguous
