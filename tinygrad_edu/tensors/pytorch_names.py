"""PyTorch's spellings of things a Tensor already does, so tutorial code runs unchanged:
``mm``, ``matmul``, ``mul``, ``t()``, ``type(dtype)``, ``to(...)``, ``.device``, ``cpu()``,
``f"{loss:>7f}"``, ``classes[t.argmax()]`` (``__index__``) and NumPy's ``argmax(axis=)``.

Nothing here is a new operation: ``mm`` and ``matmul`` are ``@``, ``mul`` is ``*``, ``t()`` is
``.T`` on a matrix, and a cast is the :class:`~tinygrad_edu.tensors.ops.unary.Cast` op that
``float()`` and ``double()`` use. There is one device, the CPU (see
:mod:`~tinygrad_edu.tensors.device`), so ``to("cpu")`` hands back the tensor itself, as
PyTorch does when nothing would change.

>>> import tinygrad_edu as torch
>>> x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> x.mm(x.t()).tolist(), x.device
([[5.0, 11.0], [11.0, 25.0]], device(type='cpu'))
>>> x.to("cpu") is x, x.to(torch.float32).dtype, x.type()
(True, dtype('float32'), 'torch.DoubleTensor')
>>> loss = x.sum()
>>> f"loss: {loss:>7f}"
'loss: 10.000000'
"""
import numpy as np

from .device import cpu_only, device as _device, get_default_device

__all__ = ["PyTorchNamesMixin", "parse_dtype", "is_device"]

# Tensor.type()'s names for CPU tensors, as PyTorch prints them.
_TYPE_NAMES = {np.dtype(np.float64): "torch.DoubleTensor", np.dtype(np.float32): "torch.FloatTensor",
               np.dtype(np.float16): "torch.HalfTensor", np.dtype(np.int64): "torch.LongTensor",
               np.dtype(np.int32): "torch.IntTensor", np.dtype(np.int16): "torch.ShortTensor",
               np.dtype(np.int8): "torch.CharTensor", np.dtype(np.uint8): "torch.ByteTensor",
               np.dtype(np.bool_): "torch.BoolTensor"}
_BY_TYPE_NAME = {name: dtype for dtype, name in _TYPE_NAMES.items()}


def parse_dtype(dtype, where):
    """``dtype`` as an ``np.dtype`` (a NumPy dtype or type, ``tinygrad_edu.float32``, Python's
    ``float``/``int``/``bool``, or a name such as ``"torch.FloatTensor"``); else a TypeError."""
    if isinstance(dtype, str) and dtype in _BY_TYPE_NAME:
        return _BY_TYPE_NAME[dtype]
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.kind not in "biuf":
        raise TypeError(f"{where}: {dtype!r} is not a dtype; use one such as "
                        f"tinygrad_edu.float32, tinygrad_edu.float64 or tinygrad_edu.long")
    return result


class PyTorchNamesMixin:
    """PyTorch's names for matrix products, casts, devices and formatting, mixed into ``Tensor``."""

    __slots__ = ()

    # ------------------------------------------------------------------ products
    def mm(self, mat2):
        """The matrix product of two matrices (2-D only, as PyTorch; ``matmul`` for the rest)."""
        other_ndim = np.ndim(mat2.data if isinstance(mat2, PyTorchNamesMixin) else mat2)
        if self.ndim != 2 or other_ndim != 2:
            raise RuntimeError(f"mm multiplies two matrices, got {self.ndim}-D and "
                               f"{other_ndim}-D operands; use matmul (or @) for vectors and "
                               f"batches")
        return self @ mat2

    def matmul(self, other):
        """``self @ other``: matrix, matrix-vector and batched products, as ``torch.matmul``."""
        return self @ other

    def mul(self, other):
        """``self * other`` (element-wise, broadcasting)."""
        return self * other

    def t(self):
        """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is (PyTorch's ``t()``)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but this one is "
                               f"{self.ndim}-D (shape {self.shape}); use transpose(dim0, dim1) "
                               f"or permute(...)")
        return self.T if self.ndim == 2 else self

    # ------------------------------------------------------------------ dtypes and devices
    def _cast(self, dtype):
        """This tensor as ``dtype``: itself if nothing changes; floating to floating is the
        differentiable ``Cast``; any other change makes a constant (integers have no gradient)."""
        if dtype == self.dtype:
            return self
        if dtype.kind == "f" and self.dtype.kind == "f":
            from .ops import Cast  # here, not at the top: the ops import the Tensor class
            return Cast.apply(self, dtype=dtype)
        return self._constant(self.data.astype(dtype))

    def type(self, dtype=None):
        """Without an argument, PyTorch's type name (``'torch.FloatTensor'``); with a dtype
        (``torch.float32``, ``torch.long``, or such a name), the tensor converted to it."""
        if dtype is None:
            return _TYPE_NAMES.get(self.dtype, f"numpy.{self.dtype}")
        return self._cast(parse_dtype(dtype, "type"))

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False):
        """Convert to a dtype and/or check a device, as PyTorch's ``to``: ``to(torch.float32)``,
        ``to("cpu")``, ``to(device, dtype)``, ``to(other)`` (other's dtype), ``to(dtype=...)``.
        The result is the tensor itself when nothing changes (``copy=True``: a copy); any
        device but the CPU raises."""
        if len(args) > 2:
            raise TypeError(f"to() takes a device and/or a dtype, or a tensor; got {args!r}")
        for arg in args:
            if isinstance(arg, PyTorchNamesMixin):
                dtype = arg.dtype
            elif is_device(arg):
                device = arg
            else:
                dtype = arg
        cpu_only("to", device)
        out = self if dtype is None else self._cast(parse_dtype(dtype, "to"))
        return out.clone() if copy and out is self else out

    @property
    def device(self):
        """Where the data is: always the CPU (``device(type='cpu')``)."""
        return get_default_device()

    @property
    def is_cuda(self):
        return False

    def cpu(self):
        """The tensor itself: it is on the CPU already (``t.detach().cpu().numpy()`` ports)."""
        return self

    def cuda(self, device=None):
        """Refused: there is no GPU here (one line saying so)."""
        cpu_only("cuda", "cuda" if device is None else device)

    # ------------------------------------------------------------------ printing
    def __format__(self, format_spec):
        """``f"{loss:>7f}"``: a 0-d tensor formats as its number, as PyTorch; with an empty
        spec any tensor formats as its repr; other specs on larger tensors are refused."""
        if self.ndim == 0:
            return format(self.item(), format_spec)
        if not format_spec:
            return repr(self)
        raise TypeError(f"unsupported format string {format_spec!r} passed to Tensor.__format__: "
                        f"only a 0-d tensor formats as a number (shape here {self.shape}); "
                        f"format t.item() or each element")

    def __index__(self):
        """A one-element integer tensor used as an index: ``classes[pred.argmax()]``."""
        if self.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index; this one has dtype {self.dtype} and shape {self.shape}")
        return int(self.data.reshape(-1)[0])

    # ------------------------------------------------------------------ NumPy spellings
    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The index of the largest element along ``dim`` (NumPy: ``axis``, ``keepdims``)."""
        dim, keepdim = _one_axis("argmax", dim, keepdim, axis, keepdims)
        return super().argmax(dim, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The index of the smallest element along ``dim`` (NumPy: ``axis``, ``keepdims``)."""
        dim, keepdim = _one_axis("argmin", dim, keepdim, axis, keepdims)
        return super().argmin(dim, keepdim)


def _one_axis(name, dim, keepdim, axis, keepdims):
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}: give dim= (PyTorch) or axis= (NumPy), not both")
        dim = axis
    return dim, keepdim if keepdims is None else keepdims


def is_device(arg):
    """Whether a positional argument of ``to(...)`` names a device rather than a dtype."""
    return isinstance(arg, _device) or (isinstance(arg, str) and not arg.startswith("torch.")) \
        or (isinstance(arg, int) and not isinstance(arg, bool))
