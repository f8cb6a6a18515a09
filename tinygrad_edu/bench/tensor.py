"""Tensor engine benchmark: one training step of an MLP 784-256-128-10, side by side.

A step is: forward (Linear-ReLU-Linear-ReLU-Linear), cross-entropy loss, backward, and a
hand-written SGD update ``p.data -= lr * p.grad``; float32, batch 32 and 256. Three engines:

* ``tinygrad_edu`` — the Tensor engine, loss written from Tensor ops
  (``-logits.log_softmax()[rows, labels].mean()``);
* ``numpy by hand`` — the same network's forward and backward written out with NumPy and no
  autograd at all: the floor that an autograd engine's bookkeeping adds to;
* ``torch eager`` — PyTorch on the CPU (``nn.Linear`` layers, ``F.cross_entropy``), if installed.

Each is timed with 1 and with 2 BLAS threads, each engine and thread count in a fresh process
(``OPENBLAS_NUM_THREADS`` etc., threadpoolctl when installed, ``torch.set_num_threads``).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

from . import print_table

SIZES = (784, 256, 128, 10)
LR = 0.01
STEPS_PER_SAMPLE = 20


def _init(seed=0):
    """Weights (PyTorch layout: (out, in)), inputs and labels, all float32 / int64."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return params


def _data(batch, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return x, y


def _mean_cross_entropy():
    """A fused loss as a custom ``Function`` (what ``F.cross_entropy`` is in PyTorch).

    forward: L = −(1/N) Σ_n log softmax(z_n)[y_n];   backward: ∂L/∂z = (softmax(z) − onehot(y)) / N
    """
    from tinygrad_edu import Function

    class MeanCrossEntropy(Function):
        @staticmethod
        def forward(ctx, logits, labels):
            shifted = logits - logits.max(axis=1, keepdims=True)
            e = np.exp(shifted)
            total = e.sum(axis=1, keepdims=True)
            rows = np.arange(len(labels))
            e /= total
            ctx.save_for_backward(e, labels)
            return (np.log(total[:, 0]) - shifted[rows, labels]).mean()

        @staticmethod
        def backward(ctx, grad):
            probs, labels = ctx.saved_tensors
            d = probs.copy()
            d[np.arange(len(labels)), labels] -= 1
            d *= grad / len(labels)
            return d, None
    return MeanCrossEntropy


def tinygrad_step_fn(batch, fused_loss=False):
    from tinygrad_edu import Tensor
    params = [Tensor(p, requires_grad=True) for p in _init()]
    w1, b1, w2, b2, w3, b3 = params
    x, y = _data(batch)
    rows = np.arange(batch)
    cross_entropy = _mean_cross_entropy()

    def step():
        for p in params:
            p.grad = None
        h = (x @ w1.T + b1).relu()
        h = (h @ w2.T + b2).relu()
        logits = h @ w3.T + b3
        if fused_loss:
            loss = cross_entropy.apply(logits, y)
        else:
            loss = -logits.log_softmax()[rows, y].mean()
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss
    return step


def numpy_step_fn(batch):
    w1, b1, w2, b2, w3, b3 = _init()
    x, y = _data(batch)
    rows = np.arange(batch)

    def step():
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        logits = h2 @ w3.T
        logits += b3
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - logits[rows, y]).mean()
        # ∂loss/∂logits = (softmax - onehot) / batch
        d3 = e / total
        d3[rows, y] -= 1
        d3 /= batch
        d2 = d3 @ w3
        d2 *= h2 > 0
        d1 = d2 @ w2
        d1 *= h1 > 0
        grads = (d1.T @ x, d1.sum(axis=0), d2.T @ h1, d2.sum(axis=0), d3.T @ h2, d3.sum(axis=0))
        for p, g in zip((w1, b1, w2, b2, w3, b3), grads):
            p -= LR * g
        return loss
    return step


def torch_step_fn(batch):
    import torch
    import torch.nn.functional as F
    layers = [torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
    with torch.no_grad():
        for layer, (w, b) in zip(layers, zip(_init()[0::2], _init()[1::2])):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    model = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])
    params = list(model.parameters())
    x, y = _data(batch)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        for p in params:
            p.grad = None
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss
    return step


ENGINES = {
    "numpy by hand": numpy_step_fn,
    "tinygrad_edu": lambda batch: tinygrad_step_fn(batch, fused_loss=True),
    "tinygrad_edu, loss from ops": tinygrad_step_fn,
    "torch eager": torch_step_fn,
}
BATCHES = (32, 256)


def _per_step(step, repeat=15):
    """Seconds per step: the best of ``repeat`` runs of STEPS_PER_SAMPLE steps each.

    The minimum rather than the median: on a shared machine other processes only ever add
    time, and with two BLAS threads on two cores a single busy neighbour can double a run.
    """
    for _ in range(3):  # warm up caches and allocator
        step()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(STEPS_PER_SAMPLE):
            step()
        runs.append(time.perf_counter() - start)
    return min(runs) / STEPS_PER_SAMPLE


def _worker(engine, threads):
    """Run in a fresh process: print one JSON line {batch: ms per step} for ``engine``."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=threads, user_api="blas")
    except ImportError:  # the environment variables set by measure() do the job
        pass
    if engine == "torch eager":
        import torch
        torch.set_num_threads(threads)
    print(json.dumps({batch: _per_step(ENGINES[engine](batch)) * 1e3 for batch in BATCHES}))


def measure(engine, threads):
    """Milliseconds per step at each batch size, measured in a fresh process.

    One process per engine and thread count: BLAS and OpenMP thread pools left spinning by
    one engine (PyTorch's, typically) would otherwise steal the cores from the next.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    code = f"from tinygrad_edu.bench.tensor import _worker; _worker({engine!r}, {threads})"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return {int(batch): ms for batch, ms in json.loads(result.stdout.splitlines()[-1]).items()}


def check_same_loss(batch=32):
    """The three engines compute the same loss (so the comparison is of the same work)."""
    losses = {"tinygrad_edu": float(tinygrad_step_fn(batch, fused_loss=True)().item()),
              "tinygrad_edu, loss from ops": float(tinygrad_step_fn(batch)().item()),
              "numpy by hand": float(numpy_step_fn(batch)())}
    try:
        losses["torch eager"] = float(torch_step_fn(batch)().item())
    except ImportError:
        pass
    values = list(losses.values())
    assert np.allclose(values, values[0], rtol=1e-4), losses
    return losses


def main():
    engines = list(ENGINES)
    note = ""
    try:
        import torch  # noqa: F401
    except ImportError:
        engines.remove("torch eager")
        note = " (PyTorch not installed: `pip install torch` to compare)"
    losses = check_same_loss()
    rows = []
    for threads in (1, 2):
        times = {engine: measure(engine, threads) for engine in engines}
        for batch in BATCHES:
            floor = times["numpy by hand"][batch]
            row = [str(threads), str(batch)] + [f"{times[e][batch]:.3f}" for e in engines]
            row += [f"{times['tinygrad_edu'][batch] / floor:.2f}x",
                    f"{times['tinygrad_edu, loss from ops'][batch] / floor:.2f}x"]
            if "torch eager" in times:
                row.append(f"{times['tinygrad_edu'][batch] / times['torch eager'][batch]:.2f}x")
            rows.append(row)
    header = (["BLAS threads", "batch"] + [f"{name} (ms)" for name in engines]
              + ["tg / numpy", "tg ops-loss / numpy"])
    if "torch eager" in engines:
        header.append("tg / torch")
    print_table("Tensor: one MLP 784-256-128-10 training step, float32" + note, header, rows)
    print("\ntinygrad_edu uses a fused cross-entropy Function (as torch's F.cross_entropy); "
          "'loss from ops' writes it as -logits.log_softmax()[rows, y].mean().")
    print("same first-step loss in every engine: "
          + ", ".join(f"{k} {v:.6f}" for k, v in losses.items()))


if __name__ == "__main__":
    main()
