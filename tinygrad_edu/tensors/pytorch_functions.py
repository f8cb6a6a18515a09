"""PyTorch's module-level functions — ``torch.sin(x)``, ``torch.matmul(a, b)``,
``torch.sum(x, dim=1)`` — as one-line calls of the Tensor methods they name.

Nothing is computed here that a method does not already compute, so values and gradients
are the methods'. The one new behaviour is PyTorch's ``out=`` keyword, for the functions
that have it in PyTorch: the result is written *into* the given tensor (:func:`write_out`).

>>> import tinygrad_edu as torch
>>> x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> torch.sum(x, dim=1), torch.max(x)
(Tensor([3., 7.]), Tensor(4.))
>>> y = torch.empty(2, 2)
>>> _ = torch.mul(x, x, out=y); y
Tensor([[ 1.,  4.],
        [ 9., 16.]])
"""
import warnings

import numpy as np

from ..graph import is_grad_enabled
from .tensor import Tensor

__all__ = ["write_out", "is_tensor", "numel",
           "add", "sub", "mul", "div", "pow", "neg", "square", "matmul", "mm", "dot",
           "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
           "clamp", "clip", "sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin",
           "softmax", "log_softmax", "reshape", "flatten", "squeeze", "unsqueeze",
           "transpose", "permute", "t", "clone", "detach"]

_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2}


def write_out(name, result, out):
    """PyTorch's ``out=``: ``result`` written into the Tensor ``out``, which is returned.

    As PyTorch: refused when the result would need a gradient (``out=`` is not recorded by
    autograd) or when its kind cannot be cast to ``out``'s (a float result into an integer
    tensor); an ``out`` of another shape is resized, with a warning unless it was empty.
    """
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(out=...) takes a Tensor, got {type(out).__name__}")
    if result.requires_grad or (out.requires_grad and is_grad_enabled()):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad; drop out= "
                           f"and write y = torch.{name}(...) to keep the gradient")
    if _KIND_ORDER[result.dtype.kind] > _KIND_ORDER[out.dtype.kind]:
        raise RuntimeError(f"{name}(out=...): result type {result.dtype} can't be cast to the "
                           f"desired output type {out.dtype}")
    if result.shape == out.shape:
        np.copyto(out.data, result.data, casting="unsafe")
        out.data = out.data            # counted as an in-place change (version counter)
    else:
        if out.data.size:
            warnings.warn(f"{name}(out=...): an output with one or more elements was resized "
                          f"since it had shape {list(out.shape)}, which does not match the "
                          f"required output shape {list(result.shape)}", UserWarning,
                          stacklevel=3)
        out.data = result.data.astype(out.dtype)
    return out


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def is_tensor(obj):
    """True if ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements."""
    return _tensor(input).numel()


# --------------------------------------------------------------------------- arithmetic
def add(input, other, *, alpha=1, out=None):
    """``input + alpha · other``."""
    return write_out("add", _tensor(input) + (other if alpha == 1 else alpha * other), out)


def sub(input, other, *, alpha=1, out=None):
    """``input − alpha · other``."""
    return write_out("sub", _tensor(input) - (other if alpha == 1 else alpha * other), out)


def mul(input, other, *, out=None):
    """``input * other``, element-wise with broadcasting."""
    return write_out("mul", _tensor(input) * other, out)


def div(input, other, *, out=None):
    """``input / other`` (true division)."""
    return write_out("div", _tensor(input) / other, out)


def pow(input, exponent, *, out=None):
    """``input ** exponent``; ``input`` may be a number (``pow(2, t)``)."""
    base = input if isinstance(input, Tensor) or isinstance(exponent, Tensor) else Tensor(input)
    return write_out("pow", base ** exponent, out)


def neg(input, *, out=None):
    """``−input``."""
    return write_out("neg", -_tensor(input), out)


def square(input, *, out=None):
    """``input ** 2``."""
    return write_out("square", _tensor(input) ** 2, out)


def matmul(input, other, *, out=None):
    """``input @ other``: matrix, matrix-vector and batched products."""
    return write_out("matmul", _tensor(input) @ other, out)


def mm(input, mat2, *, out=None):
    """The product of two matrices (2-D only)."""
    return write_out("mm", _tensor(input).mm(mat2), out)


def dot(input, other, *, out=None):
    """The dot product of two vectors (1-D only)."""
    input = _tensor(input)
    if input.ndim != 1 or np.ndim(other.data if isinstance(other, Tensor) else other) != 1:
        raise RuntimeError("dot multiplies two 1-D tensors; use matmul (or @) otherwise")
    return write_out("dot", input @ other, out)


# --------------------------------------------------------------------------- element-wise
def exp(input, *, out=None):
    return write_out("exp", _tensor(input).exp(), out)


def log(input, *, out=None):
    return write_out("log", _tensor(input).log(), out)


def sqrt(input, *, out=None):
    return write_out("sqrt", _tensor(input).sqrt(), out)


def abs(input, *, out=None):
    return write_out("abs", _tensor(input).abs(), out)


def sin(input, *, out=None):
    return write_out("sin", _tensor(input).sin(), out)


def cos(input, *, out=None):
    return write_out("cos", _tensor(input).cos(), out)


def tanh(input, *, out=None):
    return write_out("tanh", _tensor(input).tanh(), out)


def sigmoid(input, *, out=None):
    return write_out("sigmoid", _tensor(input).sigmoid(), out)


def relu(input):
    return _tensor(input).relu()


def clamp(input, min=None, max=None, *, out=None):
    """Every element limited to ``[min, max]`` (gradient 0 where clipped)."""
    return write_out("clamp", _tensor(input).clamp(min, max), out)


clip = clamp


# --------------------------------------------------------------------------- reductions
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over ``dim`` (None: every element); ``dtype`` converts first."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    return input.sum(dim=dim, keepdim=keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over ``dim`` (None: every element); ``dtype`` converts first."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    return input.mean(dim=dim, keepdim=keepdim)


def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest value; ``max(x, dim)``: the named tuple (values, indices)."""
    if isinstance(dim, Tensor):
        raise TypeError("max(a, b) of two tensors is PyTorch's element-wise maximum, which "
                        "tinygrad_edu does not have; write torch.where(a > b, a, b)")
    return _tensor(input).max() if dim is None else _tensor(input).max(dim, keepdim)


def min(input, dim=None, keepdim=False):
    """``min(x)``: the smallest value; ``min(x, dim)``: the named tuple (values, indices)."""
    if isinstance(dim, Tensor):
        raise TypeError("min(a, b) of two tensors is PyTorch's element-wise minimum, which "
                        "tinygrad_edu does not have; write torch.where(a < b, a, b)")
    return _tensor(input).min() if dim is None else _tensor(input).min(dim, keepdim)


def amax(input, dim=(), keepdim=False):
    return _tensor(input).amax(dim, keepdim)


def amin(input, dim=(), keepdim=False):
    return _tensor(input).amin(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return _tensor(input).argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _tensor(input).argmin(dim, keepdim)


def softmax(input, dim, dtype=None):
    """``softmax`` along ``dim`` (which ``torch.softmax`` requires)."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    return input.softmax(dim=dim)


def log_softmax(input, dim, dtype=None):
    """``log_softmax`` along ``dim`` (which ``torch.log_softmax`` requires)."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    return input.log_softmax(dim=dim)


# --------------------------------------------------------------------------- shape
def reshape(input, shape):
    return _tensor(input).reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return _tensor(input).flatten(start_dim, end_dim)


def squeeze(input, dim=None):
    return _tensor(input).squeeze(dim)


def unsqueeze(input, dim):
    return _tensor(input).unsqueeze(dim)


def transpose(input, dim0, dim1):
    return _tensor(input).transpose(dim0, dim1)


def permute(input, dims):
    return _tensor(input).permute(*dims)


def t(input):
    return _tensor(input).t()


def clone(input):
    return _tensor(input).clone()


def detach(input):
    return _tensor(input).detach()
