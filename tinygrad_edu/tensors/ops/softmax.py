"""``Softmax`` and ``LogSoftmax`` along one axis, as fused ops for numerical stability.

Textbook:   softmax(x)_i = e^{x_i} / Σ_j e^{x_j}      log_softmax(x)_i = x_i − log Σ_j e^{x_j}

Composed from ``exp``, ``sum`` and ``/``, logits of 1000 would overflow e^x to inf and give
inf/inf = nan. Implemented form: subtract m = max_j x_j first. The result is unchanged
(the factor e^{−m} cancels), and now every exponent is ≤ 0, so e^x ∈ (0, 1]:

    softmax(x)_i = e^{x_i − m} / Σ_j e^{x_j − m}      log_softmax(x)_i = (x_i − m) − log Σ_j e^{x_j − m}

Backward, with s = softmax(x) and g = ∂L/∂out (Jacobian ∂s_i/∂x_k = s_i(δ_ik − s_k)):

    softmax:      ∂L/∂x = s · (g − Σ_k g_k s_k)
    log_softmax:  ∂L/∂x = g − s · Σ_k g_k            (s = e^{out}: reuses the output)

float16, as PyTorch: forward and backward are computed in float32 and rounded once. Each
subtracts nearly equal numbers (x − log Σ e^x near 0, g − Σ g·s), where rounding every step
to float16's 11 bits would lose most of the digits.
"""
import numpy as np

from ..function import Function
from . import xp

__all__ = ["Softmax", "LogSoftmax"]


class Softmax(Function):
    """out = softmax(x) along ``axis``;   ∂L/∂x = out · (g − Σ g·out)."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=-1):
        wide = _wide(x)
        e = np.exp(wide - wide.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        e = e.astype(x.dtype, copy=False)
        ctx.axis = axis
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        wide_s, wide_grad = _wide(s), _wide(grad)
        return xp.cast(wide_s * (wide_grad - (wide_grad * wide_s).sum(axis=ctx.axis,
                                                                       keepdims=True)), s.dtype)


class LogSoftmax(Function):
    """out = log_softmax(x) along ``axis``;   ∂L/∂x = g − e^{out} · Σ g."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=-1):
        wide = _wide(x)
        shifted = wide - wide.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        out = out.astype(x.dtype, copy=False)
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        wide_grad = _wide(grad)
        return xp.cast(wide_grad - xp.exp(_wide(out)) * wide_grad.sum(axis=ctx.axis,
                                                                      keepdims=True), out.dtype)


def _wide(x):
    """float16 as float32 (PyTorch's arithmetic type for it); other dtypes unchanged."""
    return xp.cast(x, np.float32) if x.dtype == np.float16 else x
