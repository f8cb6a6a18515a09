"""``jacobian``, ``hessian`` and ``hvp`` of a function of one Tensor, as ``torch.autograd.functional``.

All three are built on :func:`~tinygrad_edu.autograd.grad`:

* **jacobian** — one reverse pass per output element *i*, seeded with the one-hot eᵢ, gives
  row i: ∂f_i/∂x. (A reverse pass computes a vector-Jacobian product vᵀJ; a one-hot v picks
  a row.)
* **hessian** — the Jacobian of the gradient map x ↦ ∇f(x): first ``grad(f(x), x,
  create_graph=True)``, a Tensor g(x) with its own graph, then one reverse pass through g per
  element, each giving a row of H = ∂g/∂x.
* **hvp** — H·v *without forming H*: differentiate the scalar ⟨∇f(x), v⟩ once more,
  ∇ₓ⟨∇f(x), v⟩ = H v (H is symmetric), at the cost of about two gradients whatever the size
  of x. This is what makes curvature usable for a model with millions of parameters: the
  largest eigenvalue of H by power iteration needs only products H·v.

The function is evaluated at a fresh leaf sharing ``inputs``' data (as PyTorch's
``inputs.detach().requires_grad_()``), so the caller's tensor and its ``.grad`` are untouched.
Results are constants (no graph).
"""
import numpy as np

from ..graph import enable_grad
from ..tensors import Tensor
from .gradients import grad

__all__ = ["jacobian", "hessian", "hvp"]


def _leaf(inputs, name):
    """(fresh leaf at ``inputs``' data, whether inputs was a 1-tuple as in PyTorch)."""
    as_tuple = isinstance(inputs, (tuple, list))
    if as_tuple:
        if len(inputs) != 1:
            raise ValueError(f"{name}: this library differentiates with respect to one Tensor; "
                             f"got {len(inputs)} inputs. Concatenate them into one Tensor")
        inputs = inputs[0]
    if not isinstance(inputs, Tensor):
        raise TypeError(f"{name}: inputs must be a Tensor, got {type(inputs).__name__}")
    if inputs.dtype.kind != "f":
        raise TypeError(f"{name}: inputs must be a floating-point Tensor, got {inputs.dtype}")
    leaf = Tensor._constant(inputs.data)
    leaf.requires_grad = True
    return leaf, as_tuple


def _call(func, leaf, name):
    with enable_grad():
        out = func(leaf)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}: func must return a Tensor, got {type(out).__name__}")
    return out


def _rows(output, x):
    """The Jacobian of ``output`` (a Tensor made from leaf ``x``) by one reverse pass per
    output element; zeros where ``output`` does not depend on ``x``."""
    J = np.zeros((output.data.size, x.data.size), dtype=x.dtype)
    if not output.requires_grad:  # a constant: every derivative is 0
        return J.reshape(output.shape + x.shape)
    for i in range(output.data.size):
        seed = np.zeros(output.shape, dtype=output.dtype)
        seed.reshape(-1)[i] = 1.0
        (row,) = grad(output, [x], grad_outputs=[seed], allow_unused=True)
        if row is not None:
            J[i] = row.data.reshape(-1)
    return J.reshape(output.shape + x.shape)


def jacobian(func, inputs):
    """∂func(x)_i/∂x_j at ``inputs``, shape ``output.shape + inputs.shape``.

    >>> from tinygrad_edu import Tensor
    >>> jacobian(lambda x: x * x, Tensor([1.0, 2.0]))     # diag(2x)
    Tensor([[2., 0.],
            [0., 4.]])
    """
    x, as_tuple = _leaf(inputs, "jacobian")
    out = _call(func, x, "jacobian")
    J = Tensor._constant(_rows(out, x))
    return (J,) if as_tuple else J


def hessian(func, inputs):
    """H[i, j] = ∂²func/∂x_i∂x_j at ``inputs`` for a scalar (one-element) ``func``, shape
    ``inputs.shape + inputs.shape``; the Jacobian of the gradient, by double backprop.

    >>> from tinygrad_edu import Tensor
    >>> hessian(lambda v: (v[0] ** 2) * v[1], Tensor([1.0, 3.0]))   # [[2y, 2x], [2x, 0]]
    Tensor([[6., 2.],
            [2., 0.]])
    """
    x, as_tuple = _leaf(inputs, "hessian")
    out = _call(func, x, "hessian")
    _check_scalar(out, "hessian")
    with enable_grad():
        (g,) = grad(out, [x], create_graph=True, allow_unused=True)
    if g is None:
        H = np.zeros(x.shape + x.shape, dtype=x.dtype)
    else:
        H = _rows(g, x)
    H = Tensor._constant(H)
    return ((H,),) if as_tuple else H


def hvp(func, inputs, v=None):
    """``(func(inputs), H·v)`` for a scalar ``func`` with Hessian H at ``inputs``, computed by
    double backprop without forming H: H·v = ∇ₓ⟨∇func(x), v⟩ (two reverse passes).

    ``v`` has the shape of ``inputs`` (it may be left out only for a one-element input).

    >>> from tinygrad_edu import Tensor
    >>> value, Hv = hvp(lambda v: (v ** 3).sum(), Tensor([1.0, 2.0]), Tensor([1.0, 1.0]))
    >>> Hv                                                          # 6x · v
    Tensor([ 6., 12.])
    """
    x, as_tuple = _leaf(inputs, "hvp")
    if as_tuple and isinstance(v, (tuple, list)) and len(v) == 1:  # PyTorch's (v,)
        (v,) = v
    if v is None:
        if x.data.size != 1:
            raise ValueError(f"hvp: v can be left out only for a one-element input; inputs has "
                             f"shape {x.shape}, so pass v of that shape")
        v = np.ones(x.shape, dtype=x.dtype)
    v = np.asarray(v.data if isinstance(v, Tensor) else v, dtype=x.dtype)
    if v.shape != x.shape:
        raise ValueError(f"hvp: v has shape {v.shape} but inputs has shape {x.shape}; they "
                         f"must match")
    out = _call(func, x, "hvp")
    _check_scalar(out, "hvp")
    with enable_grad():
        (g,) = grad(out, [x], create_graph=True, allow_unused=True)
    Hv = None
    if g is not None and g.requires_grad:
        (Hv,) = grad(g, [x], grad_outputs=[v], allow_unused=True)
    Hv = Tensor._constant(np.zeros(x.shape, dtype=x.dtype) if Hv is None else Hv.data)
    value = Tensor._constant(out.data)
    return (value, (Hv,)) if as_tuple else (value, Hv)


def _check_scalar(out, name):
    if out.data.size != 1:
        raise ValueError(f"{name}: func must return a single number (a one-element Tensor) to "
                         f"have a Hessian; it returned shape {out.shape}. Reduce it (.sum()) "
                         f"or use jacobian")
