"""The Tensor engine's public path: ``from tinygrad_edu.tensor import Tensor`` (API §2).

The engine itself lives in :mod:`tinygrad_edu.tensors` (the class in ``tensors/tensor.py``);
this module keeps the import path that code and docs have always used.
"""
from .tensors.tensor import Tensor, get_default_dtype, set_default_dtype

__all__ = ["Tensor", "set_default_dtype", "get_default_dtype"]
