"""Scalar engine benchmark: micrograd's classic workload, side by side with micrograd 0.1.0.

One SGD step of ``MLP(2, [16, 16, 1])`` on 100 two-moons points: forward over every point,
max-margin loss + L2 regularisation, backward, update. micrograd (``pip install micrograd``)
runs as its users run it (the garbage collector on) and with ``gc.disable()``; so does
tinygrad_edu. Also: a chain of 1,000,000 multiplications back-propagated in a fresh process
(time of ``backward()`` and the process's peak memory).
"""
import gc
import subprocess
import sys

from . import median_time, print_table

CHAIN_SCRIPT = """
import resource, time
from tinygrad_edu import Value
x = Value(0.5); y = x
for _ in range(1_000_000):
    y = y * 1.0000001
start = time.perf_counter(); y.backward(); seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def moons_step(MLP, Value, X, y, model):
    """micrograd's demo step, written once for both engines (their APIs agree here)."""
    inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad
    return loss.data


def time_step(engine, X, y, collector):
    if engine == "micrograd":
        import random

        from micrograd.engine import Value
        from micrograd.nn import MLP
        random.seed(1337)
    else:
        from tinygrad_edu import Value, manual_seed
        from tinygrad_edu.scalar import MLP
        manual_seed(1337)
    model = MLP(2, [16, 16, 1])
    was_enabled = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        return median_time(lambda: moons_step(MLP, Value, X, y, model), repeat=7, warmup=1)
    finally:
        if was_enabled:
            gc.enable()


def main():
    from ..data import make_moons
    X, labels = make_moons(100, noise=0.1, seed=1)
    y = [2.0 * label - 1.0 for label in labels.tolist()]  # max-margin wants labels ±1
    try:
        import micrograd  # noqa: F401
        engines = ["micrograd", "tinygrad_edu"]
    except ImportError:
        engines = ["tinygrad_edu"]
        print("micrograd not installed (pip install micrograd==0.1.0): no anchor to compare")
    rows = []
    for collector in (True, False):
        times = {engine: time_step(engine, X, y, collector) for engine in engines}
        ratio = (f"{times['micrograd'] / times['tinygrad_edu']:.1f}x"
                 if "micrograd" in times else "-")
        rows.append(["on (default)" if collector else "off (gc.disable)",
                     f"{times['micrograd'] * 1e3:.1f}" if "micrograd" in times else "-",
                     f"{times['tinygrad_edu'] * 1e3:.1f}", ratio])
    print_table("scalar: one SGD step, MLP(2,[16,16,1]) on 100 moons, max-margin + L2 "
                "(median of 7)",
                ["garbage collector", "micrograd ms", "tinygrad_edu ms", "speed-up"], rows)
    result = subprocess.run([sys.executable, "-c", CHAIN_SCRIPT], capture_output=True,
                            text=True, check=True)
    seconds, peak_mb = map(float, result.stdout.split())
    print_table("scalar: chain of 1,000,000 multiplications (fresh process)",
                ["backward s", "peak RSS MB"], [[f"{seconds:.2f}", f"{peak_mb:.0f}"]])


if __name__ == "__main__":
    main()
