"""Compile a training step: trace it once, read it as NumPy, replay it at hand-written speed.

An eager step builds a graph, checks its inputs and dispatches every operation through
Python before NumPy does any arithmetic. ``tinygrad_edu.compile(step)`` runs the step once
while *recording* every array operation — forward, backward and the optimizer's update —
into a Python function of plain NumPy lines, and runs that function on later calls.
This demo shows, in order:

1. **The program.** The first lines of the traced step of an MLP, as ``.code`` prints them:
   the forward pass, then the backward pass and the update written out as you would write
   them by hand, names taken from the model (``layer0_weight``, ``layer0_weight_grad``).
2. **The same numbers.** The same MLP trained on three spirals, eagerly and compiled, from
   the same weights: the two loss curves are one (compared bit for bit).
3. **The speed.** One step of the MLP 784-256-128-10 (float32, batch 32, SGD): eager,
   compiled and written by hand in NumPy, timed in turns (medians).
4. **The limit.** A step that decides in Python on a traced value
   (``if loss.item() > 1.0: ...``) gets a warning naming the line: the program keeps the
   branch the trace took, whatever the data says later.

    python demos/25_compile.py  # or: tinygrad-edu demo compile

Writes ``<out>/25_compile.png``.
"""
import argparse
import os
import statistics
import time
import warnings

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.data import make_spirals
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import save_figure

SIZES, QUICK_SIZES = (784, 256, 128, 10), (64, 32, 16, 10)
BATCH, LR = 32, 0.01
TRAIN_STEPS, QUICK_TRAIN_STEPS = 300, 20
ROUNDS, QUICK_ROUNDS = 15, 2
STEPS_PER_BLOCK = 20


def sgd_step(model, opt):
    """The step a learner writes: zero_grad, forward, loss, backward, update."""
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def mlp(sizes, seed):
    tinygrad_edu.manual_seed(seed)
    saved = tinygrad_edu.get_default_dtype()
    tinygrad_edu.set_default_dtype(np.float32)
    try:
        return nn.MLP(list(sizes))
    finally:
        tinygrad_edu.set_default_dtype(saved)


def hand_step(model, x, y):
    """The same step with NumPy alone (weights copied from ``model``, stored (out, in))."""
    (w1, b1), (w2, b2), (w3, b3) = [(p.data.copy(), q.data.copy()) for p, q in
                                    zip(model.parameters()[0::2], model.parameters()[1::2])]
    rows = np.arange(len(y))

    def step():
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        logits = h2 @ w3.T + b3
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - logits[rows, y]).mean()
        d3 = e / total                              # ∂loss/∂logits = (softmax − onehot)/N
        d3[rows, y] -= 1
        d3 /= len(y)
        d2 = (d3 @ w3) * (h2 > 0)
        d1 = (d2 @ w2) * (h1 > 0)
        for p, g in ((w1, d1.T @ x), (b1, d1.sum(0)), (w2, d2.T @ h1), (b2, d2.sum(0)),
                     (w3, d3.T @ h2), (b3, d3.sum(0))):
            p -= LR * g
        return loss
    return step


def the_program(sizes, seed):
    model = mlp(sizes, seed)
    opt = optim.SGD(model.parameters(), lr=LR)
    compiled = tinygrad_edu.compile(sgd_step(model, opt))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], BATCH)
    compiled(x, y)
    compiled(x, y)
    return compiled


def same_numbers(steps, seed):
    """The spirals, trained eagerly and compiled from the same weights: the losses."""
    x, y = make_spirals(n_samples=300, seed=seed)
    x = x.astype(np.float32)
    losses = {}
    for name in ("eager", "compiled"):
        model = mlp((2, 64, 64, 3), seed)
        step = sgd_step(model, optim.Adam(model.parameters(), lr=0.01))
        if name == "compiled":
            step = tinygrad_edu.compile(step)
        losses[name] = np.array([step(x, y).item() for _ in range(steps)])
    return losses


def timings(sizes, rounds, seed):
    """Median µs per step of each way of running it, the three taking turns."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], BATCH)
    model = mlp(sizes, seed)
    eager = sgd_step(model, optim.SGD(model.parameters(), lr=LR))
    model_c = mlp(sizes, seed)
    compiled = tinygrad_edu.compile(sgd_step(model_c, optim.SGD(model_c.parameters(), lr=LR)))
    steps = {"eager": lambda: eager(x, y).item(), "compiled": lambda: compiled(x, y).item(),
             "NumPy by hand": hand_step(mlp(sizes, seed), x, y)}
    times = {name: [] for name in steps}
    for fn in steps.values():
        for _ in range(5):    # warm up (and let compile trace)
            fn()
    for r in range(rounds):
        for name in (list(steps) if r % 2 == 0 else list(steps)[::-1]):
            start = time.perf_counter()
            for _ in range(STEPS_PER_BLOCK):
                steps[name]()
            times[name].append((time.perf_counter() - start) / STEPS_PER_BLOCK * 1e6)
    return {name: statistics.median(t) for name, t in times.items()}


def frozen_branch(seed):
    """A step that halves the learning rate when the loss is high, decided in Python."""
    model = mlp((2, 8, 3), seed)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if loss.item() > 1.0:        # data steering Python: the trace keeps this branch
            loss = loss * 0.5
        loss.backward()
        opt.step()
        return loss
    x, y = make_spirals(n_samples=30, seed=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tinygrad_edu.compile(step)(x.astype(np.float32), y)
    return [w for w in caught if "read as a Python" in str(w.message)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true",
                        help="a small network, few steps and rounds, for a smoke test")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES

    compiled = the_program(sizes, args.seed)
    lines = compiled.code.splitlines()
    start = next(i for i, line in enumerate(lines) if "# arrays:" in line)
    program = compiled.programs[-1]
    print(f"1. The traced step of MLP {'-'.join(map(str, sizes))} (batch {BATCH}, SGD): "
          f"{len(lines)} lines, {program.buffer_bytes / 2 ** 20:.2f} MB of preallocated "
          f"buffers and {program.made_once_bytes / 2 ** 20:.2f} MB of arrays made once. Its "
          f"forward pass:")
    print("\n".join(lines[start:start + 16]))
    print("    ...  (print(compiled.code) shows all of it: backward, update, write-back)")

    steps = QUICK_TRAIN_STEPS if args.quick else TRAIN_STEPS
    losses = same_numbers(steps, args.seed)
    same = bool(np.array_equal(losses["eager"], losses["compiled"]))
    print(f"\n2. Three spirals, MLP 2-64-64-3, Adam, {steps} full-batch steps: loss "
          f"{losses['eager'][0]:.4f} -> {losses['eager'][-1]:.4f}; eager and compiled "
          f"losses {'identical, bit for bit' if same else 'DIFFERENT'}.")

    times = timings(sizes, QUICK_ROUNDS if args.quick else ROUNDS, args.seed)
    hand = times["NumPy by hand"]
    print(f"\n3. One step, MLP {'-'.join(map(str, sizes))}, float32, batch {BATCH} "
          f"(medians, µs):")
    for name, t in times.items():
        print(f"  {name:14s} {t:8.1f}   {t / hand:.2f}× the hand-written step")

    caught = frozen_branch(args.seed)
    print("\n4. `if loss.item() > 1.0:` inside a compiled step:")
    for w in caught[:1]:
        print(f"  {os.path.basename(w.filename)}:{w.lineno}: UserWarning: "
              f"{str(w.message)[:150]}...")

    print("\nWhat to look at (25_compile.png):\n"
          f"  left: the eager and the compiled loss curves are one line ({steps} steps, "
          f"{'equal bit for bit' if same else 'NOT equal'}: the program runs the NumPy calls "
          f"the eager step ran).\n"
          f"  right: the compiled step takes {times['compiled'] / hand:.2f}× the hand-written "
          f"one, eager {times['eager'] / hand:.2f}×: compiling removes the engine's own Python "
          f"(graph, checks, dispatch), not NumPy's arithmetic.")
    result = {"code": compiled.code, "losses": losses, "same": same, "times": times,
              "warnings": caught, "lines": len(lines), "buffer_bytes": program.buffer_bytes}
    path = os.path.join(args.out, "25_compile.png")
    path = save_figure(lambda plt: plot(result, plt), path, dpi=args.dpi)
    if path:
        result["image"] = path
    return result


def plot(result, plt):
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    losses = result["losses"]
    left.plot(losses["eager"], color="#1f77b4", linewidth=4, alpha=0.4, label="eager")
    left.plot(losses["compiled"], color="#d62728", linewidth=1.2, label="compiled")
    left.set(xlabel="step", ylabel="loss", title="Spirals: the same losses, bit for bit")
    left.legend()
    left.grid(True, alpha=0.3)
    names = list(result["times"])
    values = [result["times"][n] for n in names]
    bars = right.bar(names, values, color=["#1f77b4", "#d62728", "#7f7f7f"])
    for bar, value in zip(bars, values):
        right.annotate(f"{value:.0f} µs", (bar.get_x() + bar.get_width() / 2, value),
                       ha="center", va="bottom", fontsize=9)
    right.set(ylabel="µs per step (median)",
              title=f"One MLP step, batch {BATCH}: eager, compiled, by hand")
    return figure


if __name__ == "__main__":
    main()
