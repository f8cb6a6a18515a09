"""Regenerate ``second_order.npz``: PyTorch's second derivatives for both op catalogs.

    PYTHONPATH=. python tests/reference/make_second_order_reference.py   (needs torch; tests do not)

Tensor rows (``TENSOR_REFERENCE_OPS`` in ``tests/test_second_order.py``: the Tensor op catalog
of ``test_tensor_ops.py`` plus 0-d, broadcasting, tie and ``nn.functional`` rows): with the
row's float64 inputs ``in0, in1, ...``, a random ``cotangent`` u and random directions
``v0, v1, ...`` (one per input), PyTorch computes L = ⟨u, f(x)⟩, its gradient with
``create_graph=True``, and then ``hvp0, hvp1, ...`` = ∂/∂x_j Σ_i ⟨∂L/∂x_i, v_i⟩: the
Hessian-vector product of L, every input at once (mixed second derivatives included).

Value rows (``VALUE_ROWS``: ``test_scalar.py``'s catalogs at their points): the full Hessian
``value/<row>/hessian`` of the function of one or two numbers, on 0-d float64 tensors.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))  # the tests directory: the catalogs

import test_second_order as catalog  # noqa: E402


def tensor_row(op, arrays):
    inputs = catalog.make_inputs(op)
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = op.torch_fn(torch, *tensors) if op.torch_fn else op.fn(*tensors)
    u, vs = catalog.reference_vectors(op.name, tuple(out.shape), op.shapes)
    grads = torch.autograd.grad(out, tensors, grad_outputs=torch.tensor(u), create_graph=True,
                                allow_unused=True)
    terms = [(g * torch.tensor(v)).sum() for g, v in zip(grads, vs)
             if g is not None and g.requires_grad]
    if terms:
        hvps = torch.autograd.grad(sum(terms), tensors, allow_unused=True)
    else:  # a linear function: no curvature at all
        hvps = [None] * len(tensors)
    arrays[f"{op.name}/cotangent"] = u
    for i, (a, v, h) in enumerate(zip(inputs, vs, hvps)):
        arrays[f"{op.name}/in{i}"] = a
        arrays[f"{op.name}/v{i}"] = v
        arrays[f"{op.name}/hvp{i}"] = np.zeros_like(a) if h is None else h.detach().numpy(force=True)


def value_row(name, fn, point, arrays):
    xs = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in point]
    grads = torch.autograd.grad(fn(*xs), xs, create_graph=True, allow_unused=True)
    hessian = np.zeros((len(xs), len(xs)))
    for i, g in enumerate(grads):
        if g is not None and g.requires_grad:
            row = torch.autograd.grad(g, xs, allow_unused=True, retain_graph=True)
            hessian[i] = [0.0 if h is None else h.item() for h in row]
    arrays[f"value/{name}/hessian"] = hessian


def main():
    arrays = {}
    for op in catalog.TENSOR_REFERENCE_OPS:
        tensor_row(op, arrays)
    for name, fn, point in catalog.VALUE_ROWS:
        value_row(name, fn, point, arrays)
    path = os.path.join(HERE, "second_order.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(catalog.TENSOR_REFERENCE_OPS)} tensor rows and "
          f"{len(catalog.VALUE_ROWS)} value rows to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
