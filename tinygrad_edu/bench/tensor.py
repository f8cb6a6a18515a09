"""Tensor engine benchmark: one training step of an MLP 784-256-128-10, side by side.

A step is: forward (Linear-ReLU-Linear-ReLU-Linear), cross-entropy loss, backward, and a
hand-written SGD update ``p.data -= lr * p.grad``; float32, batch 32 and 256. Three engines:

* ``tinygrad_edu`` — the Tensor engine, loss written from Tensor ops
  (``-logits.log_softmax()[rows, labels].mean()``);
* ``numpy by hand`` — the same network's forward and backward written out with NumPy and no
  autograd at all: the floor that an autograd engine's bookkeeping adds to;
* ``torch eager`` — PyTorch on the CPU (``nn.Linear`` layers, ``F.cross_entropy``), if installed.

Each is timed with 1 and with 2 BLAS threads (threadpoolctl, ``torch.set_num_threads``).
"""
import numpy as np

from . import median_time, print_table

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


def _thread_limit(threads):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=threads, user_api="blas")


def _per_step(step):
    def many():
        for _ in range(STEPS_PER_SAMPLE):
            step()
    return median_time(many, repeat=7, warmup=1) / STEPS_PER_SAMPLE


def measure(batch, threads, engines):
    """Milliseconds per step for each engine at this batch size and BLAS thread count."""
    times = {}
    limit = _thread_limit(threads)
    try:
        if "torch eager" in engines:
            import torch
            torch.set_num_threads(threads)
        for name, make in engines.items():
            times[name] = _per_step(make(batch)) * 1e3
    finally:
        if limit is not None:
            limit.unregister()
    return times


def check_same_loss(batch=32):
    """The three engines compute the same loss (so the comparison is of the same work)."""
    losses = {"tinygrad_edu": float(tinygrad_step_fn(batch)().item()),
              "numpy by hand": float(numpy_step_fn(batch)())}
    try:
        losses["torch eager"] = float(torch_step_fn(batch)().item())
    except ImportError:
        pass
    values = list(losses.values())
    assert np.allclose(values, values[0], rtol=1e-4), losses
    return losses


def main():
    engines = {"numpy by hand": numpy_step_fn, "tinygrad_edu": tinygrad_step_fn}
    note = ""
    try:
        import torch  # noqa: F401
        engines["torch eager"] = torch_step_fn
    except ImportError:
        note = " (PyTorch not installed: `pip install torch` to compare)"
    try:
        import threadpoolctl  # noqa: F401
        thread_counts = (1, 2)
    except ImportError:
        thread_counts = (None,)
        note += " (threadpoolctl not installed: BLAS threads as the environment sets them)"
    losses = check_same_loss()
    rows = []
    for threads in thread_counts:
        for batch in (32, 256):
            times = measure(batch, threads or 1, engines)
            floor = times["numpy by hand"]
            row = [str(threads or "env"), str(batch)]
            for name in engines:
                row.append(f"{times[name]:.3f}")
            row.append(f"{times['tinygrad_edu'] / floor:.2f}x")
            if "torch eager" in times:
                row.append(f"{times['tinygrad_edu'] / times['torch eager']:.2f}x")
            rows.append(row)
    header = ["BLAS threads", "batch"] + [f"{name} (ms)" for name in engines] + ["tg / numpy"]
    if "torch eager" in engines:
        header.append("tg / torch")
    print_table("Tensor: one MLP 784-256-128-10 training step, float32" + note, header, rows)
    print(f"\nsame first-step loss in every engine: "
          + ", ".join(f"{k} {v:.6f}" for k, v in losses.items()))


if __name__ == "__main__":
    main()
