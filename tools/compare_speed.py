"""Time two checkouts of tinygrad_edu side by side: is a change slower than what it replaces?

    OPENBLAS_NUM_THREADS=1 python tools/compare_speed.py OLD_TREE NEW_TREE [--rounds 7]

Each workload runs in a fresh process per tree, with ``PYTHONPATH`` pointing at that tree;
the trees take turns (the order reversed every other round), so both see the same spells of
noise on a shared machine. A process warms up, then times ``BLOCKS`` blocks of steps and
prints the median step time; the table gives the median over rounds of those medians, and
the ratio new / old. Only the public API is used, so any two versions can be compared.
Every process runs with glibc's ``MALLOC_TOP_PAD_`` at 64 MB unless you set it, as the bench's
engines do (``tinygrad_edu/bench/tensor.py`` says why: otherwise a process can draw a heap
that shrinks and regrows every step, which times the allocator, not the change).

Workloads: the MLP 784-256-128-10 float32 training step of ``bench tensor`` at batch 32 and
256; a 4-op Tensor graph (forward and backward, where the time is the engine's own Python);
micrograd's moons step on the scalar engine; a ``create_graph`` Hessian of a small MLP's
loss; ``Adam.step()`` on 1e6 and 1e7 float32 parameters.
"""
import argparse
import os
import statistics
import subprocess
import sys

ADAM = """
import numpy as np
from tinygrad_edu import Tensor, optim
rng = np.random.default_rng(0)
params = [Tensor(rng.standard_normal({n}).astype(np.float32), requires_grad=True)
          for _ in range(10)]
for p in params:
    p.grad = rng.standard_normal(p.shape).astype(np.float32)
opt = optim.Adam(params, lr=1e-3)
step = opt.step
"""

WORKLOADS = {
    "mlp step, batch 32": ("""
from tinygrad_edu.bench.tensor import tinygrad_step_fn
step = tinygrad_step_fn(32)
""", 40),
    "mlp step, batch 256": ("""
from tinygrad_edu.bench.tensor import tinygrad_step_fn
step = tinygrad_step_fn(256)
""", 10),
    "4-op graph, forward + backward": ("""
import numpy as np
from tinygrad_edu import Tensor
w = Tensor(np.ones((4, 4)), requires_grad=True); b = Tensor(np.zeros(4), requires_grad=True)
x = np.ones((2, 4))
def step():
    w.grad = b.grad = None
    ((x @ w + b).tanh().sum()).backward()
""", 400),
    "scalar moons step": ("""
import numpy as np
from tinygrad_edu import Value, manual_seed
from tinygrad_edu.bench.scalar import moons_step
from tinygrad_edu.data import make_moons
from tinygrad_edu.scalar import MLP
manual_seed(1337)
X, y = make_moons(100, noise=0.1, seed=1)
y = y * 2 - 1
model = MLP(2, [16, 16, 1])
def step():
    moons_step(MLP, Value, X, y, model)
""", 2),
    "create_graph Hessian, MLP 4-8-1": ("""
import numpy as np
from tinygrad_edu import Tensor
from tinygrad_edu.autograd.functional import hessian
rng = np.random.default_rng(0)
x, t = rng.standard_normal((16, 4)), rng.standard_normal((16, 1))
sizes = (4 * 8, 8, 8, 1)
def loss(theta):
    w1 = theta[:32].reshape(8, 4); b1 = theta[32:40]; w2 = theta[40:48].reshape(1, 8)
    b2 = theta[48:49]
    h = (x @ w1.T + b1).tanh()
    return (((h @ w2.T + b2) - t) ** 2).mean()
theta = Tensor(rng.standard_normal(49) * 0.3)
def step():
    hessian(loss, theta)
""", 2),
    "Adam.step, 1e6 float32": (ADAM.format(n=100_000), 20),
    "Adam.step, 1e7 float32": (ADAM.format(n=1_000_000), 4),
}

TIMER = """
import statistics, time
for _ in range(max(2, {steps} // 4)):
    step()
blocks = []
for _ in range({blocks}):
    start = time.perf_counter()
    for _ in range({steps}):
        step()
    blocks.append((time.perf_counter() - start) / {steps})
print(statistics.median(blocks))
"""


def run(tree, setup, steps, blocks):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    env.setdefault("MALLOC_TOP_PAD_", str(64 << 20))
    code = setup + TIMER.format(steps=steps, blocks=blocks)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.abspath(tree))
    return float(out.stdout.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--only", help="run the workloads whose name contains this")
    args = parser.parse_args()
    print(f"BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'not set (all cores)')}; "
          f"{args.rounds} rounds, each a fresh process per tree, {args.blocks} blocks")
    print("| workload | old | new | new / old |\n|---|---|---|---|")
    for name, (setup, steps) in WORKLOADS.items():
        if args.only and args.only not in name:
            continue
        times = {args.old: [], args.new: []}
        for r in range(args.rounds):
            order = (args.old, args.new) if r % 2 == 0 else (args.new, args.old)
            for tree in order:
                times[tree].append(run(tree, setup, steps, args.blocks))
        old, new = statistics.median(times[args.old]), statistics.median(times[args.new])
        print(f"| {name} | {old * 1e3:.3f} ms | {new * 1e3:.3f} ms | {new / old:.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
