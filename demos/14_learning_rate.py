"""The learning rate: too small crawls, about right converges, too large diverges.

First on the simplest loss there is, f(x) = x², where everything can be worked out by hand:
the gradient is 2x, so one gradient-descent step is x ← x − η·2x = (1 − 2η)·x. Each step
multiplies x by (1 − 2η):

* η = 0.01: by 0.98 — the right direction, but 30 steps only get x from 2 to 1.09;
* η = 0.3:  by 0.4  — x shrinks by more than half every step;
* η = 1.05: by −1.1 — every step jumps *over* the minimum and lands further away on the
  other side: |x| grows by 10% per step. Any η > 1 diverges (|1 − 2η| > 1).

Then on a real model: an MLP (2-16-16-1, ReLU) classifying two moons, trained by full-batch
SGD on the mean squared error to the labels ±1, from the same initial weights at three
learning rates. The small one is still far from done after all its steps; the middle one
fits; the large one explodes within a few steps (past 1e240 by step 8) and its loss later
overflows to inf (step 74); the run stops with a message saying so, and its curve is drawn up to that point. (The squared error makes
the loss locally a bowl like x², so the same "|1 − η·curvature| > 1" threshold applies;
with cross-entropy a too-large rate mostly thrashes instead of overflowing.)

    python demos/14_learning_rate.py             # or: tinygrad-edu demo learning_rate
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu import Value, optim
from tinygrad_edu.data import make_moons
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F

X_START = 2.0
PARABOLA_RATES = {"too small": 0.01, "about right": 0.3, "too large": 1.05}
TOP = 1e2                     # the MLP panel's upper limit: a diverging curve goes off the top
MLP_RATES = {"too small": 0.01, "about right": 0.2, "too large": 2.0}


def descend_parabola(lr, steps):
    """Gradient descent on f(x) = x² from X_START with optim.SGD; returns the x's."""
    x = Value(X_START, label="x")
    optimizer = optim.SGD([x], lr=lr)
    path = [x.data]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = x * x
        loss.backward()
        optimizer.step()
        path.append(x.data)
    return np.array(path)


def train_mlp(X, targets, start, lr, steps):
    """Full-batch SGD on the MSE; stops at the first non-finite loss. Returns (losses, message)."""
    model = MLP([2, 16, 16, 1])
    model.load_state_dict(start)               # every learning rate starts from these weights
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    # A diverging run overflows on purpose; its first inf is reported below, so silence
    # NumPy's overflow warnings inside the loop.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            loss = F.mse_loss(model(X), targets)
            if not math.isfinite(loss.item()):
                return losses, (f"the loss became {loss.item()} at step {step} (the numbers "
                                f"overflowed float64): the learning rate {lr} is too large")
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return losses, None



def plot(paths, curves, path, dpi=100):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (curve, sizes, mlp) = plt.subplots(1, 3, figsize=(13, 4.6))  # README width
    xs = np.linspace(-4, 4, 200)
    curve.plot(xs, xs ** 2, color="black", linewidth=1, label="f(x) = x²")
    for i, (name, run) in enumerate(paths.items()):
        shown = run["path"][np.abs(run["path"]) <= 4]    # the steps that fit in the window
        shown = run["path"][: len(shown)]
        curve.plot(shown, shown ** 2, marker="o", markersize=4, linewidth=1, color=f"C{i}",
                   label=f"η = {run['lr']} ({name})")
    curve.set_xlim(-4, 4)
    curve.set_ylim(-0.5, 16)
    curve.set_xlabel("x")
    curve.set_ylabel("f(x)")
    curve.set_title(f"Gradient descent on x², from x = {X_START}")
    curve.legend(fontsize=8, loc="lower left")

    for i, (name, run) in enumerate(paths.items()):
        sizes.semilogy(np.abs(run["path"]), marker="o", markersize=3, color=f"C{i}",
                       label=f"η = {run['lr']}: |x| × {abs(1 - 2 * run['lr']):.2f} per step")
    sizes.set_xlabel("step")
    sizes.set_ylabel("|x|  (distance to the minimum)")
    sizes.set_title("Each step multiplies x by (1 − 2η)")
    sizes.legend(fontsize=8)
    sizes.grid(True, alpha=0.3)

    for i, (name, run) in enumerate(curves.items()):
        losses = run["losses"]
        label = f"η = {run['lr']} ({name})"
        if run["message"]:
            label += f": stopped at step {len(losses)}"
        mlp.semilogy(losses, color=f"C{i}", label=label)
        if run["message"]:  # it leaves the window: mark where, and say how far it went
            mlp.plot(len(losses) - 1, TOP, marker="^", markersize=9, color=f"C{i}",
                     clip_on=False)
            mlp.annotate(f"loss {losses[-1]:.1e} at step {len(losses) - 1},\nthen not finite",
                         (len(losses) - 1, TOP), xytext=(12, -28), textcoords="offset points",
                         fontsize=8, color=f"C{i}")
    lowest = min(min(run["losses"]) for run in curves.values() if run["losses"])
    mlp.set_ylim(lowest / 2, TOP)
    mlp.set_xlabel("step (full batch)")
    mlp.set_ylabel("MSE on all points")
    mlp.set_title("MLP on two moons: three rates, same start")
    mlp.legend(fontsize=8)
    mlp.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="MLP training steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNGs")
    parser.add_argument("--quick", action="store_true", help="80 MLP steps, for a smoke test")
    args = parser.parse_args(argv)
    mlp_steps = min(args.steps, 80) if args.quick else args.steps

    print(f"f(x) = x², x₀ = {X_START}: one step is x ← (1 − 2η)·x")
    paths = {}
    for name, lr in PARABOLA_RATES.items():
        path = descend_parabola(lr, 30)
        diverged = bool(abs(path[-1]) > abs(path[0]))
        paths[name] = {"lr": lr, "path": path, "final_abs_x": float(abs(path[-1])),
                       "diverged": diverged}
        verdict = "diverges: each step overshoots further" if diverged else "converges"
        print(f"  η = {lr:<5}: × {1 - 2 * lr:+.2f} per step, x₃₀ = {path[-1]:+.4g}  ({name}, "
              f"{verdict})")

    tinygrad_edu.manual_seed(args.seed)
    X, labels = make_moons(n_samples=200, noise=0.1, seed=args.seed)
    targets = (2.0 * labels - 1.0)[:, None]       # the labels as ±1, one column like the output
    start = MLP([2, 16, 16, 1]).state_dict()
    print(f"\nMLP 2-16-16-1 on {len(X)} two-moons points, MSE to ±1 labels, full-batch SGD, "
          f"{mlp_steps} steps, same initial weights")
    curves = {}
    for name, lr in MLP_RATES.items():
        losses, message = train_mlp(X, targets, start, lr, mlp_steps)
        curves[name] = {"lr": lr, "losses": losses, "message": message,
                        "diverged_at": len(losses) if message else None}
        if message:
            print(f"  η = {lr:<5}: stopped — {message} (loss was {losses[-1]:.3g} one step "
                  f"before)")
        else:
            print(f"  η = {lr:<5}: loss {losses[0]:.4f} → {losses[-1]:.4f} ({name})")
    factors = {name: abs(1 - 2 * lr) for name, lr in PARABOLA_RATES.items()}
    print("\nWhat to look at (14_learning_rate.png): on x² each step multiplies |x| by "
          "|1 − 2η|:\n  " + ", ".join(f"{factors[k]:.2f} ({k})" for k in PARABOLA_RATES)
          + "; below 1 it converges (faster the nearer 0),\n  above 1 it diverges: the middle "
          "panel's straight lines on a log scale.\n  The MLP behaves alike: too small crawls, too large blows "
          "up (the demo stops it with a message).")
    result = {"parabola": paths, "mlp": curves}

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "14_learning_rate.png")
    plot(paths, curves, path, dpi=args.dpi)
    print(f"\npicture written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
