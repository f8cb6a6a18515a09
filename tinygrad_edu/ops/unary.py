"""Element-wise functions: ``Exp``, ``Log``, ``Tanh``, ``Relu``, ``Sigmoid``, ``Sqrt``, ``Abs``,
``Sin``, ``Cos``, and the two identities ``Clone`` (a copy) and ``Cast`` (another dtype).

Each maps every element on its own, so its Jacobian is diagonal and the backward rule is the
element-wise product ``grad · f'(x)``. Several derivatives are cheapest in terms of the output
(eˣ, tanh, σ, √x): those ops save the output and say so.

``differentiable_backward`` is the same formula on Tensors, for second derivatives (see
:mod:`tinygrad_edu.function`): where the array rule reuses the output, it uses the output
Tensor ``out``, whose own graph carries the derivative on to x. relu's and abs's slopes are
constant masks (second derivative 0 away from the kink).

Out-of-domain inputs (``log`` of a negative, ``sqrt`` of a negative) give ``nan``/``inf`` as in
NumPy and PyTorch; they do not raise. Run inside ``detect_anomaly()`` to stop at the first one.
"""
import numpy as np

from ..function import Function

__all__ = ["Exp", "Log", "Tanh", "Relu", "Sigmoid", "Sqrt", "Abs", "Sin", "Cos", "Clone", "Cast"]


class Exp(Function):
    """out = eˣ;   d/dx = eˣ = out (reuses the output)."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * out


class Log(Function):
    """out = ln x;   d/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad / x


class Tanh(Function):
    """out = tanh x;   d/dx = 1 − tanh²x = 1 − out² (reuses the output)."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * (1 - out * out)


class Relu(Function):
    """out = max(x, 0);   d/dx = 1 for x > 0, else 0 (0 at x = 0 too, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # out > 0 exactly where x > 0

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * (out.data > 0).astype(out.dtype)


class Sigmoid(Function):
    """out = σ(x) = 1 / (1 + e⁻ˣ);   d/dx = σ(x)·(1 − σ(x)) = out·(1 − out) (reuses the output).

    Implemented form, stable for large |x|: with z = e^−|x| (never overflows),
    σ(x) = 1/(1 + z) for x ≥ 0 and z/(1 + z) for x < 0 — the same function, rewritten so that
    exp never sees a large positive number.
    """

    @staticmethod
    def forward(ctx, x):
        z = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * out * (1 - out)


class Sqrt(Function):
    """out = √x;   d/dx = 1/(2√x) = 1/(2·out) (reuses the output; inf at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad / (2 * out)


class Abs(Function):
    """out = |x|;   d/dx = sign(x) (0 at x = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.sign(x)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * np.sign(x.data)


class Sin(Function):
    """out = sin x;   d/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.cos(x)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad * x.cos()


class Cos(Function):
    """out = cos x;   d/dx = −sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * np.sin(x)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return -grad * x.sin()


class Clone(Function):
    """out = a copy of x (new memory);   d/dx = 1: the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad


class Cast(Function):
    """out = x converted to another floating dtype (``float()``, ``double()``);   d/dx = 1,
    with the gradient converted back to x's dtype (a float64 parameter gets a float64 grad)."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype, copy=False)

    @staticmethod
    def differentiable_backward(ctx, grad, out, x):
        return grad if grad.dtype == ctx.dtype else Cast.apply(grad, dtype=ctx.dtype)
