"""Regenerate ``dtype_reference.npz``: PyTorch's results for ``tests/dtype_cases.py``.

    python tests/reference/make_dtype_reference.py      (needs torch; the tests do not)

Every case runs with ``torch`` in float64 by default (``torch.set_default_dtype``), this
library's default; every result is stored under ``<case>/<key>`` as a NumPy array, dtype
included, and a case that raises as ``<case>/raises`` (packed into a few arrays:
``dtype_cases.pack``).
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import dtype_cases  # noqa: E402


def main():
    torch.set_default_dtype(torch.float64)
    results = dtype_cases.run_all(torch)
    path = os.path.join(HERE, "dtype_reference.npz")
    np.savez_compressed(path, **dtype_cases.pack(results))
    print(f"wrote {len(results)} results to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
