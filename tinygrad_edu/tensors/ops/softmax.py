"""``Softmax`` and ``LogSoftmax`` along one axis, as fused ops for numerical stability.

Textbook:   softmax(x)_i = e^{x_i} / Σ_j e^{x_j}      log_softmax(x)_i = x_i − log Σ_j e^{x_j}

Composed from ``exp``, ``sum`` and ``/``, logits of 1000 would overflow e^x to inf and give
inf/inf = nan. Implemented form: subtract m = max_j x_j first. The result is unchanged
(the factor e^{−m} cancels), and now every exponent is ≤ 0, so e^x ∈ (0, 1]:

    softmax(x)_i = e^{x_i − m} / Σ_j e^{x_j − m}      log_softmax(x)_i = (x_i − m) − log Σ_j e^{x_j − m}

Backward, with s = softmax(x) and g = ∂L/∂out (Jacobian ∂s_i/∂x_k = s_i(δ_ik − s_k)):

    softmax:      ∂L/∂x = s · (g − Σ_k g_k s_k)
    log_softmax:  ∂L/∂x = g − s · Σ_k g_k            (s = e^{out}: reuses the output)
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
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        ctx.axis = axis
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """out = log_softmax(x) along ``axis``;   ∂L/∂x = g − e^{out} · Σ g."""
    twice_differentiable = True

    @staticmethod
    def forward(ctx, x, axis=-1):
        shifted = x - x.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - xp.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)
