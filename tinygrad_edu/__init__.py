"""tinygrad_edu: a small, readable autograd engine and optimizer library for learning how
deep-learning training works.

Reading order (the README's): ``graph`` (the walk) → ``scalar`` (Value) → ``tensors``
(Tensor) → ``autograd`` (second derivatives) → ``gradcheck`` → ``nn`` → ``optim`` → ``data``,
``landscapes``, ``serialization``, ``viz``; ``fast`` holds the speed tricks, behind one door.
"""
__version__ = "0.2.0"

import numpy as _np

from .graph import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .random import get_rng_state, manual_seed, set_rng_state
from .scalar import Value
from .tensor import Tensor, get_default_dtype, set_default_dtype  # (first: see below)
# The factory tensor(...) takes the name `tinygrad_edu.tensor` after the module of that name
# (API §2's import path) was loaded, so that importing the module later does not rebind it.
from .tensors import (Function, arange, cat, ones, ones_like, randn, stack, tensor, where,
                      zeros, zeros_like)
from . import autograd  # noqa: E402  (grad, functional: second derivatives)
from . import fast  # noqa: E402  (the speed tricks; fast.plain() turns them off)
from .serialization import CheckpointError, load, save
from . import nn  # noqa: E402  (Module, layers, losses)
from . import optim  # noqa: E402  (optimizers, learning-rate schedules)
from . import data  # noqa: E402  (synthetic data sets, DataLoader)
# compile(fn), the function, takes the name of its package (as tensor(...) does above).
from .compile import compile  # noqa: E402  (trace a step once, replay it as NumPy)

__all__ = ["__version__", "Value", "Tensor", "Function", "set_default_dtype",
           "get_default_dtype", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "manual_seed", "get_rng_state", "set_rng_state",
           "save", "load", "CheckpointError", "tensor", "zeros", "ones", "randn", "arange",
           "zeros_like", "ones_like", "cat", "stack", "where", "float32", "float64", "int64",
           "long", "compile"]

# dtype names, so that `torch.set_default_dtype(torch.float64)` and `dtype=torch.long` port
float32, float64, int64 = _np.dtype(_np.float32), _np.dtype(_np.float64), _np.dtype(_np.int64)
long = int64
