"""Optimizer state matters: resume Adam with and without its saved moments.

Adam keeps two running averages per weight — the gradient's mean (``exp_avg``) and its
square's mean (``exp_avg_sq``) — and a step count for the bias correction. They are part of
the training state just as much as the weights. This demo trains an MLP with Adam, takes a
checkpoint half-way (``model.state_dict()`` and ``optimizer.state_dict()``), and resumes twice
from it, on exactly the same batches as a run that never stopped:

* (a) weights *and* optimizer state loaded: the resumed run is the uninterrupted run — the
  final weights differ by exactly 0.0;
* (b) weights only, with a fresh Adam: its averages restart from zero and the bias correction
  from step 1, so its first steps move every weight by about lr (Adam's first step is
  lr·g/|g|) — the loss jumps, and the run follows a different path from then on.

    python demos/19_optimizer_state.py   # or: tinygrad-edu demo optimizer_state

Writes ``<out>/19_optimizer_state.png``: the loss on all points at every step for the three
runs around the checkpoint.
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset, make_moons
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam

LR = 0.02


def batch_plan(X, y, steps, seed):
    """The mini-batches of every step, fixed in advance: every run sees the same sequence."""
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, drop_last=True,
                        seed=seed)
    plan = []
    while len(plan) < steps:
        plan.extend(loader)                # one epoch (a new shuffle each time)
    return plan[:steps]


def full_loss(model, X, y):
    with tinygrad_edu.no_grad():
        return F.cross_entropy(model(X), y).item()


def train(model, optimizer, plan, first, last, X, y, name):
    """Steps ``first`` .. ``last - 1`` of ``plan``; the loss on all points after each step."""
    losses = []
    for step in range(first, last):
        xb, yb = plan[step]
        loss = F.cross_entropy(model(xb), yb)
        if not math.isfinite(loss.item()):
            raise SystemExit(f"{name}: the loss became {loss.item()} at step {step}; "
                             f"lower the learning rate (now {LR})")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(full_loss(model, X, y))
    return losses


def max_difference(a, b):
    return max(float(np.abs(a[k] - b[k]).max()) for k in a)


def shown(difference):
    """0.0 printed as 0.0 (exactly equal), anything else with 3 significant digits."""
    return "0.0" if difference == 0 else f"{difference:.3g}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="20 steps, for a smoke test")
    args = parser.parse_args(argv)
    steps = 20 if args.quick else args.steps
    stop = steps // 2

    X, y = make_moons(n_samples=200, noise=0.1, seed=args.seed)
    plan = batch_plan(X, y, steps, args.seed)
    tinygrad_edu.manual_seed(args.seed)
    model = MLP([2, 32, 32, 2])
    optimizer = Adam(model.parameters(), lr=LR)
    print(f"MLP [2, 32, 32, 2] on {len(X)} moons points, Adam lr={LR}, {steps} steps of batch 32; "
          f"checkpoint after step {stop}\n")

    # the reference: one run that never stops (its state at `stop` is the checkpoint)
    reference = [full_loss(model, X, y)]
    reference += train(model, optimizer, plan, 0, stop, X, y, "uninterrupted run")
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
    reference += train(model, optimizer, plan, stop, steps, X, y, "uninterrupted run")
    final_reference = model.state_dict()

    curves, differences = {"uninterrupted": reference}, {}
    for name, with_state in (("(a) weights + optimizer state", True),
                             ("(b) weights only, fresh Adam", False)):
        resumed = MLP([2, 32, 32, 2])
        resumed.load_state_dict(checkpoint["model"])
        fresh = Adam(resumed.parameters(), lr=LR)
        if with_state:
            fresh.load_state_dict(checkpoint["optimizer"])
        losses = train(resumed, fresh, plan, stop, steps, X, y, name)
        curves[name] = reference[: stop + 1] + losses
        differences[name] = max_difference(resumed.state_dict(), final_reference)

    saved = checkpoint["optimizer"]["state"][0]
    print(f"the checkpoint's Adam state for the first weight: step = {saved['step']}, "
          f"mean |exp_avg| = {np.abs(saved['exp_avg']).mean():.2e}, "
          f"mean exp_avg_sq = {saved['exp_avg_sq'].mean():.2e}")
    print(f"\n{'run':32s} {'loss after step ' + str(stop + 1):>20s} {'final loss':>11s} "
          f"{'max |w - w_uninterrupted|':>26s}")
    print(f"{'uninterrupted':32s} {reference[stop + 1]:20.4f} {reference[-1]:11.4f} "
          f"{'0.0':>26s}")
    for name, curve in curves.items():
        if name != "uninterrupted":
            print(f"{name:32s} {curve[stop + 1]:20.4f} {curve[-1]:11.4f} "
                  f"{shown(differences[name]):>26s}")
    jump = curves["(b) weights only, fresh Adam"][stop + 1] - reference[stop + 1]
    print(f"\nWhat to look at (19_optimizer_state.png):\nWith its state, Adam continues exactly where it stopped (difference 0.0). A fresh "
          f"Adam\nrestarts its averages: the first step after resuming changes the loss by "
          f"{jump:+.4f} relative\nto the uninterrupted run, and the weights end elsewhere. "
          f"Save optimizer.state_dict() too.")
    result = {"curves": curves, "max_abs_diff": differences, "stop": stop, "steps": steps,
              "jump": jump, "initial_loss": reference[0]}

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    figure, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"uninterrupted": ("black", "-", 3.0), "(a) weights + optimizer state":
              ("tab:green", "--", 1.5), "(b) weights only, fresh Adam": ("tab:red", "-", 1.2)}
    for name, curve in curves.items():
        color, style, width = styles[name]
        label = name if name == "uninterrupted" else \
            f"{name}: max |Δw| = {shown(differences[name])}"
        ax.plot(range(stop, len(curve)), curve[stop:], color=color, linestyle=style,
                linewidth=width, label=label)
    ax.plot(range(stop + 1), reference[: stop + 1], color="gray", linewidth=1.5,
            label="before the checkpoint")
    ax.axvline(stop, color="gray", linestyle=":", label=f"checkpoint (step {stop})")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy on all points (log)")
    ax.set_title("Resuming Adam: with its state it is the same run; without, it is not",
                 fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    figure.tight_layout()
    path = os.path.join(args.out, "19_optimizer_state.png")
    figure.savefig(path, dpi=80)
    plt.close(figure)
    print(f"\nloss curves written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
