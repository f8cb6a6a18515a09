"""Dtypes, as PyTorch: what dtype a new Tensor gets, and the dtype of ``a + b``.


* **Creation.** A NumPy array keeps its dtype (``float32`` stays ``float32``, ``int32``
  stays ``int32``). Python data is floating if any number in it is a float (then it gets the
  default dtype, float64 unless changed with :func:`set_default_dtype`), else integer
  (``int64``) or ``bool``: ``Tensor([0, 1, 2])`` holds class labels, ``Tensor([True, False])``
  a mask, and neither silently becomes a float. Only floating tensors can require grad.
* **Promotion** (the dtype of ``a + b``, ``a * b``, ...). Kinds are ordered
  bool < integer < floating. The result has the highest kind among the operands; a Python
  number counts only when its kind is higher than every tensor's:

  ==================================  ==========================================
  ``int64 tensor + 1``                ``int64`` (integer arithmetic stays exact)
  ``int64 tensor + 0.5``              the default dtype (float64)
  ``int64 tensor + float32 tensor``   ``float32`` (the floating operand decides)
  ``float32 tensor * 2`` or ``* 0.5`` ``float32`` (numbers never widen a tensor)
  ``bool tensor + 1``                 ``int64``
  ``int64 tensor / int64 tensor``     the default dtype (``/`` is true division)
  ==================================  ==========================================

  Operations whose result is never an integer (``exp log sqrt tanh sigmoid sin cos``,
  ``softmax``, ``log_softmax``) give the default dtype for integer or bool input (PyTorch
  refuses integer ``softmax``, and integer ``@`` float; here they promote); ``relu``,
  ``abs``, ``sum`` and ``max`` keep integers integers. ``mean()`` of an integer or bool
  tensor raises ``TypeError``, as PyTorch does: convert first (``Tensor(t.data, dtype=float)``).

>>> from tinygrad_edu import Tensor
>>> Tensor([0, 1, 2]).dtype, Tensor([0.5, 1]).dtype, Tensor([True, False]).dtype
(dtype('int64'), dtype('float64'), dtype('bool'))
>>> (Tensor([1, 2]) + 1).dtype, (Tensor([1, 2]) * 0.5).dtype, (Tensor([1, 2]) / 2).dtype
(dtype('int64'), dtype('float64'), dtype('float64'))
"""
import numbers

import numpy as np

__all__ = ["set_default_dtype", "get_default_dtype"]

_default_dtype = np.dtype(np.float64)


def set_default_dtype(dtype):
    """Set the dtype that Python floats, floating results of integer data, and factories get.

    >>> from tinygrad_edu import Tensor
    >>> set_default_dtype(np.float32); Tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> set_default_dtype(np.float64)
    """
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"the default dtype must be a floating-point type such as np.float32 "
                        f"or np.float64, got {dtype}")
    _default_dtype = dtype


def get_default_dtype():
    """The current default dtype (``np.dtype('float64')`` unless changed)."""
    return _default_dtype


def _to_array(data, dtype):
    """A new array for ``Tensor(data, dtype)``, following the dtype rules above."""
    if dtype is not None:
        return np.array(data, dtype=dtype)
    array = np.array(data)  # a copy: the tensor never shares memory with the caller's array
    kind = array.dtype.kind
    if kind not in "iubf":
        raise TypeError(f"Tensor data must be real numbers, got an array of dtype {array.dtype} "
                        f"from {type(data).__name__}")
    if isinstance(data, (np.ndarray, np.generic)):
        return array  # NumPy data keeps its dtype, as torch.tensor(ndarray) does
    if kind == "f":
        return array.astype(_default_dtype, copy=False)  # Python floats: the default dtype
    if kind in "iu":
        return array.astype(np.int64, copy=False)        # Python ints: int64, as PyTorch
    return array                                         # Python bools: bool


def _operands(tensor, other, true_division=False):
    """``(tensor, other)`` ready for a two-input op, or None if ``other`` is not supported.

    ``other`` is converted first. Tensors and arrays pass through. Python and NumPy numbers
    become Python ``bool``, ``int`` or ``float``: NumPy treats those as "weak", so they never
    widen a tensor (a NumPy float64 scalar would make a float32 tensor float64). Lists follow
    the ``Tensor(list)`` rules. Then :func:`_promote` applies PyTorch's type promotion.
    """
    floating = tensor._data.dtype.kind == "f"
    if type(other) is type(tensor):  # the hot path, first: two floating tensors, or a float
        if floating and other._data.dtype.kind == "f":
            return tensor, other
    elif type(other) is float:
        if floating:
            return tensor, other
    elif isinstance(other, np.ndarray):
        if floating and other.dtype.kind == "f":
            return tensor, other
    elif isinstance(other, (bool, np.bool_)):
        other = bool(other)
    elif isinstance(other, numbers.Integral):  # int and NumPy integers
        other = int(other)
    elif isinstance(other, numbers.Real):      # float and NumPy floats
        other = float(other)
    elif isinstance(other, (list, tuple)):
        other = _to_array(other, None)
    else:
        return None
    return _promote(tensor, other, true_division)


def _kind(x):
    """'f' (floating), 'i'/'u' (integer) or 'b' (bool) for a Tensor, an array or a number."""
    if type(x) is float:
        return "f"
    if isinstance(x, np.ndarray) or _is_tensor(x):
        return x.dtype.kind
    return "b" if isinstance(x, bool) else "i" if isinstance(x, int) else "f"


def _promote(a, b, true_division=False):
    """``(a, b)`` cast so that NumPy computes PyTorch's result dtype (see the module docstring).

    NumPy already agrees with PyTorch when both operands are floating (the common case,
    returned at once) and for integer/bool arithmetic. It differs in three places, fixed
    here by casting the integer operand (a constant: integer tensors never require grad):
    an integer array with a floating array of another width (``int64 + float32`` is float32
    in PyTorch, float64 in NumPy), with a Python float (the default dtype, not float64), and
    true division of integers (the default dtype).
    """
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a == "f" and kind_b == "f":
        return a, b
    if kind_a == "f" or kind_b == "f":
        floating = a if kind_a == "f" else b
        target = floating.dtype if hasattr(floating, "dtype") else _default_dtype
    elif true_division:
        target = _default_dtype
    else:
        return a, b  # integer and bool arithmetic: NumPy's rules are PyTorch's
    return _cast(a, target), _cast(b, target)


def _cast(x, dtype):
    """An integer/bool Tensor or array as an array of ``dtype``; anything else unchanged."""
    if _is_tensor(x):
        return x if x.data.dtype.kind == "f" else x.data.astype(dtype)
    if isinstance(x, np.ndarray) and x.dtype.kind != "f":
        return x.astype(dtype)
    return x


def _is_tensor(x):
    """True for a Tensor (this module sits below the class, so it asks for its slot)."""
    return hasattr(x, "requires_grad") and not isinstance(x, np.ndarray)
