"""Regenerate ``edges_reference.npz``: PyTorch's numbers for ``tests/edge_cases_round3.py``.

    python tests/reference/make_edges_reference.py      (needs torch; the tests do not)

* ``loss/<case>/{loss,grad,hvp}``: each weighted / ignore_index loss case, its gradient and
  a Hessian-vector product (double backward);
* ``value/<fn>/<x>/d1, d2, d3``: the first three derivatives of √x and x^n at 0 (and √x at
  −0), from 0-d float64 tensors with ``create_graph=True``.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import edge_cases_round3 as cases  # noqa: E402


def main():
    results = {}
    for name in cases.LOSS_CASES:
        for key, value in cases.run_loss_case(torch, F, name).items():
            results[f"loss/{name}/{key}"] = value
    for label, fn in cases.VALUE_AT_ZERO:
        for point in cases.VALUE_POINTS[label]:
            x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
            d = fn(x)
            for order in (1, 2, 3):
                (d,) = torch.autograd.grad(d, [x], create_graph=order < 3)
                results[f"value/{label}/{point!r}/d{order}"] = np.array(d.item())
    path = os.path.join(HERE, "edges_reference.npz")
    np.savez_compressed(path, **results)
    print(f"wrote {len(results)} results to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
