"""Race the optimizers: the same MLP, data, start and batches, trained by each of them.

Every run starts from the *same* initial weights (saved once with ``model.state_dict()``
and restored with ``load_state_dict``) and sees the *same* mini-batches in the same order
(a ``DataLoader`` with a fixed seed), so the only difference between two curves is the
update rule. The data are three interleaved spirals, which a 2-32-32-3 ReLU MLP can fit
but not in a straight line: plain SGD crawls, momentum helps, the adaptive methods
(RMSprop, Adam and family) rescale each weight's step and get there much sooner.

    python demos/04_optimizers_mlp.py              # --quick for a smoke run, --seed N

Each optimizer gets a learning rate in its usual range (not tuned per run); see the table
printed at the start. Prints the final loss, accuracy and time of each; writes the loss
curves to ``<out>/04_optimizers_loss.png`` when matplotlib is installed: small multiples,
one panel per family of optimizers (at most four curves each), Adam in grey in the others.
"""
import argparse
import math
import os
import time

import tinygrad_edu
from tinygrad_edu import optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_spirals
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F

# label -> (how to build the optimizer for these parameters, what the settings are)
OPTIMIZERS = {
    "SGD": (lambda p: optim.SGD(p, lr=0.2), "lr=0.2"),
    "SGD momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9), "lr=0.05, momentum=0.9"),
    "SGD Nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
                     "lr=0.05, momentum=0.9, nesterov"),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.05), "lr=0.05"),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.003), "lr=0.003"),
    "Adadelta": (lambda p: optim.Adadelta(p, lr=1.0), "lr=1.0"),
    "Adam": (lambda p: optim.Adam(p, lr=0.01), "lr=0.01"),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.01, weight_decay=1e-2), "lr=0.01, wd=1e-2"),
    "Adamax": (lambda p: optim.Adamax(p, lr=0.02), "lr=0.02"),
    "NAdam": (lambda p: optim.NAdam(p, lr=0.01), "lr=0.01"),
    "RAdam": (lambda p: optim.RAdam(p, lr=0.01), "lr=0.01"),
    "AdaBelief": (lambda p: optim.AdaBelief(p, lr=0.01), "lr=0.01"),
    "Lion": (lambda p: optim.Lion(p, lr=0.001), "lr=0.001"),
}


def evaluate(model, X, y):
    """Loss and accuracy on the whole data set (no graph recorded)."""
    with tinygrad_edu.no_grad():
        logits = model(X)
        loss = F.cross_entropy(logits, y).item()
        return loss, float((logits.data.argmax(axis=1) == y).mean())


def train(model, optimizer, loader, X, y, epochs):
    """Train; return the loss on the full data set before training and after each epoch."""
    losses = [evaluate(model, X, y)[0]]
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        losses.append(evaluate(model, X, y)[0])
        if not math.isfinite(losses[-1]):
            break                                  # diverged: keep the curve up to here
    return losses


# Small multiples: one panel per family (at most four curves), Adam in grey in the others
FAMILIES = {"SGD and momentum": ["SGD", "SGD momentum", "SGD Nesterov"],
            "per-coordinate step sizes": ["Adagrad", "Adadelta", "RMSprop"],
            "Adam and its variants": ["Adam", "AdamW", "Adamax", "NAdam"],
            "rectified, belief, sign": ["RAdam", "AdaBelief", "Lion"]}
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
REFERENCE = "Adam"


def plot(curves, path, dpi=100):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(1, len(FAMILIES), figsize=(12, 4.2), sharey=True,
                                layout="constrained")
    for ax, (family, members) in zip(axes, FAMILIES.items()):
        if REFERENCE not in members:
            ax.plot(curves[REFERENCE], color="0.6", linestyle="--", linewidth=1.5,
                    label=f"{REFERENCE} (for reference)")
        for label, color, width in zip(members, COLORS, [3.2, 2.4, 1.7, 1.1]):
            # the first widest: a curve lying on another still shows at its edges
            ax.plot(curves[label], color=color, linewidth=width, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(family, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.1), ncol=2, fontsize=8,
                  frameon=False)
    axes[0].set_ylabel("cross-entropy on all points (log)")
    figure.suptitle("Same MLP, same start, same batches: the optimizers by family",
                    fontsize=11)
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="2 epochs, for a smoke test")
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    args = parser.parse_args(argv)
    epochs = 2 if args.quick else args.epochs

    tinygrad_edu.manual_seed(args.seed)
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=args.seed)
    model = MLP([2, args.hidden, args.hidden, 3])
    start = model.state_dict()                     # every optimizer starts from these weights
    print(f"{len(X)} spiral points, MLP {[2, args.hidden, args.hidden, 3]}, {epochs} epochs "
          f"of batches of {args.batch_size} (seed {args.seed})\n")

    curves, rows = {}, []
    for label, (make, settings) in OPTIMIZERS.items():
        model.load_state_dict(start)
        # a fresh loader with the same seed: the same shuffles, epoch by epoch, for everyone
        loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True,
                            seed=args.seed)
        began = time.perf_counter()
        curves[label] = train(model, make(model.parameters()), loader, X, y, epochs)
        seconds = time.perf_counter() - began
        loss, accuracy = evaluate(model, X, y)
        rows.append((label, settings, loss, accuracy, seconds))

    width = max(len(r[1]) for r in rows)
    print(f"{'optimizer':13s} {'settings':{width}s} {'final loss':>10s} {'accuracy':>8s} "
          f"{'time':>7s}")
    for label, settings, loss, accuracy, seconds in rows:
        print(f"{label:13s} {settings:{width}s} {loss:10.4f} {accuracy:8.1%} {seconds:6.2f}s")
    best = min(rows, key=lambda r: r[2] if math.isfinite(r[2]) else math.inf)
    print(f"\nlowest final loss: {best[0]}. All runs began at loss {curves['SGD'][0]:.4f} "
          f"(same weights).")
    final = {r[0]: r[2] for r in rows}
    print("\nWhat to look at (04_optimizers_loss.png, one panel per family, Adam dashed grey "
          "for reference):\n"
          f"  plain SGD crawls (final loss {final['SGD']:.3f}); momentum helps "
          f"({final['SGD momentum']:.3f});\n"
          f"  Adam and most of its family rescale each weight's step and end lower still "
          f"(Adam {final['Adam']:.3f},\n  {best[0]} lowest at {best[2]:.3f}); compare "
          "each panel's curves with the grey Adam.\n"
          "  Each rate is a usual default, not tuned: a race of settings as much as of rules.")
    result = {"curves": curves,
              "table": {r[0]: {"loss": r[2], "accuracy": r[3], "seconds": r[4]} for r in rows}}

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "04_optimizers_loss.png")
    plot(curves, path, dpi=args.dpi)
    print(f"loss curves written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
