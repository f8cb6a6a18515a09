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
``15_optimizer_race.png`` (small multiples: a row per landscape, a column per family of
optimizers), ``15_saddle_3d.png`` (the saddle as a surface with three paths on it), and per landscape a larger PNG and a
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
from tinygrad_edu.viz.plots import PATH_COLORS, landscape_colorbar

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

# Small multiples: one column per family, at most three paths per panel, and one colour per
# optimizer in every panel (distinct qualitative colours: no two paths look alike).
FAMILIES = {"SGD and momentum": ["SGD", "Momentum", "Nesterov"],
            "adaptive step sizes": ["AdaGrad", "RMSprop", "Adam"],
            "Adam's descendants and Lion": ["AdamW", "AdaBelief", "Lion"]}
COLORS = dict(zip(OPTIMIZERS, PATH_COLORS))


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


def tell_story(tables):
    """What to look at in the pictures, with the numbers that show it."""
    saddle, valley, banana = (tables[k] for k in ("saddle", "ill_conditioned", "rosenbrock"))
    escape = {k: ("never" if saddle[k]["escape_step"] is None else saddle[k]["escape_step"])
              for k in ("SGD", "Momentum", "Adam")}
    print("\nWhat to look at (15_optimizer_race.png: one row per landscape, one column per "
          "family):\n"
          f"  saddle: plain SGD lingers on the ridge (|y| > 1 at step {escape['SGD']}), momentum "
          f"leaves sooner (step {escape['Momentum']}), Adam\n"
          f"    sooner still (step {escape['Adam']}): it divides the tiny gradient by its own "
          "size.\n"
          f"  valley: SGD zig-zags across the narrow direction (ends {valley['SGD']['distance']:.3g}"
          f" from the minimum); Adam rescales\n    each coordinate "
          f"({valley['Adam']['distance']:.3g} away).\n"
          f"  banana: momentum follows the curved floor to (1, 1) (ends "
          f"{banana['Momentum']['distance']:.3g} away); SGD and AdaGrad\n    crawl "
          f"({banana['SGD']['distance']:.3g} and {banana['AdaGrad']['distance']:.3g} away); "
          f"AdamW's weight decay moves its resting point ({banana['AdamW']['distance']:.3g}).")


def plot_race(paths, plt):
    """Small multiples: landscapes in rows, optimizer families in columns, a legend per column
    above it, and a colour bar per row (the landscape's scale)."""
    from tinygrad_edu.viz import plot_trajectories

    figure, axes = plt.subplots(len(RACES), len(FAMILIES), figsize=(12, 11.5),
                                layout="constrained")
    for row, name in enumerate(RACES):
        for col, (family, members) in enumerate(FAMILIES.items()):
            ax = axes[row, col]
            plot_trajectories(LANDSCAPES[name], {m: paths[name][m] for m in members}, ax=ax,
                              colors=COLORS, colorbar=False, legend=False)
            ax.set_title(f"{name}: {LANDSCAPES[name].formula}" if col == 0 else name,
                         fontsize=10)
            if row == 0:
                handles, labels = ax.get_legend_handles_labels()
                ax.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.12),
                          ncol=len(labels), fontsize=9, title=family, title_fontsize=10,
                          handlelength=1.5, columnspacing=1.0, frameon=False)
    for row in axes:               # one colour bar per row: the landscape's scale
        filled = next(c for c in row[-1].collections if getattr(c, "filled", False))
        landscape_colorbar(filled, list(row))
    for ax in axes.ravel():        # overlapping paths: the first widest, so each one shows
        for line in ax.lines:
            if line.get_label() in COLORS:
                rank = [m for ms in FAMILIES.values() for m in ms].index(line.get_label()) % 3
                line.set_linewidth((3.6, 2.2, 1.0)[rank])
                line.set_markersize((3.0, 2.0, 1.2)[rank])
    return figure


def plot_saddle_3d(paths, plt, shown=("SGD", "Momentum", "Adam")):
    """The saddle f = x² − y² as a surface, with three paths lifted onto it (z = f(x, y))."""
    saddle = LANDSCAPES["saddle"]
    (xmin, xmax), (ymin, ymax) = saddle.bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, 60), np.linspace(ymin, ymax, 60))
    figure = plt.figure(figsize=(7, 5.5), layout="constrained")
    ax = figure.add_subplot(projection="3d", computed_zorder=False)  # paths always on top
    surface = ax.plot_surface(xs, ys, saddle(xs, ys), cmap="Greys", alpha=0.6, linewidth=0.2,
                              edgecolor="white", antialiased=True, zorder=1)
    for name in shown:
        path = paths[name]
        inside = np.flatnonzero((np.abs(path[:, 0]) > xmax) | (np.abs(path[:, 1]) > ymax))
        path = path[: inside[0]] if inside.size else path     # up to where it leaves the box
        ax.plot(path[:, 0], path[:, 1], saddle(path[:, 0], path[:, 1]) + 0.05, color=COLORS[name],
                linewidth=2.2, marker="o", markersize=2.5, label=name, zorder=5)
    start = paths[shown[0]][0]
    ax.scatter(*start, saddle(*start), color="black", s=40, label="start", depthshade=False)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("f(x, y)")
    ax.view_init(elev=28, azim=-60)
    bar = figure.colorbar(surface, ax=ax, shrink=0.6, pad=0.1)
    bar.set_label("f(x, y) = x² − y²")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 1.0), fontsize=9)
    ax.set_title("The saddle x² − y²: down the ridge in x, then off it in y", fontsize=11)
    return figure


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
    tell_story(tables)

    os.makedirs(args.out, exist_ok=True)
    figure = plot_race(paths, plt)
    path = os.path.join(args.out, "15_optimizer_race.png")
    figure.savefig(path, dpi=args.dpi)
    plt.close(figure)
    print(f"\npaths written to {path}")
    result["image"] = path
    result["files"].append(path)
    figure = plot_saddle_3d(paths["saddle"], plt)
    surface = os.path.join(args.out, "15_saddle_3d.png")
    figure.savefig(surface, dpi=args.dpi)
    plt.close(figure)
    print(f"the saddle as a surface, with three paths on it, written to {surface}")
    result["surface_image"] = surface
    result["files"].append(surface)
    for name in RACES:             # each landscape on its own, larger
        single = os.path.join(args.out, f"15_optimizer_race_{name}.png")
        plot_trajectories(LANDSCAPES[name], paths[name], colors=COLORS).savefig(single,
                                                                                dpi=args.dpi)
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
