"""Regenerate ``port_reference.json``: PyTorch's numbers for the scripts in ``tests/port/``.

    python tests/reference/make_port_reference.py      (needs torch; the tests do not)

Each script runs with ``import torch`` (float64 by default, as the scripts set), through
``tests/port_harness.py``'s ``run_torch``; its ``RESULTS`` dict is stored as JSON (floats
written with all their digits).
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

import port_harness  # noqa: E402


def main():
    results = {name: port_harness.run_torch(name) for name in port_harness.SCRIPTS}
    path = os.path.join(HERE, "port_reference.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "results": results}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(results)} scripts' results to {path} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
