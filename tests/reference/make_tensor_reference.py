"""Regenerate ``tensor_ops.npz``: PyTorch's values and gradients for the Tensor op catalog.

    python tests/reference/make_tensor_reference.py      (needs torch; the tests do not)

For every row of ``CATALOG`` in ``tests/test_tensor_ops.py`` it stores, under ``<name>/``:
the float64 inputs ``in0, in1, ...`` (drawn by the catalog's ``make_inputs``), PyTorch's output
``out``, a random ``cotangent`` (∂L/∂out), and ``grad0, grad1, ...`` = the vector-Jacobian
products PyTorch's autograd computes for that cotangent. torch is run in float64.
"""
import importlib.util
import os
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def load_catalog():
    path = os.path.join(HERE, os.pardir, "test_tensor_ops.py")
    spec = importlib.util.spec_from_file_location("test_tensor_ops", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    catalog = load_catalog()
    arrays = {}
    for op in catalog.CATALOG:
        inputs = catalog.make_inputs(op)
        tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
        out = op.torch_fn(torch, *tensors) if op.torch_fn else op.fn(*tensors)
        rng = np.random.default_rng(zlib.crc32(("cotangent/" + op.name).encode()))
        cotangent = rng.standard_normal(tuple(out.shape))
        out.backward(torch.tensor(cotangent, dtype=torch.float64))
        arrays[f"{op.name}/out"] = out.detach().numpy()
        arrays[f"{op.name}/cotangent"] = cotangent
        for i, (a, t) in enumerate(zip(inputs, tensors)):
            arrays[f"{op.name}/in{i}"] = a
            grad = t.grad if t.grad is not None else torch.zeros_like(t)
            arrays[f"{op.name}/grad{i}"] = grad.numpy()
    path = os.path.join(HERE, "tensor_ops.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(catalog.CATALOG)} ops ({len(arrays)} arrays) to {path} "
          f"with torch {torch.__version__}")


if __name__ == "__main__":
    main()
