"""Regenerate ``hostile_reference.npz``: PyTorch's results for ``tests/hostile_cases.py``.

    python tests/reference/make_hostile_reference.py      (needs torch; the tests do not)

Each case runs with ``torch`` in float64 by default (``torch.set_default_dtype``); every
result is stored under ``<case>/<key>`` as a NumPy array, dtype included.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import hostile_cases  # noqa: E402


def main():
    torch.set_default_dtype(torch.float64)
    results = hostile_cases.run_all(torch)
    path = os.path.join(HERE, "hostile_reference.npz")
    np.savez_compressed(path, **results)
    print(f"wrote {len(results)} results to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
