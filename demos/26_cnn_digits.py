"""A small CNN on the handwritten digits: convolution and pooling against the MLP of demo 05.

The same 8x8 digits (scikit-learn's bundled set), the same seeded split (a quarter held
out), the same mini-batches and optimizer for two models:

* the **MLP** of demo 05, 64 → 64 → 10: each pixel has its own weights, so a stroke moved by
  one pixel is, to it, a different input;
* a **CNN** in the shape of PyTorch's MNIST example, ``conv → relu → max-pool`` twice, then
  one ``Linear``::

      (1, 8, 8) ─conv 3×3, pad 1─► (8, 8, 8) ─relu, pool 2─► (8, 4, 4)
                ─conv 3×3, pad 1─► (16, 4, 4) ─relu, pool 2─► (16, 2, 2) ─flatten, linear─► 10

  Each 3×3 filter is *shared* by every position of the image: it learns a local pattern (an
  edge, a corner) once and finds it anywhere, and pooling lets the pattern move a little
  without changing the result. So it has fewer weights than the MLP (about 1,900 against
  4,800) and ends higher on the held-out digits: with seeds 0 to 4, by 0.9 to 1.6 points
  (98.2-99.1% against 96.7-97.8%, 30 epochs).

Printed: both models' test accuracy, their sizes and training times. Drawn
(``26_cnn_digits.png``): test accuracy per epoch for both, the 8 filters the first
convolution learned, and what they see — one test digit through conv1 + relu.

    python demos/26_cnn_digits.py             # needs: pip install scikit-learn

Without scikit-learn the demo says how to install it and exits cleanly.
"""
import argparse
import os
import time

import numpy as np

import tinygrad_edu
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.nn import MLP, Conv2d, Linear, Module
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import Adam
from tinygrad_edu.viz import save_figure


def load_digits_data():
    """``(X, y)``: X float64 (1797, 1, 8, 8) in [0, 1] (one channel), y int64 labels; None
    without scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    digits = load_digits()
    return digits.images[:, None].astype(np.float64) / 16.0, digits.target.astype(np.int64)


class SmallCNN(Module):
    """conv → relu → max-pool, twice, then a linear layer: PyTorch's MNIST ``Net``, scaled to
    8×8 images."""

    def __init__(self):
        super().__init__()
        self.conv1 = Conv2d(1, 8, 3, padding=1)    # (1, 8, 8) → (8, 8, 8)
        self.conv2 = Conv2d(8, 16, 3, padding=1)   # (8, 4, 4) → (16, 4, 4)
        self.fc = Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # (8, 4, 4)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # (16, 2, 2)
        return self.fc(x.flatten(1))                 # (N, 64) → (N, 10)


class FlatMLP(Module):
    """Demo 05's MLP, given the same (N, 1, 8, 8) images: it flattens them first."""

    def __init__(self, hidden):
        super().__init__()
        self.mlp = MLP([64, hidden, 10])

    def forward(self, x):
        return self.mlp(x.reshape(len(x), 64))


def accuracy(model, X, y):
    with tinygrad_edu.no_grad():
        return float((model(X).data.argmax(axis=1) == y).mean())


def train(model, loader, X_test, y_test, epochs, lr):
    """Adam on the cross-entropy, one pass over ``loader`` per epoch: the test accuracy after
    each epoch, and the seconds it took."""
    optimizer = Adam(model.parameters(), lr=lr)
    curve, start = [], time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        curve.append(accuracy(model, X_test, y_test))
    return curve, time.perf_counter() - start


def size(model):
    return sum(p.data.size for p in model.parameters())


def plot(result, plt):
    """Left: test accuracy per epoch. Right, in columns: conv1's filter k above the map it
    makes of one test digit (relu(filter k ⋆ digit + bias k)), the digit itself at the left."""
    figure = plt.figure(figsize=(10.5, 4.4))
    grid = figure.add_gridspec(4, 7, width_ratios=[5.0, 0.5, 1.3, 1, 1, 1, 1], wspace=0.1,
                               hspace=0.45, left=0.07, right=0.99, top=0.84, bottom=0.11)
    curves = figure.add_subplot(grid[:, 0])
    epochs = np.arange(1, len(result["cnn"]) + 1)
    curves.plot(epochs, result["mlp"], "o-", color="tab:blue", ms=3,
                label=f"MLP 64-{result['hidden']}-10 ({result['mlp_size']:,} weights)")
    curves.plot(epochs, result["cnn"], "o-", color="tab:orange", ms=3,
                label=f"CNN ({result['cnn_size']:,} weights)")
    curves.set(xlabel="epoch", ylabel="test accuracy (held-out digits)",
               title="same data, batches and Adam")
    curves.set_ylim(max(0.0, min(result["mlp"] + result["cnn"]) - 0.05), 1.0)
    curves.grid(alpha=0.3)
    curves.legend(loc="lower right", fontsize=8)

    digit = figure.add_subplot(grid[1:3, 2])
    digit.imshow(result["digit"], cmap="gray_r")
    digit.set_title(f"input: {result['digit_label']}", fontsize=8)
    digit.axis("off")
    filters, maps = result["filters"], result["feature_maps"]
    limit = np.abs(filters).max()
    for k in range(len(filters)):   # filter k in one row, the map it makes just below it
        row, column = 2 * (k // 4), 3 + k % 4
        top = figure.add_subplot(grid[row, column])
        top.imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        top.set_title(f"filter {k}", fontsize=8)
        bottom = figure.add_subplot(grid[row + 1, column])
        bottom.imshow(maps[k], cmap="magma", vmin=0, vmax=max(maps.max(), 1e-12))
        bottom.set_title(f"map {k}", fontsize=8)
        top.axis("off")
        bottom.axis("off")
    figure.text(0.76, 0.985, "conv1's 3×3 filters (red +, blue −)\nand the maps they make of "
                "the digit (after relu)", ha="center", va="top", fontsize=9)
    return figure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--hidden", type=int, default=64, help="the MLP's hidden width")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true", help="a few epochs, for a smoke test")
    args = parser.parse_args(argv)
    epochs = 3 if args.quick else args.epochs

    data = load_digits_data()
    if data is None:
        print("This demo uses scikit-learn's bundled digits. Install it with:\n"
              "    pip install scikit-learn\nand run the demo again.")
        return {"skipped": "scikit-learn is not installed"}
    X, y = data

    tinygrad_edu.manual_seed(args.seed)
    order = tinygrad_edu.random.generator().permutation(len(X))   # demo 05's seeded split
    n_test = len(X) // 4
    test, train_ = order[:n_test], order[n_test:]
    print(f"data: {len(train_)} training and {len(test)} test images, 1 channel of 8x8 pixels")

    result = {"hidden": args.hidden}
    for name, make in (("mlp", lambda: FlatMLP(args.hidden)), ("cnn", SmallCNN)):
        tinygrad_edu.manual_seed(args.seed + 1)   # each model: its own weights, same batches
        model = make()
        loader = DataLoader(TensorDataset(X[train_], y[train_]), batch_size=args.batch_size,
                            shuffle=True, seed=args.seed)
        curve, seconds = train(model, loader, X[test], y[test], epochs, args.lr)
        result[name], result[f"{name}_size"] = curve, size(model)
        result[f"{name}_seconds"], result[f"{name}_model"] = seconds, model
        print(f"{name.upper()}: {size(model):5,} weights, test accuracy {curve[-1]:.1%} after "
              f"{epochs} epochs ({seconds:.1f} s)")
    result["cnn_accuracy"], result["mlp_accuracy"] = result["cnn"][-1], result["mlp"][-1]

    cnn = result["cnn_model"]
    result["digit"], result["digit_label"] = X[test[0], 0], int(y[test[0]])
    result["filters"] = cnn.conv1.weight.data[:, 0]
    with tinygrad_edu.no_grad():
        result["feature_maps"] = F.relu(cnn.conv1(X[test[:1]])).data[0]
    print(f"\nWhat to look at (26_cnn_digits.png): the CNN, with "
          f"{result['cnn_size'] / result['mlp_size']:.0%} of the MLP's weights,\n  ends at "
          f"{result['cnn_accuracy']:.1%} against {result['mlp_accuracy']:.1%} on digits neither "
          f"saw. Its first layer is 8 small 3x3\n  filters slid over the whole "
          f"image (each weight used at 64 positions); each map below a\n  filter lights up "
          f"where its pattern (a stroke's edge or direction) occurs in the digit.\n  The "
          f"convolutions are im2col and one matrix product (tinygrad_edu/tensors/ops/conv.py).")
    path = save_figure(lambda plt: plot(result, plt), os.path.join(args.out, "26_cnn_digits.png"),
                       dpi=args.dpi)
    if path:
        result["image"] = path
    return result


if __name__ == "__main__":
    main()
