"""Learning-rate schedules: nine ways to change the rate while training, and what each does.

The same MLP (2-32-32-3, ReLU) learns three spirals from the same start, on the same
mini-batches, with SGD + momentum 0.9 at a base rate of 0.1; only the schedule differs. Every
scheduler is stepped once per epoch, after the epoch's ``optimizer.step()`` calls:

===========================  ==============================================================
schedule                     the rate at epoch t (η = 0.1, T = number of epochs)
===========================  ==============================================================
constant                     η, no scheduler (the reference, grey in every panel)
StepLR                       η · 0.3^⌊t / (T/3)⌋: two drops
MultiStepLR                  η · 0.1 at T/2, η · 0.01 at 3T/4
ExponentialLR                η · 0.9^t: a drop of 10% every epoch
CosineAnnealingLR            η · (1 + cos(π t / T)) / 2: smoothly down to 0
OneCycleLR                   up to 3η in the first 30% (momentum down), then down to ~0
warm-up + cosine             LinearLR from η/10 to η over T/10 epochs, then cosine
                             (``SequentialLR`` joins the two at a milestone)
ReduceLROnPlateau            η · 0.3 each time the loss has not improved for 3 epochs
LambdaLR (a callable)        η / (1 + t/4): the textbook 1/t decay, any function you write
===========================  ==============================================================

What it shows (numbers printed at the end):

* at a constant rate the loss keeps wobbling from epoch to epoch: the noise of the
  mini-batch gradients times a rate that never shrinks. Every schedule that brings the rate
  down ends on a steady loss (the spread over the last five epochs is far smaller);
* decaying too early or too fast (ExponentialLR, the 1/t LambdaLR) freezes the weights
  before they have learned: a steady loss, but a high one;
* OneCycleLR goes *higher* than the base rate first (fast progress while the loss is high),
  then anneals: here it ends with the lowest loss;
* ReduceLROnPlateau needs no plan in epochs: it watches the loss you pass to ``step(loss)``.

What it does not show: the best schedule for your problem (that depends on the model, the
data and the base rate — a range test, demo 18, finds the latter).

    python demos/21_lr_schedules.py      # or: tinygrad-edu demo lr_schedules

Writes ``<out>/21_lr_schedules.png``: the rate (top) and the loss (bottom) per epoch, one
column per family of schedules.
"""
import argparse
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset, make_spirals
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import SGD
from tinygrad_edu.optim import lr_scheduler as schedules
from tinygrad_edu.viz import save_figure

LR = 0.1
EPOCHS, QUICK_EPOCHS = 40, 8


def inverse_time(epoch):
    """The callable for LambdaLR: the factor 1 / (1 + t/4) by which the base rate is scaled."""
    return 1.0 / (1.0 + epoch / 4)


def make_schedules(epochs):
    """name -> function(optimizer) -> scheduler (None: the rate stays constant)."""
    warm = max(1, epochs // 10)
    return {
        "constant": lambda o: None,
        "StepLR": lambda o: schedules.StepLR(o, step_size=max(1, epochs // 3), gamma=0.3),
        "MultiStepLR": lambda o: schedules.MultiStepLR(o, milestones=[epochs // 2,
                                                                      3 * epochs // 4],
                                                       gamma=0.1),
        "ExponentialLR": lambda o: schedules.ExponentialLR(o, gamma=0.9),
        "CosineAnnealingLR": lambda o: schedules.CosineAnnealingLR(o, T_max=epochs),
        "OneCycleLR": lambda o: schedules.OneCycleLR(o, max_lr=3 * LR, total_steps=epochs + 1),
        "warm-up + cosine": lambda o: schedules.SequentialLR(
            o, [schedules.LinearLR(o, start_factor=0.1, total_iters=warm),
                schedules.CosineAnnealingLR(o, T_max=epochs - warm)], milestones=[warm]),
        "ReduceLROnPlateau": lambda o: schedules.ReduceLROnPlateau(o, factor=0.3, patience=3),
        "LambdaLR (1/t)": lambda o: schedules.LambdaLR(o, inverse_time),
    }


# One column of the picture per family; "constant" is drawn in every column for reference.
FAMILIES = {"step-wise decay": ["StepLR", "MultiStepLR", "ExponentialLR"],
            "smooth: cosine, one cycle, warm-up": ["CosineAnnealingLR", "OneCycleLR",
                                                   "warm-up + cosine"],
            "reactive and callable": ["ReduceLROnPlateau", "LambdaLR (1/t)"]}
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def evaluate(model, X, y):
    with tinygrad_edu.no_grad():
        logits = model(X)
        return F.cross_entropy(logits, y).item(), float((logits.data.argmax(axis=1) == y).mean())


def train(model, make_scheduler, X, y, epochs, seed):
    """Train with one schedule; the rate used in each epoch and the loss after it."""
    optimizer = SGD(model.parameters(), lr=LR, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=seed)
    rates, losses = [], [evaluate(model, X, y)[0]]
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        losses.append(evaluate(model, X, y)[0])
        if isinstance(scheduler, schedules.ReduceLROnPlateau):
            scheduler.step(losses[-1])          # it watches a number you give it
        elif scheduler is not None:
            scheduler.step()
    return rates, losses, evaluate(model, X, y)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_EPOCHS} epochs, for a smoke test")
    args = parser.parse_args(argv)
    epochs = QUICK_EPOCHS if args.quick else EPOCHS

    tinygrad_edu.manual_seed(args.seed)
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=args.seed)
    model = MLP([2, 32, 32, 3])
    start = model.state_dict()
    print(f"{len(X)} spiral points, MLP [2, 32, 32, 3], SGD momentum 0.9 at base rate {LR}, "
          f"{epochs} epochs of batches of 32; the same start and batches for every schedule\n")
    runs = {}
    for name, make in make_schedules(epochs).items():
        model.load_state_dict(start)
        rates, losses, accuracy = train(model, make, X, y, epochs, args.seed)
        runs[name] = {"lrs": rates, "losses": losses, "final_loss": losses[-1],
                      "accuracy": accuracy, "wobble": float(np.std(losses[-5:])),
                      "final_lr": rates[-1]}
    print(f"{'schedule':18s} {'last rate':>10s} {'final loss':>10s} {'accuracy':>8s} "
          f"{'wobble (std, last 5 epochs)':>28s}")
    for name, run in runs.items():
        print(f"{name:18s} {run['final_lr']:10.3g} {run['final_loss']:10.4f} "
              f"{run['accuracy']:8.1%} {run['wobble']:28.4f}")
    decaying = ["StepLR", "MultiStepLR", "CosineAnnealingLR", "warm-up + cosine"]
    best = min(runs, key=lambda k: runs[k]["final_loss"])
    print("\nWhat to look at (21_lr_schedules.png: the rate on top, the loss below):\n"
          f"  constant rate: the loss still wobbles at the end (std {runs['constant']['wobble']:.4f}"
          f" over the last 5 epochs);\n  the schedules that bring the rate down end steady "
          f"(std {max(runs[k]['wobble'] for k in decaying):.4f} or less).\n"
          f"  Decaying too fast freezes the weights early: ExponentialLR ends at loss "
          f"{runs['ExponentialLR']['final_loss']:.3f}, 1/t at "
          f"{runs['LambdaLR (1/t)']['final_loss']:.3f},\n  cosine at "
          f"{runs['CosineAnnealingLR']['final_loss']:.3f}. Lowest final loss: {best} "
          f"({runs[best]['final_loss']:.4f}).")
    result = {"runs": runs, "epochs": epochs, "base_lr": LR, "best": best}

    path = save_figure(lambda plt: plot(runs, plt), os.path.join(args.out, "21_lr_schedules.png"),
                       dpi=args.dpi, what="rates and losses")
    if path:
        result["image"] = path
    return result


def plot(runs, plt):
    """Rates (top row) and losses (bottom row), one column per family, constant in grey."""
    figure, axes = plt.subplots(2, len(FAMILIES), figsize=(12, 6.4), sharex=True,
                                layout="constrained")
    reference = runs["constant"]
    for col, (family, members) in enumerate(FAMILIES.items()):
        top, bottom = axes[0, col], axes[1, col]
        for ax, key in ((top, "lrs"), (bottom, "losses")):
            start = 0 if key == "lrs" else 0
            ax.plot(np.arange(start, start + len(reference[key])), reference[key],
                    color="0.55", linestyle="--", linewidth=1.5, label="constant")
            for name, color in zip(members, COLORS):
                ax.plot(np.arange(start, start + len(runs[name][key])), runs[name][key],
                        color=color, linewidth=2.0, label=name)
            ax.grid(True, alpha=0.3)
        top.set_ylabel("learning rate" if col == 0 else "")
        bottom.set_ylabel("cross-entropy, all points (log)" if col == 0 else "")
        bottom.set_yscale("log")
        bottom.set_xlabel("epoch")
        top.set_title(family, fontsize=10)
        top.legend(loc="lower center", bbox_to_anchor=(0.5, 1.12), ncol=2, fontsize=8,
                   frameon=False)
    figure.suptitle("Same MLP, start and batches; only the learning-rate schedule differs",
                    fontsize=11)
    return figure


if __name__ == "__main__":
    main()
