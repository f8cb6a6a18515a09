"""Optimizer benchmark: one ``Adam.step()`` over 1e6 and 1e7 float32 parameters, side by side.

The parameters are split into 10 equal arrays (like the weight matrices of a model), with
gradients already in ``.grad``. Measured in the same run:

* ``tinygrad_edu Adam`` — ``tinygrad_edu.optim.Adam`` as shipped (large parameters are
  updated by worker threads, see ``optim/optimizer.py``);
* ``tinygrad_edu Adam, 1 thread`` — the same with the threads switched off;
* ``torch.optim.Adam`` — PyTorch's default (on the CPU: the per-tensor loop), if installed,
  with its default intra-op thread count;
* ``numpy copy floor`` — ``np.copyto`` of the parameters' bytes into another buffer: no
  update can touch every parameter faster than this memory-bandwidth floor (Adam itself
  reads 4 and writes 3 arrays of that size).

A second table times one step of every optimizer at 1e6 parameters, against PyTorch's
version where there is one. Both optimizers first take one step on the same data and the
results are compared, so the timings are of the same computation.
"""
import numpy as np

from . import median_time, print_table

ARRAYS = 10


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
    """Run ``fn`` with the optimizer's worker threads switched off."""
    from ..optim import optimizer

    def run():
        saved = optimizer._PARALLEL_MIN_SIZE
        optimizer._PARALLEL_MIN_SIZE = 1 << 62
        try:
            fn()
        finally:
            optimizer._PARALLEL_MIN_SIZE = saved
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


def _best_of_rounds(makers, rounds, repeat):
    """Interleave the implementations for ``rounds`` rounds; keep each one's best median.

    On a shared machine another process can take a core for a few seconds (PyTorch's
    OpenMP barrier then stalls for milliseconds per operation); interleaving and keeping
    the best round compares the implementations under the same, quietest, conditions.
    """
    best = {}
    for _ in range(rounds):
        for name, make in makers.items():
            seconds = median_time(make(), repeat=repeat)
            best[name] = min(best.get(name, seconds), seconds)
    return best


def main():
    try:
        import torch
        have_torch = True
        torch_threads = torch.get_num_threads()
    except ImportError:
        have_torch = False
    rows = []
    for total in (10 ** 6, 10 ** 7):
        makers = {
            "tinygrad_edu Adam": lambda: tinygrad_step("Adam", total)[0],
            "tinygrad_edu Adam, 1 thread":
                lambda: _single_threaded(tinygrad_step("Adam", total)[0]),
        }
        if have_torch:
            makers[f"torch.optim.Adam default ({torch_threads} threads)"] = \
                lambda: torch_step("Adam", total)[0]
            makers["torch.optim.Adam, 1 thread"] = \
                lambda: _torch_threads(1)(torch_step("Adam", total)[0])
        makers["numpy copy floor"] = lambda: copy_floor(total)
        times = _best_of_rounds(makers, rounds=3, repeat=15 if total <= 10 ** 6 else 7)
        floor = times["numpy copy floor"]
        torch_time = next((v for k, v in times.items() if "default" in k), None)
        for name, seconds in times.items():
            rows.append([f"{total:.0e}", name, f"{seconds * 1e3:.2f}",
                         f"{seconds / floor:.1f}x",
                         f"{seconds / torch_time:.2f}x" if torch_time else "-"])
    note = "" if have_torch else " (PyTorch not installed: `pip install torch` to compare)"
    print_table(f"Optimizer: one Adam.step() over N float32 parameters in {ARRAYS} arrays"
                + note, ["N", "implementation", "ms / step", "vs copy floor",
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
        times = _best_of_rounds(makers, rounds=2, repeat=9)
        rows.append([name] + [f"{times[k] * 1e3:.2f}" if k in times else "-"
                              for k in ("ours", "torch")])
    print_table(f"Every optimizer: one step over {total:.0e} float32 parameters in {ARRAYS} "
                f"arrays (defaults; SGD with momentum 0.9)",
                ["optimizer", "tinygrad_edu (ms)", "torch.optim default (ms)"], rows)

if __name__ == "__main__":
    main()
