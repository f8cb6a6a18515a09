"""Recognise handwritten digits (scikit-learn's 8x8 set) with a Tensor MLP and Adam.

scikit-learn ships 1,797 small greyscale digits (8x8 pixels, values 0..16) inside the
package, so nothing is downloaded. Each image becomes a row of 64 numbers scaled to [0, 1];
an MLP 64 → 64 → 10 gives one score (logit) per digit, trained with cross-entropy on
mini-batches. A quarter of the images are held out: the test accuracy, on digits the model
never saw, is the number that matters (about 97%).

    python demos/05_digits.py             # needs: pip install scikit-learn

Without scikit-learn the demo says how to install it and exits cleanly.
"""
import argparse
import math
import os
import sys
import time

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.nn import MLP
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam


def load_digits_data():
    """``(X, y)``: X float64 (1797, 64) in [0, 1], y int64 digit labels; None without sklearn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    digits = load_digits()
    return digits.data.astype(np.float64) / 16.0, digits.target.astype(np.int64)


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


def predict(model, X):
    with tinygrad_edu.no_grad():
        return model(X).data.argmax(axis=1)


def draw_predictions(X, y, predicted, path, count=32):
    """A grid of test digits, each titled with the prediction (red when wrong)."""
    import matplotlib.pyplot as plt
    columns = 8
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3))
    for ax, image, label, guess in zip(axes.ravel(), X[:count], y[:count], predicted[:count]):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", interpolation="nearest")
        ax.set_title(f"{guess}" if guess == label else f"{guess} (is {label})", fontsize=9,
                     color="black" if guess == label else "red")
        ax.axis("off")
    figure.suptitle("test digits and the model's predictions (red: wrong)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="a few epochs, for a smoke test")
    args = parser.parse_args(argv)
    epochs = 2 if args.quick else args.epochs

    data = load_digits_data()
    if data is None:
        print("This demo uses scikit-learn's bundled digits. Install it with:\n"
              "    pip install scikit-learn\nand run the demo again.")
        return {"skipped": "scikit-learn is not installed"}
    X, y = data

    tinygrad_edu.manual_seed(args.seed)
    order = tinygrad_edu.random.generator().permutation(len(X))   # a seeded train/test split
    n_test = len(X) // 4
    test, train = order[:n_test], order[n_test:]
    loader = DataLoader(TensorDataset(X[train], y[train]), batch_size=args.batch_size,
                        shuffle=True)
    model = MLP([64, args.hidden, 10])
    optimizer = Adam(model.parameters(), lr=args.lr)
    print(f"data: {len(train)} training and {len(test)} test images of 8x8 pixels; "
          f"model: {model.sizes} MLP")

    history = {"loss": [], "test_accuracy": []}
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
        history["test_accuracy"].append(float((predict(model, X[test]) == y[test]).mean()))
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                            test_accuracy=f"{history['test_accuracy'][-1]:.1%}")
        elif epoch % 10 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:3d}  loss {history['loss'][-1]:.4f}  "
                  f"test accuracy {history['test_accuracy'][-1]:.1%}")
    train_accuracy = float((predict(model, X[train]) == y[train]).mean())
    predicted = predict(model, X[test])
    test_accuracy = float((predicted == y[test]).mean())
    print(f"training accuracy {train_accuracy:.1%}, test accuracy {test_accuracy:.1%} "
          f"({epochs} epochs in {time.perf_counter() - start:.1f} s)")
    wrong = int((predicted != y[test]).sum())
    print("\nWhat to look at (05_digits_predictions.png): held-out digits the network never "
          "trained on,\n  each titled with its prediction (red: wrong). Test accuracy "
          f"{test_accuracy:.1%} ({wrong} of {len(predicted)} wrong) against training "
          f"{train_accuracy:.1%}:\n  the gap between the two is what it memorised rather than "
          "learned.")
    result = {"train_accuracy": train_accuracy, "test_accuracy": test_accuracy,
              "history": history}

    try:
        import matplotlib
        matplotlib.use("Agg")
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "05_digits_predictions.png")
    draw_predictions(X[test], y[test], predicted, path)
    print(f"predictions on test digits written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
