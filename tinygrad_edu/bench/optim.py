"""Optimizer benchmark: one ``Adam.step()`` over 1e6 and 1e7 float32 parameters, side by side.

The parameters are split into 10 equal arrays (like the weight matrices of a model), with
gradients already in ``.grad``. Measured in the same run:

* ``tinygrad_edu Adam`` — ``tinygrad_edu.optim.Adam`` as shipped (large parameters are
  updated by worker threads, see ``fast/updates.py``);
* ``tinygrad_edu Adam, 1 thread`` — the same with the threads switched off;
* ``tinygrad_edu Adam, compiled`` — ``tinygrad_edu.compile(opt.step)``: the traced program,
  the plain rule one parameter after another (neither blocks nor threads);
* ``torch.optim.Adam`` — ``torch.optim.Adam(params)``, PyTorch's default (on the CPU
  neither ``foreach`` nor ``fused``: the per-tensor loop), if installed, with its default
  intra-op thread count, and with 1 thread;
* ``numpy copy floor`` — ``np.copyto`` of the parameters' bytes into another buffer: no
  update can touch every parameter faster than this memory-bandwidth floor (Adam itself
  reads 4 and writes 3 arrays of that size).

How it is timed: every implementation is built afresh each round (new arrays and state),
warmed up with one step, then single steps are timed; the implementations take turns,
the order reversed every other round, and the table reports the MEDIAN step of all rounds
(a busy neighbour on a shared machine moves a median only if it lasts most of the run).

A second table times one step of every optimizer at 1e6 parameters, against PyTorch's
version where there is one. Both optimizers first take one step on the same data and the
results are compared, so the timings are of the same computation.
"""
import statistics
import time

import numpy as np

from . import print_table

ARRAYS = 10
# (rounds, timed steps per round) per parameter count: the table gives the median step
TIMING = {10 ** 6: (6, 10), 10 ** 7: (4, 5)}


def _arrays(total, seed=0):
    rng = np.random.default_rng(seed)
    n = total // ARRAYS
    params = [rng.standard_normal(n, dtype=np.float32) for _ in range(ARRAYS)]
    grads = [rng.standard_normal(n, dtype=np.float32) for _ in range(ARRAYS)]
    return params, grads


def tinygrad_step(name, total, **kwargs):
    from tinygrad_edu import Tensor, optim
    params, grads = _arrays(total)
    tensors = [Tensor(p, requires_grad=True) for p in params]
    for t, g in zip(tensors, grads):
        t.grad = g
    opt = getattr(optim, name)(tensors, **kwargs)
    return opt.step, tensors


def compiled_step(name, total, **kwargs):
    """:func:`tinygrad_step` through ``tinygrad_edu.compile``, traced: the update rule as a
    program of NumPy lines, one parameter after another (no blocks, no threads)."""
    from tinygrad_edu import compile
    step, tensors = tinygrad_step(name, total, **kwargs)
    compiled = compile(step)
    compiled()   # the first step (the state is made)
    compiled()   # the trace of the program every later step runs
    return compiled, tensors


def torch_step(name, total, **kwargs):
    import torch
    params, grads = _arrays(total)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    for t, g in zip(tensors, grads):
        t.grad = torch.from_numpy(g)
    opt = getattr(torch.optim, name)(tensors, **kwargs)
    return opt.step, tensors


def copy_floor(total):
    params, _ = _arrays(total)
    out = [np.empty_like(p) for p in params]

    def copy():
        for src, dst in zip(params, out):
            np.copyto(dst, src)
    return copy


def _single_threaded(fn):
    """Run ``fn`` with the optimizers' worker threads switched off (blocks still on)."""
    from ..fast import updates

    def run():
        saved = updates.PARALLEL_MIN_SIZE
        updates.PARALLEL_MIN_SIZE = 1 << 62
        try:
            fn()
        finally:
            updates.PARALLEL_MIN_SIZE = saved
    return run


def _check_same(name, total, kwargs):
    """One step of ours and of PyTorch's from the same start agree (float32 rounding)."""
    ours_step, ours = tinygrad_step(name, total, **kwargs)
    theirs_step, theirs = torch_step(name, total, **kwargs)
    for _ in range(2):
        ours_step()
        theirs_step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-4, atol=1e-6)


def _torch_threads(n):
    """Run a step function with PyTorch limited to ``n`` intra-op threads."""
    import torch

    def wrap(fn):
        def run():
            saved = torch.get_num_threads()
            torch.set_num_threads(n)
            try:
                fn()
            finally:
                torch.set_num_threads(saved)
        return run
    return wrap


def _interleaved_medians(makers, rounds, repeat, runs=None):
    """Median seconds per call of each implementation, the implementations taking turns.

    Each round builds every implementation afresh (new arrays, new state), warms it up with
    one call and times ``repeat`` single calls; the order is reversed every other round, so
    no implementation always runs first or after the same neighbour. The median of all the
    rounds' calls moves only if a busy neighbour process holds a core for most of the run.
    Every call's seconds go into ``runs`` (a dict, by name) when given.
    """
    times = {name: [] for name in makers}
    names = list(makers)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            fn = makers[name]()
            fn()
            for _ in range(repeat):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    if runs is not None:
        runs.update(times)
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    try:
        import torch
        have_torch = True
        torch_threads = torch.get_num_threads()
    except ImportError:
        have_torch = False
    rows = []
    for total, (rounds, repeat) in TIMING.items():
        makers = {
            "tinygrad_edu Adam": lambda: tinygrad_step("Adam", total)[0],
            "tinygrad_edu Adam, 1 thread":
                lambda: _single_threaded(tinygrad_step("Adam", total)[0]),
            "tinygrad_edu Adam, compiled": lambda: compiled_step("Adam", total)[0],
        }
        if have_torch:
            makers[f"torch.optim.Adam default ({torch_threads} threads)"] = \
                lambda: torch_step("Adam", total)[0]
            makers["torch.optim.Adam, 1 thread"] = \
                lambda: _torch_threads(1)(torch_step("Adam", total)[0])
        makers["numpy copy floor"] = lambda: copy_floor(total)
        runs = {}
        times = _interleaved_medians(makers, rounds, repeat, runs)
        floor = times["numpy copy floor"]
        torch_time = next((v for k, v in times.items() if "default" in k), None)
        for name, seconds in times.items():
            rows.append([f"{total:.0e}", name, f"{seconds * 1e3:.2f} [{min(runs[name]) * 1e3:.2f}"
                         f"–{max(runs[name]) * 1e3:.2f}]",
                         f"{seconds / floor:.1f}x",
                         f"{seconds / torch_time:.2f}x" if torch_time else "-"])
    note = "" if have_torch else " (PyTorch not installed: `pip install torch` to compare)"
    counts = ", ".join(f"{r * n} steps at {total:.0e}" for total, (r, n) in TIMING.items())
    print_table(f"Optimizer: one Adam.step() over N float32 parameters in {ARRAYS} arrays; "
                f"median of {counts} ({'/'.join(str(r) for r, _ in TIMING.values())} rounds, "
                f"implementations taking turns)" + note,
                ["N", "implementation", "ms / step, median [range]", "vs copy floor",
                 "vs torch default"], rows)
    if have_torch:
        _check_same("Adam", 10 ** 5, {"lr": 1e-2})
        print("\nsame parameters after two steps as torch.optim.Adam (rtol 1e-4)")
    _all_optimizers(have_torch)


SETTINGS = {"SGD": {"lr": 1e-2, "momentum": 0.9}, "Adagrad": {}, "RMSprop": {},
            "Adadelta": {}, "Adam": {}, "AdamW": {}, "Adamax": {}, "NAdam": {}, "RAdam": {},
            "AdaBelief": {}, "Lion": {}}


def _all_optimizers(have_torch, total=10 ** 6):
    import importlib
    torch_optim = importlib.import_module("torch.optim") if have_torch else None
    rows = []
    for name, kwargs in SETTINGS.items():
        makers = {"ours": lambda: tinygrad_step(name, total, **kwargs)[0]}
        if torch_optim is not None and hasattr(torch_optim, name):
            _check_same(name, 10 ** 4, kwargs)
            makers["torch"] = lambda: torch_step(name, total, **kwargs)[0]
        times = _interleaved_medians(makers, rounds=3, repeat=7)
        rows.append([name] + [f"{times[k] * 1e3:.2f}" if k in times else "-"
                              for k in ("ours", "torch")]
                    + [f"{times['ours'] / times['torch']:.2f}x" if "torch" in times else "-"])
    print_table(f"Every optimizer: one step over {total:.0e} float32 parameters in {ARRAYS} "
                f"arrays (defaults; SGD with momentum 0.9); median of 21 steps in 3 rounds",
                ["optimizer", "tinygrad_edu ms", "torch.optim default ms", "ours / torch"], rows)


if __name__ == "__main__":
    main()
