"""tinygrad_edu: a small, readable autograd engine and optimizer library for learning how
deep-learning training works.

Reading order (the README's): ``graph`` (the walk) → ``scalar`` (Value) → ``tensors``
(Tensor) → ``autograd`` (second derivatives) → ``gradcheck`` → ``nn`` → ``optim`` → ``data``,
``landscapes``, ``serialization``, ``viz``; ``fast`` holds the speed tricks, behind one door.
"""
__version__ = "0.2.0"

import types as _types

import numpy as _np

from .graph import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .random import get_rng_state, manual_seed, set_rng_state
from .scalar import Value
from .tensor import Tensor, get_default_dtype, set_default_dtype  # (first: see below)
# The factory tensor(...) takes the name `tinygrad_edu.tensor` after the module of that name
# (API §2's import path) was loaded, so that importing the module later does not rebind it.
from .tensors import (Function, arange, cat, empty, eye, from_numpy, full, linspace, normal,
                      ones, ones_like, rand, rand_like, randint, randn, randn_like, stack, tensor,
                      where, zeros, zeros_like)
from .tensors.device import accelerator, cuda, device, get_default_device, set_default_device
# torch.sin(x), torch.matmul(a, b, out=c), torch.sum(x, dim=1), ...: the Tensor methods as
# functions (these names shadow Python's sum, max, min, abs and pow inside this file only).
from .tensors.pytorch_functions import (abs, add, amax, amin, argmax, argmin, clamp, clip,
                                        clone, cos, detach, div, dot, exp, flatten, is_tensor,
                                        log, log_softmax, matmul, max, mean, min, mm, mul, neg,
                                        numel, permute, pow, relu, reshape, sigmoid, sin,
                                        softmax, sqrt, square, squeeze, sub, sum, t, tanh,
                                        transpose, unsqueeze)
from . import autograd  # noqa: E402  (grad, functional: second derivatives)
from .autograd import inference_mode, set_grad_enabled  # noqa: E402
from . import fast  # noqa: E402  (the speed tricks; fast.plain() turns them off)
from .serialization import CheckpointError, load, save
from . import nn  # noqa: E402  (Module, layers, losses)
from . import optim  # noqa: E402  (optimizers, learning-rate schedules)
from . import data  # noqa: E402  (synthetic data sets, DataLoader)
# compile(fn), the function, takes the name of its package (as tensor(...) does above).
from .compile import compile  # noqa: E402  (trace a step once, replay it as NumPy)

# torch.utils.data.DataLoader after `import tinygrad_edu as torch`
utils = _types.SimpleNamespace(data=data)

__all__ = ["__version__", "Value", "Tensor", "Function", "set_default_dtype",
           "get_default_dtype", "no_grad", "enable_grad", "is_grad_enabled",
           "detect_anomaly", "manual_seed", "get_rng_state", "set_rng_state",
           "save", "load", "CheckpointError", "tensor", "zeros", "ones", "randn", "arange",
           "zeros_like", "ones_like", "cat", "stack", "where", "float32", "float64", "int64",
           "long", "double", "int32", "uint8", "empty", "eye", "from_numpy", "full", "linspace",
           "normal", "rand", "rand_like", "randint", "randn_like", "device", "cuda",
           "accelerator", "set_default_device", "get_default_device", "set_grad_enabled",
           "inference_mode", "add", "sub", "mul", "div", "neg", "square", "matmul", "mm", "dot",
           "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "clamp", "clip",
           "mean", "amax", "amin", "argmax", "argmin", "softmax", "log_softmax", "reshape",
           "flatten", "squeeze", "unsqueeze", "transpose", "permute", "t", "clone", "detach",
           "is_tensor", "numel", "compile"]
# (Not in __all__, so that `from tinygrad_edu import *` never hides Python's own: sum, max,
# min, abs, pow, and the dtype names float, int, bool below.)

# dtype names, so that `torch.set_default_dtype(torch.float64)` and `dtype=torch.long` port.
# As PyTorch: torch.float is float32, torch.double float64, torch.long int64, torch.int int32.
float32, float64 = _np.dtype(_np.float32), _np.dtype(_np.float64)
int64, int32, uint8 = _np.dtype(_np.int64), _np.dtype(_np.int32), _np.dtype(_np.uint8)
bool = _np.dtype(_np.bool_)   # noqa: A001  (torch.bool; shadows the builtin here only)
float, double, long, int = float32, float64, int64, int32   # noqa: A001


# PyTorch names that tinygrad_edu does not have, and what to write instead. An unknown name
# gets a plain "no such attribute", never Python's "Did you mean" guess: for `torch.rand` it
# used to suggest `randn`, a different distribution.
_MISSING = {
    "maximum": "write torch.where(a > b, a, b)",
    "minimum": "write torch.where(a < b, a, b)",
    "bmm": "use matmul (or @), which multiplies batches of matrices too",
    "einsum": "write the product with matmul, reshape/permute and sum",
    "tensordot": "write the product with matmul, reshape/permute and sum",
    "randperm": "use torch.tensor(np.random.default_rng(seed).permutation(n)), or a "
                "DataLoader with shuffle=True",
    "norm": "write (x ** 2).sum().sqrt() (or x.abs().sum(), x.abs().max())",
    "logsumexp": "write x.amax(dim, keepdim=True) + (x - x.amax(dim, keepdim=True)).exp()"
                 ".sum(dim, keepdim=True).log(), or use log_softmax",
    "cumsum": "use np.cumsum on x.numpy() (no gradient) — cumsum is not an op here",
    "prod": "write x.log().sum().exp() for positive x — prod is not an op here",
    "std": "write ((x - x.mean()) ** 2).mean().sqrt() (PyTorch's default divides by n - 1)",
    "var": "write ((x - x.mean()) ** 2).mean() (PyTorch's default divides by n - 1)",
    "sort": "use np.sort on x.numpy() (no gradient)",
    "topk": "use np.argsort on x.numpy() and index the tensor with the result",
    "gather": "index with integer tensors: x[torch.arange(n), idx]",
    "sign": "use torch.where(x > 0, 1.0, 0.0) - torch.where(x < 0, 1.0, 0.0)",
    "float16": "there is no float16 here; use torch.float32",
    "half": "there is no float16 here; use torch.float32",
    "bfloat16": "there is no bfloat16 here; use torch.float32",
    "Size": "a shape is a plain tuple here (t.shape == (2, 3))",
    "FloatTensor": "use torch.tensor(data, dtype=torch.float32)",
    "LongTensor": "use torch.tensor(data, dtype=torch.long)",
    "Generator": "one library generator is seeded with torch.manual_seed(seed)",
    "set_printoptions": "tensors print through NumPy: use np.set_printoptions",
    "compile": "not in this version of tinygrad_edu",
    "jit": "there is no TorchScript here; run the Python function",
    "linalg": "only matmul/mm/dot are here; for other linear algebra use np.linalg on "
              "x.numpy() (no gradient)",
    "fft": "use np.fft on x.numpy() (no gradient)",
    "distributions": "draw with torch.normal, torch.rand, torch.randn or torch.randint",
    "amp": "there is no mixed precision here (CPU, float32/float64 only)",
    "autocast": "there is no mixed precision here (CPU, float32/float64 only)",
    "backends": "there are no backends to configure: everything runs on the CPU with NumPy",
    "hub": "there are no pretrained models here; load weights with torch.load",
    "distributed": "there is no distributed training here",
    "vmap": "write the batch dimension out (operations broadcast over leading dimensions)",
}


def __getattr__(name):
    """``tinygrad_edu.X`` for a name that does not exist: for one PyTorch has, say so and
    what to write instead; for any other, say it is not here — never guess a similar name."""
    if name.startswith("__"):
        raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")
    advice = _MISSING.get(name)
    if advice is not None:
        message = f"tinygrad_edu has no {name} (PyTorch's torch.{name}): {advice}"
    else:
        message = (f"module 'tinygrad_edu' has no attribute {name!r}; if it is a PyTorch "
                   f"function, tinygrad_edu does not have it (README: Coming from PyTorch)")
    raise AttributeError(message, name=name, obj=None)   # obj=None: Python guesses nothing
