"""Local minima on Rastrigin: plain SGD stops in the first dimple, momentum can roll over bumps.

Rastrigin's function is a bowl covered in a grid of bumps, with a local minimum near every
integer point (x, y) and the global one at (0, 0). Nine runs start on a 3 x 3 grid of points
and each is made twice, with the same learning rate: plain SGD and SGD with momentum 0.95.
Plain gradient descent only ever goes downhill, so it ends in the dimple it started in —
every time. The heavy ball of momentum keeps the speed it gained while falling: started
high on a bump's flank it rolls over the next bump (or several) and settles nearer the
middle. Started low in a dimple (the middle start) it never gains that speed and stays
trapped too: momentum is not a global optimizer, it just ignores *shallow* obstacles.

    python demos/16_local_minima.py         # or: tinygrad-edu demo local_minima

Prints where each run ended (the nearest integer point names the local minimum) and its
final f; writes both sets of paths to ``<out>/16_local_minima.png``. ``--seed`` moves the
nine starts by up to ±0.03: the counts stay the same.
"""
import argparse
import os

import numpy as np

from tinygrad_edu import optim
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

# Starts: two on the inner flank of a bump (high up, a little inside the crest at ±3.5 or ±4.5),
# one low in the dimple at 1; the 3 x 3 grid takes every (x, y) pair of these.
GRID = (-4.45, 1.2, 3.45)
LR = 0.003         # plain SGD is stable below 2/λ_max ≈ 2/397 at the bottom of a dimple
MOMENTUM = 0.95


def dimple(point):
    """The local minimum a point belongs to, named by its nearest integer point (x, y)."""
    return tuple(int(round(c)) for c in point)


def starts_for(seed):
    """The 3 x 3 grid of starts, each moved by up to ±0.03 (reproducible from ``seed``)."""
    jitter = np.random.default_rng(seed).uniform(-0.03, 0.03, size=(9, 2))
    grid = np.array([(x, y) for y in GRID[::-1] for x in GRID])
    return [tuple(float(c) for c in p) for p in grid + jitter]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="60 steps, for a smoke test")
    args = parser.parse_args(argv)
    steps = 60 if args.quick else args.steps

    f = LANDSCAPES["rastrigin"]
    makers = {"SGD": lambda p: optim.SGD(p, lr=LR),
              "SGD momentum": lambda p: optim.SGD(p, lr=LR, momentum=MOMENTUM)}
    print(f"Rastrigin: f(x, y) = {f.formula}; global minimum f(0, 0) = 0.")
    print(f"9 starts, {steps} steps each; SGD lr={LR} vs SGD lr={LR}, momentum={MOMENTUM}\n")

    starts = starts_for(args.seed)
    paths = {name: [] for name in makers}
    runs = []
    for start in starts:
        row = {"start": start, "home": dimple(start)}
        for name, make in makers.items():
            path = run_optimizer(f, make, steps=steps, start=start)
            if np.isnan(path).any():
                raise SystemExit(f"{name} from {start} left the map (non-finite point); "
                                 f"lower the learning rate (now {LR})")
            end = tuple(path[-1].tolist())
            paths[name].append(path)
            row[name] = {"end": end, "minimum": dimple(end), "f": float(f(*end))}
        runs.append(row)

    print(f"{'start':>17s} | {'SGD ends in':>12s} {'f':>7s} | {'momentum ends in':>16s} {'f':>7s}")
    for row in runs:
        sgd, mom = row["SGD"], row["SGD momentum"]
        escaped = "  (escaped)" if mom["minimum"] != row["home"] else ""
        print(f"({row['start'][0]:6.2f}, {row['start'][1]:5.2f}) | {str(sgd['minimum']):>12s} "
              f"{sgd['f']:7.3f} | {str(mom['minimum']):>16s} {mom['f']:7.3f}{escaped}")

    stuck = {name: sum(row[name]["minimum"] == row["home"] for row in runs) for name in makers}
    mean_f = {name: float(np.mean([row[name]["f"] for row in runs])) for name in makers}
    at_global = {name: sum(row[name]["minimum"] == (0, 0) for row in runs) for name in makers}
    for name in makers:
        print(f"{name:13s}: {stuck[name]}/9 runs stayed in the dimple they started in, "
              f"{at_global[name]} reached the global minimum, mean final f {mean_f[name]:.3f}")
    print("\nWhat to look at (16_local_minima.png): on the left every path stops in the dimple "
          "it started in;\non the right most roll on. Plain SGD only goes downhill, so it "
          "stops at the first minimum. Momentum keeps\nthe speed it gained falling from high "
          "up the flank and carries it over the next bump; from low in a\ndimple there is no "
          "speed to gain, and it is trapped as well.")
    result = {"runs": runs, "stuck": stuck, "mean_f": mean_f, "at_global": at_global,
              "steps": steps}

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    from tinygrad_edu.viz import plot_trajectories
    os.makedirs(args.out, exist_ok=True)
    figure, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    for ax, name in zip(axes, makers):
        plot_trajectories(f, paths[name], ax=ax)
        ax.set_title(f"{name} (lr={LR}" + (f", momentum={MOMENTUM})" if "momentum" in name
                                            else ")") + f": {stuck[name]}/9 stay in their dimple",
                     fontsize=10)
        ax.get_legend().remove()       # nine paths: the title and the table say where they went
        ax.set_aspect("equal")
    figure.suptitle("Rastrigin: the same nine starts, without and with momentum")
    figure.tight_layout()
    path = os.path.join(args.out, "16_local_minima.png")
    figure.savefig(path, dpi=80)
    plt.close(figure)
    print(f"\ntrajectories written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
