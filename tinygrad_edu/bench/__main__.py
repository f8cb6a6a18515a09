"""Run the benchmarks: ``python -m tinygrad_edu.bench`` (all) or name sections: scalar tensor optim."""
import importlib
import platform
import sys

import numpy as np

from . import SECTIONS, blas_threads


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    sections = argv or list(SECTIONS)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown benchmark section(s) {unknown}; choose from {list(SECTIONS)}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"BLAS threads: {blas_threads()}")
    for name in sections:
        importlib.import_module(f"{__package__}.{name}").main()


if __name__ == "__main__":
    main()
