"""``tinygrad_edu.autograd``: the PyTorch-shaped front door to differentiation, read after
both engines, which it drives.

* :func:`grad` — gradients handed back rather than accumulated into ``.grad``, and on
  request (``create_graph=True``) themselves differentiable: second derivatives;
* :mod:`.functional` — ``jacobian``, ``hessian`` and ``hvp``, built on ``grad``;
* :class:`Function` (:mod:`.custom_function`) — PyTorch's custom-operation protocol written
  with Tensors (the engine's own, on arrays, is ``tinygrad_edu.Function``);
* :mod:`.grad_mode` — ``set_grad_enabled`` and ``inference_mode``.

The walk, grad mode and anomaly mode live below both engines, in :mod:`tinygrad_edu.graph`;
they are re-exported here under PyTorch's names (``torch.autograd.no_grad`` and friends).
"""
from ..graph import (backpropagate, check_finite, detect_anomaly, enable_grad,
                     is_anomaly_enabled, is_grad_enabled, no_grad, topological_order)
from .gradients import grad
from . import functional
from .custom_function import Function, FunctionCtx
from .grad_mode import inference_mode, set_grad_enabled

__all__ = ["grad", "functional", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
           "is_anomaly_enabled", "check_finite", "topological_order", "backpropagate",
           "Function", "FunctionCtx", "set_grad_enabled", "inference_mode"]
