"""PyTorch's top-level functions for making and joining Tensors: ``tensor``, ``zeros``,
``ones``, ``empty``, ``full``, ``eye``, ``arange``, ``linspace``, ``zeros_like``, ``ones_like``,
``from_numpy``; the random ``randn``, ``rand``, ``normal``, ``randint``, ``rand_like``,
``randn_like``; and ``cat``, ``stack``, ``where``.

Each takes PyTorch's ``device=`` keyword; the only device is the CPU, and any other raises
(see :mod:`~tinygrad_edu.tensors.device`). The random ones draw from the library's one
generator (``manual_seed`` reproduces them), in float64, then round to the dtype, so float32
and float64 runs start from the same numbers; they are not PyTorch's draws.

``import tinygrad_edu as torch`` then ``torch.zeros(2, 3)`` works as it does with PyTorch.
As with ``torch.tensor``, ``tinygrad_edu.tensor`` is the function below; the module that
defines the class is still imported by name: ``from tinygrad_edu.tensor import Tensor``.
``cat`` and ``where`` are operations (:class:`~tinygrad_edu.tensors.ops.shape.Cat`,
:class:`~tinygrad_edu.tensors.ops.shape.Where`); ``stack`` is ``unsqueeze`` + ``cat``.

>>> import tinygrad_edu as torch
>>> a = torch.tensor([1.0, 2.0], requires_grad=True)
>>> torch.stack([a, 2 * a]).shape, torch.cat([a, a]).shape
((2, 2), (4,))
>>> torch.where(a > 1.5, a, torch.zeros_like(a))
Tensor([0., 2.], requires_grad=True, op='Where', grad=None)
>>> torch.arange(4), torch.arange(0.0, 1.0, 0.25)
(Tensor([0, 1, 2, 3], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75]))
>>> torch.linspace(0, 1, 5), torch.full((2,), 7)
(Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ]), Tensor([7, 7], dtype=int64))
"""
import math
import numbers

import numpy as np

from ..random import generator
from .device import cpu_only
from .ops import Cat, Where
from .dtypes import _to_array, as_dtype, result_type
from .pytorch_names import parse_dtype
from .tensor import Tensor, get_default_dtype
from .shape import normalize_dim

__all__ = ["tensor", "zeros", "ones", "empty", "full", "eye", "randn", "rand", "normal",
           "randint", "arange", "linspace", "zeros_like", "ones_like", "rand_like",
           "randn_like", "from_numpy", "cat", "stack", "where"]


def tensor(data, requires_grad=False, dtype=None, *, device=None):
    """``Tensor(data, requires_grad, dtype)``, PyTorch's spelling."""
    cpu_only("tensor", device)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*size, requires_grad=False, dtype=None, device=None):
    """Zeros of shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``): ``Tensor.zeros``."""
    cpu_only("zeros", device)
    return Tensor.zeros(*size, requires_grad=requires_grad, dtype=dtype)


def ones(*size, requires_grad=False, dtype=None, device=None):
    """Ones of shape ``size``: ``Tensor.ones``."""
    cpu_only("ones", device)
    return Tensor.ones(*size, requires_grad=requires_grad, dtype=dtype)


def empty(*size, requires_grad=False, dtype=None, device=None):
    """PyTorch's uninitialised tensor; here filled with zeros (whatever was in memory would
    teach nothing, and would make runs differ)."""
    cpu_only("empty", device)
    return Tensor.zeros(*size, requires_grad=requires_grad, dtype=dtype)


def full(size, fill_value, *, dtype=None, requires_grad=False, device=None):
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value as
    ``torch.full``'s does: a bool gives bool, an int int64, a float the default dtype."""
    cpu_only("full", device)
    if dtype is None:
        dtype = (np.bool_ if isinstance(fill_value, (bool, np.bool_)) else
                 np.int64 if isinstance(fill_value, numbers.Integral) else get_default_dtype())
    shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    return Tensor(np.full(shape, fill_value, dtype=parse_dtype(dtype, "full")),
                  requires_grad=requires_grad)


def eye(n, m=None, *, dtype=None, requires_grad=False, device=None):
    """The ``n × m`` identity matrix (``m`` defaults to ``n``): ones on the diagonal."""
    cpu_only("eye", device)
    return Tensor(np.eye(n, n if m is None else m, dtype=dtype or get_default_dtype()),
                  requires_grad=requires_grad)


def randn(*size, requires_grad=False, dtype=None, device=None):
    """Standard normal samples from the library's seeded generator: ``Tensor.randn``."""
    cpu_only("randn", device)
    return Tensor.randn(*size, requires_grad=requires_grad, dtype=dtype)


def rand(*size, requires_grad=False, dtype=None, device=None):
    """Uniform samples in ``[0, 1)`` from the library's seeded generator (``torch.rand``)."""
    cpu_only("rand", device)
    return _random(generator().random(Tensor._shape(size)), dtype, requires_grad, "rand")


def normal(mean, std=1.0, size=None, *, dtype=None, requires_grad=False, device=None):
    """Normal samples ``mean + std · z``, z standard normal, in PyTorch's forms:

    * ``normal(mean, std, size)`` with numbers: a tensor of shape ``size``;
    * ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
      ``normal(mean, std_tensor)``: one sample per element of the broadcast shape.

    The samples are constants (no gradient flows to ``mean`` or ``std``).
    """
    cpu_only("normal", device)
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(mean, std) with two numbers needs a size: "
                            "normal(mean, std, size=(n, m)), or give mean or std as a Tensor")
        shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        z = generator().standard_normal(shape)
        return _random(mean + std * z, dtype, requires_grad, "normal")
    if size is not None:
        raise TypeError("normal: size= goes with a number mean and std; with a Tensor the "
                        "shape is the tensor's")
    mean_array, std_array = (x.data if isinstance(x, Tensor) else x for x in (mean, std))
    if np.any(np.asarray(std_array) < 0):
        raise RuntimeError(f"normal expects all elements of std >= 0.0, got {std_array}")
    shape = np.broadcast_shapes(np.shape(mean_array), np.shape(std_array))
    z = generator().standard_normal(shape)
    dtype = dtype or np.result_type(*(x.dtype for x in tensors))
    return _random(mean_array + std_array * z, dtype, requires_grad, "normal")


def randint(low=0, high=None, size=None, *, dtype=None, requires_grad=False, device=None):
    """Integers uniform in ``[low, high)`` of shape ``size``: ``randint(10, (3,))`` or
    ``randint(0, 10, (3,))``; int64 unless ``dtype`` says otherwise."""
    cpu_only("randint", device)
    if size is None:   # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=size)
        low, high = 0, low
    if size is None or high is None:
        raise TypeError("randint needs an upper bound and a size: randint(high, (n,)) or "
                        "randint(low, high, (n,))")
    shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    data = generator().integers(low, high, shape, dtype=np.int64)
    return Tensor(data if dtype is None else data.astype(parse_dtype(dtype, "randint")),
                  requires_grad=requires_grad)


def _random(samples, dtype, requires_grad, name):
    """Float64 samples as a Tensor of ``dtype`` (default dtype), which must be floating."""
    dtype = get_default_dtype() if dtype is None else parse_dtype(dtype, name)
    if dtype.kind != "f":
        raise TypeError(f"{name} draws real numbers, so it needs a floating dtype, got "
                        f"{dtype}; pass dtype=torch.float32 (or leave dtype out)")
    return Tensor(np.asarray(samples).astype(dtype, copy=False), requires_grad=requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, device=None):
    """:func:`rand` of ``input``'s shape and dtype (or ``dtype``; it must be floating)."""
    cpu_only("rand_like", device)
    return _random(generator().random(input.shape), dtype or input.dtype, requires_grad,
                   "rand_like")


def randn_like(input, *, dtype=None, requires_grad=False, device=None):
    """:func:`randn` of ``input``'s shape and dtype (or ``dtype``; it must be floating)."""
    cpu_only("randn_like", device)
    return _random(generator().standard_normal(input.shape), dtype or input.dtype,
                   requires_grad, "randn_like")


def from_numpy(ndarray):
    """A Tensor that *shares memory* with ``ndarray``, as ``torch.from_numpy``: a change to
    one is seen in the other (``Tensor(a)`` and ``tensor(a)`` copy instead).

    >>> a = np.ones(3)
    >>> t = from_numpy(a)
    >>> np.add(a, 1, out=a); t
    array([2., 2., 2.])
    Tensor([2., 2., 2.])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy expects a NumPy array, got {type(ndarray).__name__}; "
                        f"for lists and numbers use tensor(...)")
    if ndarray.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: can't convert an array of dtype {ndarray.dtype}; the "
                        f"supported kinds are floating, integer and bool")
    return Tensor._constant(ndarray)


def linspace(start, end, steps, *, dtype=None, requires_grad=False, device=None):
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included.

    As PyTorch's: with ``step = (end − start) / (steps − 1)`` in the result's dtype, the first
    half is ``start + i·step`` and the second half ``end − (steps − 1 − i)·step``, so both
    ends are exact (NumPy's ``linspace`` counts every element from ``start``). PyTorch
    rounds each ``a + b·c`` once (a fused multiply-add); so does this, by computing it in a
    wider type: bit for bit in float32; in float64 the 80-bit ``longdouble`` rounds twice,
    which may differ from PyTorch in the last bit of an element now and then.
    """
    cpu_only("linspace", device)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, got {steps!r}")
    dtype = get_default_dtype() if dtype is None else parse_dtype(dtype, "linspace")
    work = dtype if dtype.kind == "f" else np.dtype(np.float64)  # PyTorch's integer form too
    wide = np.float64 if work == np.float32 else np.longdouble
    first, last = work.type(start), work.type(end)
    if steps == 1:
        return Tensor(np.full(1, first).astype(dtype), requires_grad=requires_grad)
    step = wide((last - first) / work.type(steps - 1))
    i = np.arange(steps)
    from_start = (wide(first) + step * i.astype(wide)).astype(work)
    from_end = (wide(last) - step * (steps - 1 - i).astype(wide)).astype(work)
    data = np.where(i < steps // 2, from_start, from_end)
    return Tensor(data.astype(dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, requires_grad=False, device=None):
    """``start, start + step, ...`` up to but excluding ``end`` (``arange(n)``: 0 .. n−1).

    As PyTorch: int64 when every argument is an integer, else the default dtype; there are
    ⌈(end − start) / step⌉ elements, element i being ``start + i·step`` (NumPy's ``arange``
    steps by a rounded difference instead, which can differ in the last bit). With an integer
    ``dtype`` the three are first truncated to integers, as PyTorch does for int64, so
    ``arange(-1.5, 1.5, dtype=int64)`` counts from −1 to 1: ``[-1, 0]`` (counting 3 steps
    from −1.5 and truncating each would repeat 0).
    """
    cpu_only("arange", device)
    if end is None:
        start, end = 0, start
    if dtype is not None and np.dtype(dtype).kind in "iub":
        truncated = tuple(int(v) for v in (start, end, step))   # int() rounds towards zero
        if truncated[2] == 0 and step != 0:
            raise ValueError(f"arange: step={step} is 0 as an integer (dtype {np.dtype(dtype)}),"
                             f" and the step must be nonzero; use a float dtype for fractional "
                             f"steps")
        start, end, step = truncated
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    integral = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = np.int64 if integral else get_default_dtype()
    n = max(math.ceil((end - start) / step), 0)
    if integral:
        data = start + step * np.arange(n, dtype=np.int64)
    else:
        data = start + step * np.arange(n, dtype=np.float64)
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros_like(input, *, dtype=None, requires_grad=False, device=None):
    """Zeros of ``input``'s shape and dtype (or ``dtype``)."""
    cpu_only("zeros_like", device)
    dtype = input.dtype if dtype is None else dtype
    return Tensor(np.zeros(input.shape, dtype), requires_grad=requires_grad, dtype=dtype)


def ones_like(input, *, dtype=None, requires_grad=False, device=None):
    """Ones of ``input``'s shape and dtype (or ``dtype``)."""
    cpu_only("ones_like", device)
    dtype = input.dtype if dtype is None else dtype
    return Tensor(np.ones(input.shape, dtype), requires_grad=requires_grad, dtype=dtype)


def _tensors(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{name} expects a non-empty list or tuple of Tensors, e.g. "
                        f"{name}([a, b], dim=0); got {type(tensors).__name__}")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def cat(tensors, dim=0):
    """Join ``tensors`` along the existing dimension ``dim``; the gradient is cut back into
    the pieces. Shapes must agree in every other dimension."""
    tensors = _tensors(tensors, "cat")
    target = result_type(*tensors)    # as PyTorch: int64 with float32 gives float32
    tensors = [as_dtype(t, target) for t in tensors]
    ndims = {t.ndim for t in tensors}
    if len(ndims) != 1 or 0 in ndims:
        raise ValueError(f"cat needs tensors with the same number (>= 1) of dimensions, got "
                         f"shapes {[t.shape for t in tensors]}; for 0-d tensors use stack")
    return Cat.apply(*tensors, axis=normalize_dim(dim, tensors[0].ndim, "cat"))


def stack(tensors, dim=0):
    """Join equally shaped ``tensors`` along a *new* dimension ``dim``: each is
    ``unsqueeze(dim)``-ed, then they are concatenated with :func:`cat`."""
    tensors = _tensors(tensors, "stack")
    shapes = [t.shape for t in tensors]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(f"stack expects tensors of equal shape, got {shapes}")
    dim = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other``, element by element (broadcasting).

    ``condition`` is a bool Tensor or array (a comparison such as ``x > 0``); ``input`` and
    ``other`` are Tensors or numbers, and each gets the gradient of the elements taken from it.
    """
    watched = (condition,) if isinstance(condition, Tensor) else ()
    condition = condition._data if watched else np.asarray(condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be a bool Tensor (e.g. x > 0), got dtype "
                        f"{condition.dtype}; compare it first, e.g. mask != 0")
    # As PyTorch, the result has the dtype a + b would have (numbers and 0-d tensors count
    # only by their category): where(mask, float32, 0.5) stays float32.
    input, other = (_to_array(x, None) if isinstance(x, (list, tuple)) else x
                    for x in (input, other))
    target = result_type(input, other)
    input, other = (as_dtype(x, target) if isinstance(x, Tensor) else
                    Tensor(np.asarray(x, dtype=target)) for x in (input, other))
    out = Where.apply(condition, input, other)
    if watched and out._ctx is not None:
        out._ctx.watched = watched   # its array is kept: a change in place makes backward raise
    return out
