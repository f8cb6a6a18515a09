"""``nn.utils``: clipping gradients before ``optimizer.step()``.

When a gradient is huge (a steep cliff of the loss, an exploding RNN), one step can throw the
parameters far away. Clipping bounds the step without changing its direction:

* :func:`clip_grad_norm_` rescales *all* gradients together so that their joint norm
  ``‖(g₁, g₂, ...)‖`` is at most ``max_norm`` — the direction of the whole update is kept;
* :func:`clip_grad_value_` clamps each element to ``[−clip_value, clip_value]`` — simpler,
  but it bends the direction.

Both change ``p.grad`` in place, as PyTorch's (the trailing ``_`` says so), and are called
between ``loss.backward()`` and ``optimizer.step()``.

>>> import numpy as np
>>> from tinygrad_edu import tensor
>>> w = tensor([0.0, 0.0], requires_grad=True)
>>> w.grad = np.array([3.0, 4.0])                   # norm 5
>>> clip_grad_norm_([w], max_norm=1.0).item()       # returns the norm before clipping
5.0
>>> w.grad.round(6)                                 # now of norm 1, same direction
array([0.6, 0.8])
"""
import math

import numpy as np

from ..tensors import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(array, norm_type):
    if norm_type == math.inf:
        return np.abs(array).max(initial=0)
    return (np.abs(array) ** norm_type).sum() ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale every gradient by ``min(1, max_norm / (total + 1e-6))``, where ``total`` is the
    ``norm_type``-norm of all gradients taken together (the norm of the per-parameter
    norms; ``inf``: the largest absolute element). Returns ``total`` (before clipping) as a
    0-d Tensor, as PyTorch. The 1e-6 keeps the division finite when every gradient is 0.
    ``foreach`` (a PyTorch speed switch) is accepted and ignored.
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    grads = _grads(parameters)
    if not grads:
        return Tensor(0.0)
    # (np.stack and np.minimum, not np.array(list) and min(): array operations that a
    # compiled step records, where a list of numbers or a Python comparison would not be)
    norms = np.stack([_norm(g, norm_type) for g in grads]).astype(grads[0].dtype, copy=False)
    total = _norm(norms, norm_type).astype(grads[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {total}, so they cannot be clipped; find the NaN/inf "
                           f"(tinygrad_edu.detect_anomaly()), or pass error_if_nonfinite=False")
    scale = np.minimum(max_norm / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):   # an infinite norm: inf · 0 is NaN, as in PyTorch
        for grad in grads:
            np.multiply(grad, np.asarray(scale, dtype=grad.dtype), out=grad)
    return Tensor(total)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to ``[−clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for grad in _grads(parameters):
        np.clip(grad, -clip_value, clip_value, out=grad)
