"""Run the benchmarks: ``python -m tinygrad_edu.bench`` (all) or name sections: scalar tensor optim.

``--plot DIR`` instead draws how the cost grows (see ``bench/plot.py``); ``--quick`` makes that
sweep small (seconds: a check that it works, not a measurement).
"""
import argparse
import importlib
import platform
import sys

import numpy as np

from . import SECTIONS, blas_threads


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tinygrad_edu.bench",
                                     description="Benchmarks, side by side with anchors.")
    parser.add_argument("sections", nargs="*", metavar="section",
                        help=f"some of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--plot", metavar="DIR",
                        help="draw the cost-growth pictures into DIR instead of the tables")
    parser.add_argument("--quick", action="store_true", help="with --plot: a small, fast sweep")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown benchmark section(s) {unknown}; choose from {list(SECTIONS)}")
    if args.quick and not args.plot:
        raise SystemExit("--quick shortens the --plot sweep; add --plot DIR")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"BLAS threads: {blas_threads()}")
    if args.plot:
        from .plot import draw, machine
        for path in draw(args.plot, quick=args.quick):
            print(f"wrote {path}")
        print(f"machine: {machine()}")
        return
    for name in args.sections or list(SECTIONS):
        importlib.import_module(f"{__package__}.{name}").main()


if __name__ == "__main__":
    main()
