"""``nn.init``: fill a parameter in place with PyTorch's initialisation schemes.

Every function writes into ``tensor.data`` (the same array, so optimizers and views holding
it see the new values) and counts the change on the tensor's version counter (so a
``backward()`` through a graph that saved the old values raises, as PyTorch's), draws from the
library's generator (``manual_seed`` reproduces it), records nothing in the graph and
returns the tensor.

The bounds are PyTorch's. With ``fan_in`` = inputs per output (``in_features`` for a
``Linear`` weight of shape ``(out, in)``) and ``fan_out`` = outputs per input:

* ``xavier_uniform_``: U(−a, a), a = gain·√(6 / (fan_in + fan_out)) — Glorot & Bengio (2010):
  keeps the variance of activations and of gradients about equal from layer to layer;
* ``kaiming_uniform_``: U(−b, b), b = gain·√(3 / fan), gain = √(2 / (1 + a²)) for
  ``leaky_relu`` with negative slope ``a`` — He et al. (2015), for ReLU networks.
  ``nn.Linear``'s own initialisation is ``kaiming_uniform_(w, a=√5)``: b = 1/√fan_in.

>>> from tinygrad_edu import Tensor, manual_seed
>>> w = Tensor(np.empty((3, 4)), requires_grad=True)
>>> manual_seed(0); w = xavier_uniform_(w)
>>> bool(np.abs(w.data).max() <= np.sqrt(6 / (4 + 3)))
True
"""
import math
import numbers

import numpy as np

from ..random import generator
from ..tensors import Tensor
from ..tensors.versions import mark_changed

__all__ = ["calculate_gain", "uniform_", "normal_", "zeros_", "ones_", "constant_",
           "xavier_uniform_", "kaiming_uniform_"]


def _fill(tensor, values, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{name} fills a Tensor in place, got {type(tensor).__name__}")
    tensor.data[...] = values   # in place: whoever holds the array sees the new values
    mark_changed(tensor)        # ... and a graph that saved it raises at backward()
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights feeding ``nonlinearity``, as PyTorch: 1 for
    ``linear``/``sigmoid``, 5/3 for ``tanh``, √2 for ``relu``, √(2/(1 + slope²)) for
    ``leaky_relu`` (slope ``param``, default 0.01), 3/4 for ``selu``."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
            raise ValueError(f"negative_slope {slope!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; use one of linear, sigmoid, "
                     f"tanh, relu, leaky_relu, selu")


def _fans(tensor, name):
    """``(fan_in, fan_out)``: a weight ``(out, in, *kernel)`` has fan_in = in·k, fan_out = out·k."""
    if tensor.ndim < 2:
        raise ValueError(f"nn.init.{name}: fan in and fan out can not be computed for a tensor "
                         f"with fewer than 2 dimensions (shape {tensor.shape})")
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with samples of U(a, b)."""
    return _fill(tensor, generator().uniform(a, b, tensor.shape), "uniform_")


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with samples of N(mean, std²)."""
    return _fill(tensor, generator().normal(mean, std, tensor.shape), "normal_")


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val, "constant_")


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, 0, "zeros_")


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1, "ones_")


def xavier_uniform_(tensor, gain=1.0):
    """Glorot/Xavier: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, generator().uniform(-bound, bound, tensor.shape), "xavier_uniform_")


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He/Kaiming: U(−b, b) with b = gain·√(3 / fan), fan = fan_in (default) or fan_out, and
    gain = ``calculate_gain(nonlinearity, a)`` (√2 for the default leaky_relu with a = 0)."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming_uniform_: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, "kaiming_uniform_")
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return _fill(tensor, generator().uniform(-bound, bound, tensor.shape), "kaiming_uniform_")
