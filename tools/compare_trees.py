"""Adam.step() (or another optimizer's) speed of two checkouts of tinygrad_edu, side by side in one run.

    python tools/compare_trees.py /path/to/main /path/to/branch [--rounds 8]

Each round starts one fresh Python process per tree (``PYTHONPATH`` = that tree, so each
imports its own ``tinygrad_edu``), which builds ``optim.Adam`` (``--optimizer``) over N float32 parameters
in 10 arrays with gradients (as ``python -m tinygrad_edu.bench optim`` does), takes 2
warm-up steps and times single steps. The trees take turns, the order reversed every other
round, and the table gives the median step of all rounds per tree and the ratio
(second / first). Each process also reports its BLAS threads and the optimizers' worker
threads, which must match for the comparison to mean anything.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

SNIPPET = r"""
import json, os, sys, time
import numpy as np
total, steps, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
from tinygrad_edu import Tensor, optim
import tinygrad_edu
rng = np.random.default_rng(0)
n = total // 10
params = [Tensor(rng.standard_normal(n, dtype=np.float32), requires_grad=True) for _ in range(10)]
for p in params:
    p.grad = rng.standard_normal(n, dtype=np.float32)
opt = getattr(optim, name)(params)
for _ in range(2):
    opt.step()
times = []
for _ in range(steps):
    start = time.perf_counter()
    opt.step()
    times.append(time.perf_counter() - start)
try:
    from threadpoolctl import threadpool_info
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
except ImportError:
    blas = "threadpoolctl not installed"
try:
    from tinygrad_edu.fast import updates
except ImportError:
    from tinygrad_edu.optim import optimizer as updates
workers = min(4, updates._CPUS)
print(json.dumps({"times": times, "blas": blas, "workers": workers,
                  "file": tinygrad_edu.__file__}))
"""

SIZES = {10 ** 6: 20, 10 ** 7: 6}     # parameters -> timed steps per process


def run(tree, total, steps, name="Adam"):
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run([sys.executable, "-c", SNIPPET, str(total), str(steps), name], env=env,
                         capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, help="two checkouts: the reference first")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--optimizer", default="Adam", help="another class of optim")
    parser.add_argument("--sizes", type=float, nargs="+", default=list(SIZES),
                        help="parameter counts (default 1e6 1e7)")
    args = parser.parse_args()
    trees = [os.path.abspath(t) for t in args.trees]
    for total in map(int, args.sizes):
        steps = SIZES.get(total, 10)
        times = {tree: [] for tree in trees}
        info = {}
        for r in range(args.rounds):
            for tree in (trees if r % 2 == 0 else trees[::-1]):
                result = run(tree, total, steps, args.optimizer)
                times[tree] += result["times"]
                info[tree] = (result["blas"], result["workers"], result["file"])
        medians = [statistics.median(times[tree]) for tree in trees]
        print(f"{args.optimizer}.step(), {total:.0e} float32 parameters in 10 arrays, "
              f"{args.rounds} rounds x {steps} steps, fresh process per tree and round")
        for tree, median in zip(trees, medians):
            blas, workers, file = info[tree]
            print(f"  {tree}: median {median * 1e3:.3f} ms [{min(times[tree]) * 1e3:.3f}-"
                  f"{max(times[tree]) * 1e3:.3f}]  BLAS threads {blas}, optimizer "
                  f"buckets {workers}  ({file})")
        print(f"  ratio second/first: {medians[1] / medians[0]:.3f}")


if __name__ == "__main__":
    main()
