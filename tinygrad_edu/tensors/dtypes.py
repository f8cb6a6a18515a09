"""Dtypes, as PyTorch: what dtype a new Tensor gets, and the dtype of ``a + b``.


* **Creation.** A NumPy array keeps its dtype (``float32`` stays ``float32``, ``int32``
  stays ``int32``). Python data is floating if any number in it is a float (then it gets the
  default dtype, float64 unless changed with :func:`set_default_dtype`), else integer
  (``int64``) or ``bool``: ``Tensor([0, 1, 2])`` holds class labels, ``Tensor([True, False])``
  a mask, and neither silently becomes a float. NumPy numbers in a list bring their dtype
  (``[np.float32(1.5)]`` is float32), and an integer beyond int64 is refused rather than
  wrapped round. Only floating tensors can require grad.
* **Promotion** (the dtype of ``a + b``, ``a * b``, ``a < b``, ``cat``, ``where``,
  ``clamp``; :func:`result_type`). Kinds are ordered bool < integer < floating. Tensors with
  dimensions decide; a 0-d tensor or a Python or NumPy number counts only when its kind is
  higher than theirs (a 0-d tensor then with its own dtype, a number as the default dtype or
  int64):

  ==================================  ==========================================
  ``int64 tensor + 1``                ``int64`` (integer arithmetic stays exact)
  ``int64 tensor + 0.5``              the default dtype (float64)
  ``int64 tensor + float32 tensor``   ``float32`` (the floating operand decides)
  ``float32 tensor * 2`` or ``* 0.5`` ``float32`` (numbers never widen a tensor)
  ``bool tensor + 1``                 ``int64``
  ``int64 tensor / int64 tensor``     the default dtype (``/`` is true division)
  ``float32 tensor + Tensor(0.1)``    ``float32`` (a 0-d float64 tensor: same kind)
  ``int32 tensor + Tensor(0.5)``      ``float64`` (a 0-d tensor of a higher kind)
  ``cat([int64, float32])``           ``float32``
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

__all__ = ["set_default_dtype", "get_default_dtype", "promote_types", "result_type", "as_dtype"]

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
    if kind not in "iubfO":   # (objects: maybe integers too large for int64, see below)
        raise TypeError(f"Tensor data must be real numbers, got an array of dtype "
                        f"{array.dtype} from {type(data).__name__}")
    if isinstance(data, (np.ndarray, np.generic)):
        if kind == "O":
            raise TypeError("Tensor data must be real numbers, got an array of dtype object")
        return array  # NumPy data keeps its dtype, as torch.tensor(ndarray) does
    wanted = _inferred_dtype(data)
    if wanted is None:   # no number at all (an empty list): the default dtype, as PyTorch
        return array.astype(_default_dtype)
    if wanted.kind in "iu" and array.dtype != wanted and kind in "fuO":
        _refuse_out_of_range(data)   # NumPy made uint64, float64 or objects of big integers
    return array.astype(wanted, copy=False)


def _inferred_dtype(data):
    """PyTorch's dtype for Python data: each number has one (a Python float the default
    dtype, an int int64, a bool bool; a NumPy number or array, a Tensor: its own), and the
    dtype of the whole is their :func:`promote_types`. So ``[np.float32(1.5)]`` is float32
    and ``[np.float32(1.5), 2]`` too (the float wins), but ``[np.float32(1.5), 2.0]`` is the
    default dtype (two floats: the wider)."""
    if type(data) in (list, tuple):
        types = set(map(type, data))   # one pass in C: a list of a million floats is {float}
        if float in types and types <= _PYTHON_NUMBERS:   # the common case, first
            return _default_dtype
        result = None
        for kind in types:
            if kind in (list, tuple):
                for item in data:
                    if type(item) is kind:
                        result = promote_types(result, _inferred_dtype(item))
            else:
                result = promote_types(result, _inferred_dtype(next(x for x in data
                                                                    if type(x) is kind)))
        return result
    if isinstance(data, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(data, (np.generic, np.ndarray)) or _is_tensor(data):
        dtype = np.dtype(data.dtype)
        if dtype.kind not in "iubf":
            raise TypeError(f"Tensor data must be real numbers, got {dtype} inside the data")
        return dtype
    if isinstance(data, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(data, numbers.Real):
        return _default_dtype
    raise TypeError(f"Tensor data must be real numbers, got {type(data).__name__} {data!r}")


_PYTHON_NUMBERS = {float, int, bool}


def _refuse_out_of_range(data):
    """Python integers beyond int64 (PyTorch refuses them; NumPy would make them uint64 or
    objects, and int64 would wrap 2**63 round to -2**63)."""
    big = next((v for v in np.ravel(np.array(data, dtype=object))
                if isinstance(v, numbers.Integral) and not -2 ** 63 <= v < 2 ** 63), data)
    raise ValueError(f"the integer {big} does not fit in int64 (-2**63 .. 2**63 - 1), the "
                     f"dtype of Python integers; write it as a float ({float(big):.6g}) or "
                     f"pass dtype=np.float64 for an approximate value")


# --------------------------------------------------------------------------- promotion
_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}   # bool < integer < floating


def promote_types(a, b):
    """PyTorch's ``promote_types``: the dtype that holds both. A higher category wins
    outright (``int64`` with ``float16`` is ``float16``, where NumPy says ``float64``);
    within a category the wider one (``float16`` with ``float32`` is ``float32``).
    ``None`` stands for "no dtype yet".

    >>> promote_types(np.int64, np.float16), promote_types(np.float16, np.float32)
    (dtype('float16'), dtype('float32'))
    """
    if a is None or b is None:
        return None if a is None and b is None else np.dtype(b if a is None else a)
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    category_a, category_b = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if category_a != category_b:
        return a if category_a > category_b else b
    return np.promote_types(a, b)


def result_type(*operands):
    """The dtype PyTorch gives an operation on ``operands`` (Tensors, arrays, numbers; None
    is skipped), by its three ranks:

    1. tensors with dimensions decide, among themselves by :func:`promote_types`;
    2. a 0-d tensor (one number, ``Tensor(0.1)``) counts only when its *category* is higher
       than theirs, and then with its own dtype: ``float32 + Tensor(0.1)`` stays float32,
       ``int32 + Tensor(3)`` int32, but ``int32 + Tensor(0.5)`` is float64;
    3. a Python or NumPy number counts only when its category is higher than every
       tensor's, and then as the default dtype (a float) or int64 (an int).

    >>> from tinygrad_edu import Tensor
    >>> result_type(Tensor(np.float32([1, 2])), Tensor(0.1)), result_type(np.int32([1]), 2.5)
    (dtype('float32'), dtype('float64'))
    """
    ranks = [None, None, None]   # with dimensions, 0-d, numbers
    for x in operands:
        if x is None:
            continue
        if isinstance(x, np.ndarray) or _is_tensor(x):
            rank, dtype = (0 if x.ndim else 1), x.dtype
        elif isinstance(x, (bool, np.bool_)):
            rank, dtype = 2, np.dtype(bool)
        elif isinstance(x, numbers.Integral):
            rank, dtype = 2, np.dtype(np.int64)
        else:
            rank, dtype = 2, _default_dtype
        ranks[rank] = promote_types(ranks[rank], dtype)
    return _combine(ranks[0], _combine(ranks[1], ranks[2]))


def _combine(higher, lower):
    """A lower-ranked dtype counts only when its category is higher."""
    if higher is None or lower is None:
        return lower if higher is None else higher
    return lower if _CATEGORY[lower.kind] > _CATEGORY[higher.kind] else higher


def _operands(tensor, other, true_division=False, operator=None):
    """``(tensor, other)`` ready for a two-input op, or None if ``other`` is not supported.

    ``other`` is converted first. Tensors and arrays pass through. Python and NumPy numbers
    become Python ``bool``, ``int`` or ``float``: NumPy treats those as "weak", so they never
    widen a tensor (a NumPy float64 scalar would make a float32 tensor float64), which is
    PyTorch's rule for numbers too. Lists follow the ``Tensor(list)`` rules. Then
    :func:`_promote` casts both to PyTorch's :func:`result_type`.
    """
    dtype = tensor._data.dtype
    if type(other) is type(tensor):  # the hot path, first: two tensors of one float dtype
        if other._data.dtype == dtype and dtype.kind == "f":
            return tensor, other
    elif type(other) is float:
        if dtype.kind == "f":
            return tensor, other
    elif type(other) is int:   # NumPy computes in the tensor's dtype, as PyTorch
        if dtype.kind == "f" or (dtype.kind in "iu" and not true_division):
            return tensor, other
    elif isinstance(other, np.ndarray):
        if other.dtype == dtype and dtype.kind == "f":
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
    if operator is not None:
        _refuse_bools(tensor, other, operator)
    return _promote(tensor, other, true_division)


def _kind(x):
    """'f' (floating), 'i'/'u' (integer) or 'b' (bool) for a Tensor, an array or a number."""
    if isinstance(x, np.ndarray) or _is_tensor(x):
        return x.dtype.kind
    return "b" if isinstance(x, bool) else "i" if isinstance(x, int) else "f"


def _refuse_bools(tensor, other, operator):
    """PyTorch refuses ``-`` with a bool operand (tensor or number), and ``**`` between
    bools, with a bool base number, or with a bool tensor as a float tensor's exponent;
    NumPy would answer (``True - 1 = 0``, ``bool ** bool`` as int8), so the same refusal is
    made here, with the way out. (``operator`` "r**" is ``other ** tensor``.)"""
    if operator == "-":   # (a bool NumPy array, a mask inside a backward rule, is let through)
        if tensor.dtype == bool or (_kind(other) == "b" and not isinstance(other, np.ndarray)):
            raise TypeError("subtraction with a bool tensor or number is not supported (as "
                            "in PyTorch); to invert a mask use ~mask or mask == 0, or convert "
                            "first: mask.long() - 1")
        return
    base, exponent = (tensor, other) if operator == "**" else (other, tensor)
    base_kind, exponent_kind = _kind(base), _kind(exponent)
    if (base_kind == "b" and (exponent_kind == "b" or (isinstance(base, bool)
                                                         and exponent_kind == "f"))) or \
            (exponent_kind == "b" and _is_tensor(exponent) and base_kind == "f"
             and _is_tensor(base)):
        raise TypeError(f"** with bools ({base_kind} base, {exponent_kind} exponent, b = "
                        f"bool) is not supported (as in PyTorch); convert the bool side "
                        f"first: t.long() or t.double()")


def _promote(a, b, true_division=False):
    """``(a, b)`` cast to PyTorch's :func:`result_type` (the default dtype for true division
    of integers), so that NumPy computes in that dtype. NumPy's own rules differ: it widens
    ``int64 + float32`` to float64 and ``float32 + 0-d float64`` to float64, where PyTorch
    keeps float32. A number stays a Python number: NumPy then computes in the array's dtype.
    A cast of a tensor that requires grad is an op (``Cast``), so its gradient comes back in
    its own dtype."""
    target = result_type(a, b)
    if true_division and target.kind != "f":
        target = _default_dtype
    return _cast(a, target), _cast(b, target)


def _cast(x, dtype):
    """A Tensor or array as ``dtype`` (a Tensor that requires grad through the differentiable
    ``Cast``, others as a constant array); numbers and matching dtypes unchanged."""
    if _is_tensor(x):
        if x.dtype == dtype:
            return x
        if x.requires_grad:
            from .ops.unary import Cast   # here: the ops are defined after the Tensor class
            return Cast.apply(x, dtype=dtype)
        return x.data.astype(dtype)
    if isinstance(x, np.ndarray) and x.dtype != dtype:
        return x.astype(dtype)
    return x


def as_dtype(x, dtype):
    """The Tensor ``x`` as ``dtype``: itself when it already is, a ``Cast`` op when it requires
    grad (its gradient comes back in its own dtype), else a constant Tensor."""
    if x.dtype == dtype:
        return x
    if x.requires_grad:
        from .ops.unary import Cast
        return Cast.apply(x, dtype=dtype)
    return type(x)._constant(x.data.astype(dtype))


def _is_tensor(x):
    """True for a Tensor (this module sits below the class, so it asks for its slot)."""
    return hasattr(x, "requires_grad") and not isinstance(x, np.ndarray)
