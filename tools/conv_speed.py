"""Time a convolution layer's forward + backward (and the pools') against PyTorch, one thread.

    OPENBLAS_NUM_THREADS=1 MALLOC_TOP_PAD_=67108864 python tools/conv_speed.py

Layers at the sizes of PyTorch's MNIST example (conv 1→32 and 32→64, 3×3) and LeNet (5×5),
batch 64, float32, the input requiring grad as in a middle layer. Each row: the medians of
``--repeat`` interleaved runs of both libraries (a busy neighbour hits both alike).
``MALLOC_TOP_PAD_``: see the README's Benchmarks (fresh pages for each large array otherwise).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import tinygrad_edu  # noqa: E402
from tinygrad_edu import Tensor  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

LAYERS = [  # name, input shape, weight shape, keyword arguments
    ("MNIST conv1 1→32 3×3, 28×28", (64, 1, 28, 28), (32, 1, 3, 3), {}),
    ("MNIST conv2 32→64 3×3, 26×26", (64, 32, 26, 26), (64, 32, 3, 3), {}),
    ("LeNet conv1 1→6 5×5 pad 2, 28×28", (64, 1, 28, 28), (6, 1, 5, 5), {"padding": 2}),
    ("LeNet conv2 6→16 5×5, 14×14", (64, 6, 14, 14), (16, 6, 5, 5), {}),
]


def interleaved_medians(ours, theirs, repeat):
    ours(), theirs()
    times = ([], [])
    for _ in range(repeat):
        for fn, bucket in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [1e3 * float(np.median(t)) for t in times]


def step(fn, tensors, upstream):
    def run():
        for t in tensors:
            t.grad = None
        fn(*tensors).backward(upstream)
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, torch threads "
          f"{torch.get_num_threads()}, MALLOC_TOP_PAD_={os.environ.get('MALLOC_TOP_PAD_')}")
    rng = np.random.default_rng(0)
    print(f"{'workload':36s} {'ours fwd+bwd':>13s} {'torch':>9s} {'ratio':>6s}   "
          f"{'ours fwd':>9s} {'torch':>7s} {'ratio':>6s}")
    for name, x_shape, w_shape, kwargs in LAYERS:
        arrays = [rng.standard_normal(x_shape).astype(np.float32),
                  (0.1 * rng.standard_normal(w_shape)).astype(np.float32),
                  rng.standard_normal(w_shape[0]).astype(np.float32)]
        ours = [Tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        upstream = np.ones(F.conv2d(*ours, **kwargs).shape, np.float32)
        both = interleaved_medians(
            step(lambda *t: F.conv2d(*t, **kwargs), ours, upstream),
            step(lambda *t: torch.nn.functional.conv2d(*t, **kwargs), theirs,
                 torch.tensor(upstream)), args.repeat)

        def forward_ours():
            with tinygrad_edu.no_grad():
                F.conv2d(*ours, **kwargs)

        def forward_torch():
            with torch.no_grad():
                torch.nn.functional.conv2d(*theirs, **kwargs)
        forward = interleaved_medians(forward_ours, forward_torch, args.repeat)
        print(f"{name:36s} {both[0]:10.2f} ms {both[1]:6.2f} ms {both[0] / both[1]:5.1f}×   "
              f"{forward[0]:6.2f} ms {forward[1]:4.2f} ms {forward[0] / forward[1]:5.1f}×")
    x = rng.standard_normal((64, 32, 24, 24)).astype(np.float32)
    upstream = np.ones((64, 32, 12, 12), np.float32)
    for name in ("max_pool2d", "avg_pool2d"):
        ours, theirs = [Tensor(x, requires_grad=True)], [torch.tensor(x, requires_grad=True)]
        both = interleaved_medians(
            step(lambda t: getattr(F, name)(t, 2), ours, upstream),
            step(lambda t: getattr(torch.nn.functional, name)(t, 2), theirs,
                 torch.tensor(upstream)), args.repeat)
        print(f"{name + ' 2×2 on (64, 32, 24, 24)':36s} {both[0]:10.2f} ms {both[1]:6.2f} ms "
              f"{both[0] / both[1]:5.1f}×")


if __name__ == "__main__":
    main()
