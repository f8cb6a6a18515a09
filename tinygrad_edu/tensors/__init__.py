"""The Tensor engine: ``Value``'s ideas on NumPy arrays, in one room.

Read in this order:

1. :mod:`.tensor` — the ``Tensor`` class: creation, operators, reductions, ``backward()``;
   with :mod:`.dtypes` (PyTorch's dtype rules) and :mod:`.versions` (catching an in-place
   change between forward and backward);
2. :mod:`.function` — ``Function``: how one operation is recorded (``apply``) and how its one
   backward rule is run on arrays or, for second derivatives, on Tensors (``chain_rule``);
3. :mod:`.ops` — every built-in operation, each a forward and one backward rule;
4. :mod:`.shape`, :mod:`.compare`, :mod:`.factories` — PyTorch's vocabulary built on them;
   :mod:`.pytorch_names` (``mm``, ``t()``, ``to``, ...), :mod:`.pytorch_functions`
   (``torch.sin(x)``, ``out=``) and :mod:`.device` (the CPU, by PyTorch's device names).

The only circle of imports in the package is here, and it is inherent: a Tensor's methods
apply the ops, the ops subclass ``Function``, and ``Function`` builds Tensors.
"""
from .tensor import Tensor, get_default_dtype, set_default_dtype
from .function import Function
from .factories import (arange, cat, empty, eye, from_numpy, full, linspace, normal, ones,
                        ones_like, rand, rand_like, randint, randn, randn_like, stack, tensor,
                        where, zeros, zeros_like)

__all__ = ["Tensor", "Function", "set_default_dtype", "get_default_dtype", "tensor", "zeros",
           "ones", "randn", "arange", "zeros_like", "ones_like", "cat", "stack", "where",
           "empty", "eye", "from_numpy", "full", "linspace", "normal", "rand", "rand_like",
           "randint", "randn_like"]
