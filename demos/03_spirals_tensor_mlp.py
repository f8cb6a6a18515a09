"""Train a Tensor MLP on three interleaved spirals with mini-batches, cross-entropy and Adam.

The scalar demo (01) built a graph of single numbers; here every operation works on a whole
batch at once: ``model(x)`` maps a (32, 2) batch to (32, 3) class scores (logits),
``cross_entropy`` compares them with the labels, and one ``backward()`` gives the gradient
of every weight matrix. No straight line separates the spirals (a linear model scores about
a third), yet an MLP with two hidden layers of 64 units gets almost every point right.

    python demos/03_spirals_tensor_mlp.py          # --quick for a smoke run

Mini-batch gradient descent: the ``DataLoader`` shuffles the 300 points every epoch and cuts
them into batches of ``--batch-size``; each batch gives one optimizer step.
"""
import argparse
import math
import os
import sys
import time

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset, make_spirals
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam


def progress(epochs):
    """A tqdm progress bar on a terminal (when tqdm is installed), else a plain range: output
    piped to a file or a log stays free of a bar redrawn hundreds of times."""
    if not sys.stdout.isatty():
        return range(epochs)
    try:
        from tqdm import trange
        return trange(epochs, desc="training", unit="epoch")
    except ImportError:
        return range(epochs)


def accuracy(model, X, y):
    with tinygrad_edu.no_grad():
        return float((model(X).data.argmax(axis=1) == y).mean())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="a few epochs, for a smoke test")
    args = parser.parse_args(argv)
    epochs = 3 if args.quick else args.epochs

    tinygrad_edu.manual_seed(args.seed)          # weights and shuffles: reproducible
    X, y = make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=args.seed)
    loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True)
    model = MLP([2, args.hidden, args.hidden, 3], activation="relu")
    optimizer = Adam(model.parameters(), lr=args.lr)
    n_params = sum(p.data.size for p in model.parameters())
    print(f"model: {model.sizes} MLP, {n_params} parameters; data: {len(X)} spiral points, "
          f"{len(loader)} batches of {args.batch_size} per epoch")

    history = {"loss": [], "accuracy": []}
    start = time.perf_counter()
    bar = progress(epochs)
    for epoch in bar:
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            if not math.isfinite(loss.item()):
                raise SystemExit(f"epoch {epoch}: the loss became {loss.item()}; lower --lr "
                                 f"(now {args.lr}) and run again")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * len(yb), count + len(yb)
        history["loss"].append(total / count)
        history["accuracy"].append(accuracy(model, X, y))
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                            accuracy=f"{history['accuracy'][-1]:.0%}")
        elif epoch % 25 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:4d}  loss {history['loss'][-1]:.4f}  "
                  f"accuracy {history['accuracy'][-1]:.1%}")
    train_accuracy = accuracy(model, X, y)
    print(f"final training accuracy {train_accuracy:.1%} "
          f"({epochs} epochs in {time.perf_counter() - start:.1f} s)")
    print("\nWhat to look at (03_spirals_decision_boundary.png): three coloured regions that "
          "follow the arms;\n  no straight line separates the spirals, the hidden layers bend "
          f"the space.\n  Loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f}, accuracy "
          f"{history['accuracy'][0]:.0%} -> {train_accuracy:.0%}.")
    result = {"train_accuracy": train_accuracy, "final_loss": history["loss"][-1],
              "history": history}

    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    from tinygrad_edu.viz import plot_decision_boundary
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "03_spirals_decision_boundary.png")
    figure = plot_decision_boundary(model, X, y)
    figure.savefig(path, dpi=100)
    print(f"decision boundary written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
