"""The learning-rate range test: sweep the rate from tiny to huge once, pick one, check it.

``tinygrad_edu.optim.lr_range_test`` trains an MLP on three spirals for ~100 mini-batches
while the learning rate grows exponentially (Leslie Smith, 2017). The smoothed loss first
stays flat (the rate is too small to move anything), then falls faster and faster, then
blows up. The suggestion is the rate where it falls fastest. The test does not train the
model: its weights and the optimizer's state are put back afterwards — the demo compares
``state_dict()`` before and after. Then three short trainings from the same weights and batches check the suggestion:
the suggested rate against ten times less (slow) and ten times more (unstable or worse).

    python demos/18_lr_range_test.py     # or: tinygrad-edu demo lr_range_test

Writes ``<out>/18_lr_range_test.png``: loss against learning rate (log x) with the suggestion
marked, and the three training curves.
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset, make_spirals
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import SGD, lr_range_test

START_LR, END_LR = 1e-4, 10.0
BATCH_SIZE = 150     # two shuffled batches per epoch: less noise in the range test's curve


def evaluate(model, X, y):
    with tinygrad_edu.no_grad():
        return F.cross_entropy(model(X), y).item()


def train(model, lr, loader, X, y, epochs):
    """SGD with momentum 0.9 at a fixed ``lr``; the full-data loss after each epoch.

    Stops early (and says so) when a batch's loss is no longer finite: a diverged run."""
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = [evaluate(model, X, y)]
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            if not math.isfinite(loss.item()):
                print(f"  lr={lr:.3g}: the loss became {loss.item()} in epoch {epoch + 1}: "
                      f"diverged, run stopped")
                return losses, True
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(evaluate(model, X, y))
        if not math.isfinite(losses[-1]):
            losses.pop()
            print(f"  lr={lr:.3g}: the loss on all points became non-finite after epoch "
                  f"{epoch + 1}: diverged, run stopped")
            return losses, True
    return losses, False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--num-iter", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="a short sweep and 2 epochs")
    args = parser.parse_args(argv)
    epochs = 2 if args.quick else args.epochs
    num_iter = 30 if args.quick else args.num_iter

    tinygrad_edu.manual_seed(args.seed)
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=args.seed)
    model = MLP([2, 32, 32, 3])
    optimizer = SGD(model.parameters(), lr=0.01, momentum=0.9)

    def loader():                       # the same shuffles, epoch by epoch, for every run
        return DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, seed=args.seed)

    before = model.state_dict()
    result = lr_range_test(model, optimizer, F.cross_entropy, loader(), start_lr=START_LR,
                           end_lr=END_LR, num_iter=num_iter)
    after = model.state_dict()
    restored = max(float(np.abs(after[k] - before[k]).max()) for k in before)
    print(f"range test: {len(result.lrs)} steps, lr {result.lrs[0]:.1e} -> "
          f"{result.lrs[-1]:.2e}" + (" (stopped early: the loss diverged)" if result.diverged
                                     else ""))
    print(f"smoothed loss from {result.losses[0]:.4f} down to {min(result.losses):.4f}")
    print(f"weights after the test vs before: max |difference| = {restored} "
          f"(the test put them back)")
    print(f"optimizer lr after the test: {optimizer.param_groups[0]['lr']} (as before)")
    if result.suggestion is None:
        raise SystemExit("the range test found no learning rate at which the loss falls; "
                         "widen --num-iter or check the data")
    suggestion = result.suggestion
    print(f"suggested learning rate (steepest descent of the smoothed loss): {suggestion:.3g}")
    print("(a starting point, not an answer: it is read off a noisy curve — other seeds can move "
          "it a lot)\n")

    start = model.state_dict()
    rates = {"suggestion / 10": suggestion / 10, "suggestion": suggestion,
             "suggestion x 10": suggestion * 10}
    runs, diverged = {}, {}
    for label, lr in rates.items():
        model.load_state_dict(start)
        runs[label], diverged[label] = train(model, lr, loader(), X, y, epochs)
    print(f"\n{'run':16s} {'lr':>9s} {'loss after ' + str(epochs) + ' epochs':>22s}")
    for label, lr in rates.items():
        final = "diverged" if diverged[label] else f"{runs[label][-1]:.4f}"
        print(f"{label:16s} {lr:9.3g} {final:>22s}")
    finals = {k: (v[-1] if not diverged[k] else math.inf) for k, v in runs.items()}
    best = min(finals, key=finals.get)
    if best == "suggestion":
        print("\nWhat to look at (18_lr_range_test.png): the suggestion learned fastest: ten "
              "times less crawls,\nten times more sits past the steep part of the curve, "
              "where steps overshoot.")
    else:
        print(f"\nWhat to look at (18_lr_range_test.png): this time '{best}' did better than "
              f"the suggestion:\nthe steepest point of a noisy curve is only a hint. Pick a "
              f"rate inside the steep part.")
    out = {"suggestion": suggestion, "lrs": result.lrs, "losses": result.losses,
           "start_lr": START_LR, "end_lr": END_LR, "restored_max_abs_diff": restored,
           "rates": rates, "runs": runs, "diverged": diverged,
           "final_loss": finals, "best": best}

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return out
    os.makedirs(args.out, exist_ok=True)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    result.plot(ax=left)
    left.grid(True, alpha=0.3)
    for label, losses in runs.items():
        right.plot(losses, marker="o", markersize=3, label=f"{label} (lr={rates[label]:.3g})"
                   + (" — diverged" if diverged[label] else ""))
    right.set_yscale("log")
    right.set_xlabel("epoch")
    right.set_ylabel("cross-entropy on all points (log)")
    right.set_title("training from the same weights and batches", fontsize=10)
    right.legend(fontsize=8)
    right.grid(True, alpha=0.3)
    figure.tight_layout()
    path = os.path.join(args.out, "18_lr_range_test.png")
    figure.savefig(path, dpi=80)
    plt.close(figure)
    print(f"\nrange test and training curves written to {path}")
    out["image"] = path
    return out


if __name__ == "__main__":
    main()
