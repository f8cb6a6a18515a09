"""Full-batch, stochastic and mini-batch gradient descent fitting the same straight line.

One data set from a known line (``make_linear_regression``: y = w·x + b + noise), one model
(``nn.Linear(1, 1)``), one loss (mean squared error), one optimizer (``optim.SGD``, the same
learning rate for all three) — and three ``DataLoader``\\ s, which are the only difference:

* full batch (``batch_size=len(data)``): one exact gradient per epoch, a smooth curve, but
  only one update per pass over the data;
* stochastic (``batch_size=1, shuffle=True``): one noisy gradient per *sample*, so n updates
  per epoch — it gets near the answer within the first epoch, then jitters around it, because
  single-sample gradients never agree;
* mini-batch (``batch_size=16, shuffle=True``): in between — several updates per epoch, each
  with a gradient averaged over 16 samples, so most of SGD's speed with much less noise.

Left: loss on the whole data set after each epoch. Middle: the same loss after each *update*
(log axis) — per update, full batch is the most effective; per epoch (per unit of work), the
small batches win. Right: the three fitted lines over the data, beside the true one. The
dotted line is the least-squares loss, the best any straight line can do on this noisy data.

    python demos/13_batch_vs_sgd.py              # or: tinygrad-edu demo batch_vs_sgd
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_linear_regression
from tinygrad_edu.nn import functional as F


def full_loss(model, X, y):
    """Mean squared error of the model on all the data (plain NumPy: no graph needed)."""
    prediction = X @ model.weight.data.T + model.bias.data
    return float(np.mean((prediction[:, 0] - y) ** 2))


def line_text(weight, bias):
    """A line's equation, e.g. "0.548x − 0.460" (the bias's sign written properly)."""
    return f"{weight:.3f}x {'−' if bias < 0 else '+'} {abs(bias):.3f}"


def full_loss_of_line(weight, bias, X, y):
    return float(np.mean((X[:, 0] * weight + bias - y) ** 2))


def train(X, y, batch_size, shuffle, lr, epochs, seed, start):
    """Fit a fresh Linear(1, 1) from the weights ``start``; loss per epoch and per update."""
    model = nn.Linear(1, 1)
    model.load_state_dict(start)               # all three runs start from the same line
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y[:, None]), batch_size=batch_size, shuffle=shuffle,
                        seed=seed)
    per_epoch = [full_loss(model, X, y)]
    per_update = [per_epoch[0]]
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = F.mse_loss(model(xb), yb)
            if not math.isfinite(loss.item()):
                raise SystemExit(
                    f"batch size {batch_size}: the loss became {loss.item()} at update "
                    f"{len(per_update)} (epoch {epoch + 1}): the learning rate {lr} is too "
                    f"large; run again with a smaller --lr")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            per_update.append(full_loss(model, X, y))
        per_epoch.append(per_update[-1])
    return model, per_epoch, per_update


def plot(runs, X, y, coef, best, path, dpi=100):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import NullFormatter

    figure, (by_epoch, by_update, lines) = plt.subplots(1, 3, figsize=(13, 5.0),
                                                        layout="constrained")
    below = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.14), "fontsize": 8,
             "frameon": False, "ncol": 2}        # under the axes: inside, they hid data
    for name, run in runs.items():
        # the noisiest curve (batch 1) behind, the smoothest (full batch) in front
        order = {"width": 2.5 if run["batch_size"] == len(X) else 1.2,
                 "zorder": 3 if run["batch_size"] == len(X) else 2 if run["batch_size"] > 1 else 1}
        by_epoch.plot(run["per_epoch"], marker="o", markersize=3, label=name,
                      linewidth=order["width"], zorder=order["zorder"])
        updates = np.arange(len(run["per_update"]))
        by_update.plot(updates[1:], run["per_update"][1:], label=name,
                       linewidth=order["width"], zorder=order["zorder"])
    for ax, xlabel in [(by_epoch, "epoch (one pass over all the data)"),
                       (by_update, "update (one optimizer.step())")]:
        ax.axhline(best, color="black", linestyle=":", linewidth=1,
                   label=f"least squares {best:.4f}")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("MSE on all the data (log)")
        ax.yaxis.set_minor_formatter(NullFormatter())   # 2×10⁰, 3×10⁻¹ ...: unreadable
        ax.legend(**below)
        ax.grid(True, alpha=0.3)
    by_update.set_xscale("log")
    by_epoch.set_title("Loss per epoch")
    by_update.set_title("Loss per update")

    lines.scatter(X[:, 0], y, s=10, color="gray", alpha=0.6, label="data")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 2)
    lines.plot(xs, coef.weight[0] * xs + coef.bias, color="black", linewidth=3, alpha=0.35,
               label=f"true y = {line_text(coef.weight[0], coef.bias)}")
    for name, run in runs.items():
        w, b = run["weight"], run["bias"]
        lines.plot(xs, w * xs + b, linewidth=1.2, label=f"{name}: {line_text(w, b)}")
    lines.set_xlabel("x")
    lines.set_ylabel("y")
    lines.set_title("The fitted lines")
    lines.legend(**below)
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNGs")
    parser.add_argument("--quick", action="store_true", help="25 epochs, for a smoke test")
    args = parser.parse_args(argv)
    epochs = min(args.epochs, 25) if args.quick else args.epochs

    tinygrad_edu.manual_seed(args.seed)
    X, y, coef = make_linear_regression(args.samples, n_features=1, noise=args.noise,
                                        seed=args.seed)
    # A deliberately bad first line (slope −2, intercept 2), the same for all three runs, so the
    # curves have a long way to fall.
    start = {"weight": np.array([[-2.0]]), "bias": np.array([2.0])}
    # The best any line can do: least squares on [x, 1] (the lowest loss training can reach).
    solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
    best = float(np.mean((X[:, 0] * solution[0] + solution[1] - y) ** 2))
    print(f"{len(X)} points from y = {line_text(coef.weight[0], coef.bias)} + noise "
          f"(noise std {args.noise}, so the best achievable MSE is about {args.noise ** 2:.4f};"
          f" least squares on this sample: {best:.4f})")
    print(f"Linear(1, 1) starting at y = −2x + 2 (MSE {full_loss_of_line(-2.0, 2.0, X, y):.3f}),"
          f" SGD lr={args.lr}, {epochs} epochs\n")

    settings = {"full batch": (len(X), False), "stochastic (batch 1)": (1, True),
                "mini-batch 16": (16, True)}
    runs = {}
    for name, (batch_size, shuffle) in settings.items():
        model, per_epoch, per_update = train(X, y, batch_size, shuffle, args.lr, epochs,
                                             args.seed, start)
        runs[name] = {"batch_size": batch_size, "per_epoch": per_epoch,
                      "per_update": per_update, "updates": len(per_update) - 1,
                      "weight": float(model.weight.data[0, 0]),
                      "bias": float(model.bias.data[0]), "final_loss": per_epoch[-1]}

    print(f"{'':22s} {'updates':>7s} {'loss, epoch 1':>13s} {'final loss':>10s} "
          f"{'weight':>8s} {'bias':>8s}")
    for name, run in runs.items():
        print(f"{name:22s} {run['updates']:7d} {run['per_epoch'][1]:13.4f} "
              f"{run['final_loss']:10.4f} {run['weight']:8.4f} {run['bias']:8.4f}")
    print(f"{'true coefficients':22s} {'':7s} {'':13s} {'':10s} {coef.weight[0]:8.4f} "
          f"{coef.bias:8.4f}")
    print(f"{'least squares':22s} {'':7s} {'':13s} {best:10.4f} {solution[0]:8.4f} "
          f"{solution[1]:8.4f}")
    print("\nWhat to look at (13_batch_vs_sgd.png): after one epoch the stochastic run is "
          "already close (it made\n  "
          f"{runs['stochastic (batch 1)']['updates'] // epochs} updates); full batch made one. "
          "In the end full batch sits on the least-squares line\n  (loss "
          f"{runs['full batch']['final_loss']:.4f} vs {best:.4f}), while batch 1 keeps "
          "jittering around it: each update follows\n  a single point's gradient "
          "(the middle panel, per update).")
    result = {"runs": runs, "least_squares_loss": best, "noise_variance": args.noise ** 2,
              "true_weight": float(coef.weight[0]), "true_bias": float(coef.bias)}

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "13_batch_vs_sgd.png")
    plot(runs, X, y, coef, best, path, dpi=args.dpi)
    print(f"\npicture written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
