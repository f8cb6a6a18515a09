"""``python -m tinygrad_edu.bench --plot DIR [--quick]``: pictures of how the cost grows.

Four PNG files in DIR, each titled with the machine it was made on:

* ``tensor_growth.png`` — one training step of the MLP (as in the ``tensor`` section) against
  the batch size (1–1024, MLP 784-256-128-10) and against the hidden width w (64–2048,
  MLP 784-w-w-10, batch 32): tinygrad_edu eager and compiled, the hand-written NumPy floor
  (the faster of its two weight layouts) and PyTorch eager when installed;
* ``compile_growth.png`` — ``tinygrad_edu.compile`` on deeper and deeper MLPs: the time a
  trace takes and the memory the program holds (its buffers and the arrays it made once),
  against the program's length;
* ``scalar_growth.png`` — the scalar engine on a chain of n multiplications: building it
  (the forward pass), ``backward()``, and the memory the graph holds (tracemalloc), against n;
* ``adam_growth.png`` — one ``Adam.step()`` against the parameter count (1e3–1e7, float32,
  10 arrays), beside ``torch.optim.Adam`` when installed and the memory-bandwidth floor: Adam
  reads θ, g, m, v and writes θ, m, v (7 × 4 bytes per parameter), divided by the copy speed
  ``np.copyto`` reaches on this machine over the largest run's arrays (main memory's speed:
  below a few million parameters the arrays sit in the CPU's cache and beat this floor).

Everything runs in this process with one BLAS thread (threadpoolctl, when installed; else set
``OPENBLAS_NUM_THREADS=1``). Each point is the median of a few timed blocks, the engines taking
turns. ``--quick`` uses few, small sizes and leaves PyTorch out: a test that the command
works, not a measurement.
"""
import os
import platform
import statistics
import time
import tracemalloc

import numpy as np

from . import blas_threads

FULL = dict(depths=(1, 2, 4, 8, 16, 32), batches=(1, 4, 16, 64, 256, 1024), widths=(64, 128, 256, 512, 1024, 2048),
            chain=(10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6), params=(10 ** 3, 10 ** 4, 10 ** 5,
                                                                 10 ** 6, 10 ** 7), blocks=5,
            block_seconds=0.02)
QUICK = dict(depths=(1, 2), batches=(1, 8), widths=(16, 32), chain=(100, 1000), params=(10 ** 3, 10 ** 4),
             blocks=2, block_seconds=0)


def machine():
    """One line naming the machine, for the pictures' titles."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores; numpy {np.__version__}, "
            f"{blas_threads()} BLAS thread(s)")


def _medians(makers, blocks, block_seconds):
    """Median seconds per call of each function, timed in turns over ``blocks`` rounds."""
    fns = {name: make() for name, make in makers.items()}
    calls = {}
    for name, fn in fns.items():   # warm up, and size a block to about block_seconds
        for _ in range(3):   # (a compiled step traces on its first two calls)
            fn()
        start = time.perf_counter()
        fn()
        calls[name] = max(1, min(50, int(block_seconds / max(time.perf_counter() - start, 1e-7))))
    times = {name: [] for name in fns}
    for r in range(blocks):
        for name in (list(fns) if r % 2 == 0 else list(fns)[::-1]):
            start = time.perf_counter()
            for _ in range(calls[name]):
                fns[name]()
            times[name].append((time.perf_counter() - start) / calls[name])
    return {name: statistics.median(t) for name, t in times.items()}


def _have_torch():
    try:
        import torch
        torch.set_num_threads(1)
        return True
    except ImportError:
        return False


def tensor_growth(cfg, torch_ok):
    from . import tensor as T

    def engines(batch, sizes):
        makers = {"tinygrad_edu": lambda: T.tinygrad_step_fn(batch, sizes=sizes),
                  "tinygrad_edu compiled": lambda: T.compiled_step_fn(batch, sizes=sizes),
                  "numpy, W (out, in)": lambda: T.numpy_step_fn(batch, sizes=sizes),
                  "numpy, W (in, out)": lambda: T.numpy_step_fn(batch, True, sizes=sizes)}
        if torch_ok:
            makers["torch eager"] = lambda: T.torch_step_fn(batch, sizes=sizes)
        m = _medians(makers, cfg["blocks"], cfg["block_seconds"])
        m["numpy by hand (faster layout)"] = min(m.pop("numpy, W (out, in)"),
                                                 m.pop("numpy, W (in, out)"))
        return m
    by_batch = [engines(b, T.SIZES) for b in cfg["batches"]]
    by_width = [engines(32, (784, w, w, 10)) for w in cfg["widths"]]
    return by_batch, by_width


def compile_growth(cfg):
    """Tracing a step of a deeper and deeper MLP (width 64, batch 32, Adam): the seconds the
    trace takes (the first call that traces the steady program, so the optimizer's state
    exists), and the program's lines and the memory it holds, against the depth."""
    from tinygrad_edu import Tensor, compile, manual_seed, nn, optim
    from .tensor import training_step
    rows = []
    for depth in cfg["depths"]:
        manual_seed(0)
        model = nn.MLP([32] + [64] * depth + [10])
        opt = optim.Adam(model.parameters(), lr=1e-3)
        compiled = compile(training_step(model, opt))
        x, y = Tensor(np.ones((32, 32))), np.arange(32) % 10
        compiled(x, y)                      # the first step (the optimizer makes its state)
        start = time.perf_counter()
        compiled(x, y)                      # the trace of the program every later call runs
        traced = time.perf_counter() - start
        program = compiled.programs[-1]
        rows.append((program.lines, traced, program.buffer_bytes + program.made_once_bytes))
    return rows


def scalar_growth(cfg):
    from tinygrad_edu import Value

    def build(n):
        x = Value(0.5)
        y = x
        for _ in range(n):
            y = y * 1.0000001
        return y
    rows = []
    for n in cfg["chain"]:
        start = time.perf_counter()
        y = build(n)
        built = time.perf_counter()
        y.backward()
        rows.append((built - start, time.perf_counter() - built))
        del y
        tracemalloc.start()
        y = build(n)
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del y
        rows[-1] += (held,)
    return rows


def adam_growth(cfg, torch_ok):
    from . import optim as O
    # Main memory's speed: copy all the largest run's arrays (one 4 MB array alone would be
    # copied within the CPU's cache, several times faster than any step could stream).
    total = max(cfg["params"])
    copy = _medians({"copy": lambda: O.copy_floor(total)}, cfg["blocks"],
                    cfg["block_seconds"])["copy"]
    bandwidth = 2 * 4 * total / copy                   # a copy reads and writes every byte
    rows = []
    for n in cfg["params"]:
        makers = {"tinygrad_edu Adam": lambda: O.tinygrad_step("Adam", n)[0]}
        if torch_ok:
            makers["torch.optim.Adam"] = lambda: O.torch_step("Adam", n)[0]
        m = _medians(makers, cfg["blocks"], cfg["block_seconds"])
        m["bandwidth floor"] = 7 * 4 * n / bandwidth
        rows.append(m)
    return rows, bandwidth


def _series(rows):
    return {name: [row[name] * 1e3 for row in rows] for name in rows[0]}


def draw_compile_growth(cfg, plt, save):
    """The ``compile_growth.png`` picture (see :func:`compile_growth`), handed to ``save``."""
    rows = compile_growth(cfg)
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(10, 4))
    lines = [r[0] for r in rows]
    ax.loglog(lines, [r[1] for r in rows], "o-", label="trace (one eager step, recorded)")
    ax.set(xlabel="program lines (MLP width 64, depth " + ", ".join(map(str, cfg["depths"]))
           + "; Adam)", ylabel="seconds")
    mem.loglog(lines, [r[2] / 2 ** 20 for r in rows], "o-", color="C2")
    mem.set(xlabel="program lines", ylabel="MB held (buffers + arrays made once)")
    for a in (ax, mem):
        a.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "compile_growth.png", "compile: trace time and the program's memory against its size")


def draw(directory, quick=False):
    """Measure and write the four pictures into ``directory``; returns their paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.ticker
    import matplotlib.pyplot as plt
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # then OPENBLAS_NUM_THREADS=1 in the environment does it
        pass
    cfg = QUICK if quick else FULL
    torch_ok = not quick and _have_torch()     # quick: spare the test PyTorch's import
    where = machine()
    os.makedirs(directory, exist_ok=True)
    paths = []

    def save(fig, name, title):
        for ax in fig.axes:   # plain numbers on the log axes (1, 4, 16 ... not 10^0.6)
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        fig.suptitle(f"{title}\n{where}", fontsize=9)
        fig.tight_layout()
        path = os.path.join(directory, name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)

    by_batch, by_width = tensor_growth(cfg, torch_ok)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, xs, rows, label in (
            (axes[0], cfg["batches"], by_batch, "batch size (MLP 784-256-128-10)"),
            (axes[1], cfg["widths"], by_width, "hidden width w (MLP 784-w-w-10, batch 32)")):
        for name, ys in _series(rows).items():
            ax.loglog(xs, ys, "o-", label=name)
        ax.set_xticks(xs)
        ax.set(xlabel=label, ylabel="ms per training step")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    save(fig, "tensor_growth.png", "Tensor engine: one SGD training step, float32")

    draw_compile_growth(cfg, plt, save)

    rows = scalar_growth(cfg)
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(10, 4))
    ax.loglog(cfg["chain"], [r[0] for r in rows], "o-", label="build the graph (forward)")
    ax.loglog(cfg["chain"], [r[1] for r in rows], "o-", label="backward()")
    ax.set(xlabel="graph size (Values in a chain of multiplications)", ylabel="seconds")
    mem.loglog(cfg["chain"], [r[2] / 2 ** 20 for r in rows], "o-", color="C2")
    mem.set(xlabel="graph size", ylabel="MB held by the graph (tracemalloc)")
    for a in (ax, mem):
        a.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "scalar_growth.png", "Scalar engine (Value): cost against graph size")

    rows, bandwidth = adam_growth(cfg, torch_ok)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, ys in _series(rows).items():
        ax.loglog(cfg["params"], ys, "o-" if "floor" not in name else "k--", label=name)
    ax.set(xlabel="float32 parameters (10 arrays)", ylabel="ms per step")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, title=f"floor: 28 bytes/param at {bandwidth / 1e9:.1f} GB/s")
    save(fig, "adam_growth.png", "Adam.step() against parameter count")
    return paths
