"""Nine optimizers race on three landscapes: a saddle, a narrow valley and Rosenbrock's banana.

Each optimizer moves the point (x, y) downhill on a function of two variables, so its whole
path fits in one picture and its *character* shows:

* **saddle** x² − y², starting almost on the ridge (y = 0.001): the gradient in y is tiny, so
  plain SGD slides down to the saddle point and lingers there (|y| passes 1 only at step 73);
  momentum builds up speed and leaves sooner (step 27); the adaptive methods (AdaGrad,
  RMSprop, Adam, AdaBelief) divide by the gradient's size, so even a tiny gradient gets a
  sizeable step and they leave soonest (steps 15-21). Lion moves by ±η in each coordinate
  (the *sign* of its momentum), so it walks off at a constant pace.
* **ill_conditioned** x²/20 + y²: curvature 20× larger across the valley than along it. SGD
  with a learning rate near its limit (η < 1 for curvature 2) bounces from wall to wall — a
  smaller η would stop the bouncing but crawl along x, each step shrinking x by only η/10;
  momentum averages the zig-zag into a curve (and overshoots: it has inertia); the adaptive
  methods rescale each coordinate and head more directly for the minimum. Lion moves every
  coordinate by exactly ±η per step, so it sets off diagonally at 45°, whatever the
  gradient's size; its slowly-fading memory (β₂ = 0.99) carries it past the minimum before
  it turns back and hovers within about η of it.
* **rosenbrock** (1 − x)² + 100(y − x²)²: everyone finds the curved valley fast; following its
  nearly flat floor to (1, 1) is the test. SGD crawls; momentum runs along it; AdaGrad's
  step keeps shrinking (it divides by the *sum* of all past squared gradients) and stalls;
  RMSprop (no momentum) rattles along the floor; Adam and AdaBelief get there; Lion walks
  the valley at its constant pace. AdamW here has weight_decay=0.1 (ten times PyTorch's
  default, to make it visible): the decoupled decay pulls the point toward (0, 0) every
  step, and it settles where that pull balances the gradient, around (0.68, 0.46) — weight
  decay changes the problem's minimum (with the default 0.01 it settles near (0.986, 0.971)).

The learning rates are tuned by hand per landscape (the paths need very different scales:
Rosenbrock's gradients are in the hundreds, the saddle's near zero), each chosen so the run
shows its typical behaviour rather than to crown a winner:

==============  ======  ================  ==========  =====================================
optimizer       saddle  ill_conditioned   rosenbrock  settings
==============  ======  ================  ==========  =====================================
SGD             0.05    0.95              0.001       plain gradient descent
Momentum        0.05    0.1               0.001       SGD, momentum=0.9
Nesterov        0.05    0.1               0.001       SGD, momentum=0.9, nesterov=True
AdaGrad         0.1     1.0               0.3         Adagrad defaults
RMSprop         0.01    0.1               0.01        alpha=0.99
Adam            0.05    0.3               0.05        betas=(0.9, 0.999)
AdamW           0.05    0.3               0.05        weight_decay=0.1
AdaBelief       0.05    0.3               0.05        betas=(0.9, 0.999)
Lion            0.05    0.3               0.005       betas=(0.9, 0.99)
==============  ======  ================  ==========  =====================================

Steps: saddle 100, ill_conditioned 60, rosenbrock 1000. Prints a table per landscape: final
loss, distance to the nearest minimum (the saddle has none: there it prints |y|, how far the
point got off the ridge, and the step at which |y| first passed 1). Writes
``15_optimizer_race.png`` (one panel per landscape), and per landscape a larger PNG and a
GIF of the race (``15_optimizer_race_<landscape>.png/.gif``).

    python demos/15_optimizer_race.py            # or: tinygrad-edu demo optimizer_race
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu import optim
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

# name -> function(lr) -> make_optimizer(params): the optimizer's settings apart from lr
OPTIMIZERS = {
    "SGD": lambda lr: lambda p: optim.SGD(p, lr=lr),
    "Momentum": lambda lr: lambda p: optim.SGD(p, lr=lr, momentum=0.9),
    "Nesterov": lambda lr: lambda p: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda lr: lambda p: optim.Adagrad(p, lr=lr),
    "RMSprop": lambda lr: lambda p: optim.RMSprop(p, lr=lr),
    "Adam": lambda lr: lambda p: optim.Adam(p, lr=lr),
    "AdamW": lambda lr: lambda p: optim.AdamW(p, lr=lr, weight_decay=0.1),
    "AdaBelief": lambda lr: lambda p: optim.AdaBelief(p, lr=lr),
    "Lion": lambda lr: lambda p: optim.Lion(p, lr=lr),
}

# landscape -> (steps, {optimizer: learning rate}); the table in the docstring
RACES = {
    "saddle": (100, {"SGD": 0.05, "Momentum": 0.05, "Nesterov": 0.05, "AdaGrad": 0.1,
                     "RMSprop": 0.01, "Adam": 0.05, "AdamW": 0.05, "AdaBelief": 0.05,
                     "Lion": 0.05}),
    "ill_conditioned": (60, {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.0,
                             "RMSprop": 0.1, "Adam": 0.3, "AdamW": 0.3, "AdaBelief": 0.3,
                             "Lion": 0.3}),
    "rosenbrock": (1000, {"SGD": 0.001, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.3,
                          "RMSprop": 0.01, "Adam": 0.05, "AdamW": 0.05, "AdaBelief": 0.05,
                          "Lion": 0.005}),
}
QUICK_STEPS = 3


def last_point(path):
    """The last finite row of a path (a diverged run ends in NaN rows)."""
    finite = path[np.isfinite(path).all(axis=1)]
    return finite[-1]


def summarise(landscape, path):
    """Final loss, distance to the nearest minimum, and (saddle) how the point left the ridge."""
    x, y = last_point(path)
    row = {"final_loss": float(landscape(float(x), float(y))),
           "diverged": bool(np.isnan(path).any()), "final_point": (float(x), float(y))}
    if landscape.minima:
        row["distance"] = float(min(math.hypot(x - mx, y - my) for mx, my in landscape.minima))
    else:
        row["distance"] = None
        off_ridge = np.flatnonzero(np.abs(path[:, 1]) > 1.0)
        row["abs_y"] = float(abs(y))
        row["escape_step"] = int(off_ridge[0]) if off_ridge.size else None
    return row


def print_table(name, steps, rates, rows):
    print(f"\n{name} ({LANDSCAPES[name].formula}), {steps} steps from {LANDSCAPES[name].start}")
    if name == "saddle":
        print(f"  {'optimizer':10s} {'lr':>6s} {'final loss':>12s} {'|y| at end':>11s} "
              f"{'first step with |y| > 1':>24s}")
        for opt, row in rows.items():
            escaped = "never" if row["escape_step"] is None else str(row["escape_step"])
            print(f"  {opt:10s} {rates[opt]:6g} {row['final_loss']:12.4g} {row['abs_y']:11.4g} "
                  f"{escaped:>24s}")
    else:
        print(f"  {'optimizer':10s} {'lr':>6s} {'final loss':>12s} {'distance to minimum':>20s}"
              f"  {'final (x, y)':>18s}")
        for opt, row in rows.items():
            note = "  (diverged)" if row["diverged"] else ""
            x, y = row["final_point"]
            print(f"  {opt:10s} {rates[opt]:6g} {row['final_loss']:12.4g} "
                  f"{row['distance']:20.4g}  ({x:7.3f}, {y:7.3f}){note}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0,
                        help="unused (the runs are deterministic); kept for a uniform CLI")
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNGs")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_STEPS} steps per race, for a smoke test")
    parser.add_argument("--no-gif", action="store_true", help="skip the animations")
    args = parser.parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)

    paths, tables = {}, {}
    for name, (steps, rates) in RACES.items():
        steps = QUICK_STEPS if args.quick else steps
        landscape = LANDSCAPES[name]
        paths[name] = {opt: run_optimizer(landscape, OPTIMIZERS[opt](lr), steps=steps)
                       for opt, lr in rates.items()}
        tables[name] = {opt: summarise(landscape, path) for opt, path in paths[name].items()}
        print_table(name, steps, rates, tables[name])
    result = {"paths": paths, "tables": tables, "files": []}

    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        print('\nmatplotlib is not installed: no pictures (pip install "tinygrad_edu[viz]")')
        return result
    import matplotlib.pyplot as plt
    from tinygrad_edu.viz import animate_trajectories, plot_trajectories

    os.makedirs(args.out, exist_ok=True)
    figure, axes = plt.subplots(1, len(RACES), figsize=(18, 5.5))
    for ax, name in zip(axes, RACES):
        plot_trajectories(LANDSCAPES[name], paths[name], ax=ax)
        ax.legend(fontsize=7, loc="lower left", ncol=2, framealpha=0.8)
    figure.tight_layout()
    path = os.path.join(args.out, "15_optimizer_race.png")
    figure.savefig(path, dpi=args.dpi)
    plt.close(figure)
    print(f"\npaths written to {path}")
    result["image"] = path
    result["files"].append(path)
    for name in RACES:             # each landscape on its own, larger
        single = os.path.join(args.out, f"15_optimizer_race_{name}.png")
        plot_trajectories(LANDSCAPES[name], paths[name]).savefig(single, dpi=args.dpi)
        print(f"paths on {name} written to {single}")
        result["files"].append(single)
        result.setdefault("images", {})[name] = single
    if args.no_gif:
        return result
    try:
        for name in RACES:
            gif = os.path.join(args.out, f"15_optimizer_race_{name}.gif")
            animate_trajectories(LANDSCAPES[name], paths[name], gif, fps=15, max_frames=60)
            print(f"animation written to {gif}")
            result["files"].append(gif)
            result.setdefault("gifs", {})[name] = gif
    except ImportError as error:   # pillow missing: the still picture is there anyway
        print(f"no animations: {error}")
    return result


if __name__ == "__main__":
    main()
