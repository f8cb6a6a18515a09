"""Element-wise functions: ``Exp``, ``Log``, ``Tanh``, ``Relu``, ``Sigmoid``, ``Sqrt``, ``Abs``,
``Sin``, ``Cos``, and the two identities ``Clone`` (a copy) and ``Cast`` (another dtype).

Each maps every element on its own, so its Jacobian is diagonal and the backward rule is the
element-wise product ``grad · f'(x)``. Several derivatives are cheapest in terms of the output
(eˣ, tanh, σ, √x): those ops save the output and say so.

Each rule is written once, against :mod:`.xp`: on arrays for ``backward()``, on Tensors for
``create_graph=True``, where a saved output is the output Tensor, whose own graph carries the
derivative on to x. relu's and abs's slopes are constant masks (second derivative 0 away
from the kink).

float16, as PyTorch: a rule of several steps (sigmoid, tanh's derivative) is computed in
float32 and rounded once; NumPy's float16 exp, log, ... already round once.

Out-of-domain inputs (``log`` of a negative, ``sqrt`` of a negative) give ``nan``/``inf`` as in
NumPy and PyTorch; they do not raise. Run inside ``detect_anomaly()`` to stop at the first one.
"""
import numpy as np

from ..function import Function
from . import xp

__all__ = ["Exp", "Log", "Tanh", "Relu", "Sigmoid", "Sqrt", "Abs", "Sin", "Cos", "Clone", "Cast"]


class Exp(Function):
    """out = eˣ;   d/dx = eˣ = out (reuses the output)."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """out = ln x;   d/dx = 1/x."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Tanh(Function):
    """out = tanh x;   d/dx = 1 − tanh²x = 1 − out² (reuses the output).

    Implemented form: (1 − out)(1 + out), the same number computed without cancellation
    (PyTorch's float32 gradient is as exact; 1 − out·out loses digits where tanh saturates).
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        wide = _wide(out)   # = 1 − out², without cancelling digits near ±1:
        return xp.cast(_wide(grad) * ((1 - wide) * (1 + wide)), out.dtype)


class Relu(Function):
    """out = max(x, 0);   d/dx = 1 for x > 0, else 0 (0 at x = 0 too, as PyTorch).

    At x = NaN the value is NaN and, as PyTorch, the gradient passes (slope 1): the rule
    blocks it only where ``out = 0``, which is where ``x <= 0`` holds — never at NaN.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        _refuse_bool(x, "relu")
        out = xp.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        passes = np.not_equal(_values(out), 0)   # out = 0 exactly where x <= 0 (not at NaN)
        # where, not grad * mask: a NaN arriving from above stays out of the blocked elements
        return xp.where(passes, grad, 0)


class Sigmoid(Function):
    """out = σ(x) = 1 / (1 + e⁻ˣ);   d/dx = σ(x)·(1 − σ(x)) = out·(1 − out) (reuses the output).

    Implemented form, stable for large |x|: with z = e^−|x| (never overflows),
    σ(x) = 1/(1 + z) for x ≥ 0 and z/(1 + z) for x < 0 — the same function, rewritten so that
    exp never sees a large positive number.
    """
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        wide = _wide(x)
        z = np.exp(-np.abs(wide))
        out = np.where(wide >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        wide = _wide(out)
        return xp.cast(_wide(grad) * wide * (1 - wide), out.dtype)


class Sqrt(Function):
    """out = √x;   d/dx = 1/(2√x) = 1/(2·out) (reuses the output; inf at 0, as PyTorch)."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Abs(Function):
    """out = |x|;   d/dx = sign(x) (0 at x = 0, and 0 at x = NaN, as PyTorch)."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        _refuse_bool(x, "abs")
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        values = _values(x)   # the slope: a new constant array in both worlds
        slope = np.sign(values, out=np.empty_like(values))
        slope[slope != slope] = 0   # sign(NaN) is NaN; PyTorch's slope there is 0
        if isinstance(grad, np.ndarray) and grad.dtype == slope.dtype:
            return np.multiply(grad, slope, out=slope)   # (speed: no third large array)
        return grad * slope


def _wide(x):
    """float16 as float32 (PyTorch's arithmetic type for it); other dtypes unchanged."""
    return xp.cast(x, np.float32) if x.dtype == np.float16 else x


def _refuse_bool(x, name):
    if x.dtype == bool:   # as PyTorch: a mask has no sign to take or to clip
        raise TypeError(f"{name} of a bool tensor is not supported (as in PyTorch); convert "
                        f"first: t.long().{name}()")


def _values(x):
    """The numbers of an array or a Tensor (for a mask: a constant in both worlds)."""
    return x if isinstance(x, np.ndarray) else x.data


class Sin(Function):
    """out = sin x;   d/dx = cos x."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * xp.cos(x)


class Cos(Function):
    """out = cos x;   d/dx = −sin x."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * xp.sin(x)


class Clone(Function):
    """out = a copy of x (new memory);   d/dx = 1: the gradient passes through unchanged."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Cast(Function):
    """out = x converted to another floating dtype (``float()``, ``double()``);   d/dx = 1,
    with the gradient converted back to x's dtype (a float64 parameter gets a float64 grad)."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return xp.cast(grad, ctx.dtype)
