"""tinygrad_edu: a small, readable autograd engine and optimizer library for learning how
deep-learning training works.

Reading order: ``scalar`` (Value) → ``autograd`` (the graph walker) → ``gradcheck`` →
``tensor`` (Tensor) → ``nn`` → ``optim`` → ``data``, ``landscapes``, ``serialization``, ``viz``.
"""
__version__ = "0.1.0"

from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .random import get_rng_state, manual_seed, set_rng_state
from .scalar import Value
from .tensor import Tensor, get_default_dtype, set_default_dtype
from .function import Function
from .serialization import CheckpointError, load, save
from . import nn  # noqa: E402  (Module, layers, losses)
from . import optim  # noqa: E402  (optimizers, learning-rate schedules)
from . import data  # noqa: E402  (synthetic data sets, DataLoader)

__all__ = ["__version__", "Value", "Tensor", "Function", "set_default_dtype",
           "get_default_dtype", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "manual_seed", "get_rng_state", "set_rng_state",
           "save", "load", "CheckpointError"]
