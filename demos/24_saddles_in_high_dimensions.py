"""Saddles in high dimensions: why, with many directions, critical points are rarely minima.

At a critical point (∇L = 0) the Hessian's eigenvalues decide what it is: all positive, a
minimum; all negative, a maximum; mixed, a saddle. Its **index** is the fraction of negative
eigenvalues (0 at a minimum). The posts claim that in high dimensions saddles far outnumber
local minima. Two experiments:

1. **Random symmetric Hessians.** For n = 1 … 50, many random symmetric matrices
   (A + Aᵀ)/2 with A's entries standard normal (the Gaussian orthogonal ensemble). If each
   eigenvalue's sign were a coin toss, 1/2ⁿ would be minima; the eigenvalues repel each
   other, so it is even rarer — about e^(−n² ln3 / 4) for large n (Dean & Majumdar 2006).
   Printed and drawn: the fraction of minima against n, and the index distribution, which
   piles up around 1/2 as n grows.
2. **A small network's real critical points.** An MLP 1→5→1 (tanh; 16 parameters) fitting
   24 points of sin(3x) + 0.3x. Each search starts where a short Adam training run (0 to
   1600 steps, so at different heights of the loss) left off, and then looks for a nearby
   critical point by *minimizing ‖∇L‖²*. Its gradient is 2·H·∇L, a Hessian-vector product:
   ``autograd.functional.hvp`` (double backprop, H never formed); central differences of
   the gradient, H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, are here too — one line switches
   ``hessian_vector_product`` — and agree with it to about 1e-8.
   Adam on ‖∇L‖² comes close; a few Levenberg-Marquardt steps (still minimizing ‖∇L‖²,
   with the Hessian, built from n Hessian-vector products) finish. Kept: the points with
   ‖∇L‖ < 10⁻² — *near*-critical points: at a random start ‖∇L‖ is about 1-10, but in the
   flat valleys low down the loss ‖∇L‖² shrinks very slowly and the search seldom gets
   below 10⁻³ there (the long-trained starts are already near 10⁻²: there, training did
   most of the finding). At each, the
   Hessian's eigenvalues give the index; drawn against the loss (Dauphin et al. 2014, Fig. 1).

What it shows: minima become vanishingly rare among random symmetric matrices as n grows
(none in thousands from n ≈ 6 on), and the typical index is 1/2. In the network, the
near-critical points found are saddles, many of them on one plateau (L ≈ 0.42: the network
has fitted only the straight trend 0.3x, and many hidden-unit arrangements do that), and the
index tends to grow with the loss: the lowest points have the fewest negative directions,
and those barely negative. A trend in a small sample (the correlation is printed), not a law.

What it does not show: that a network's Hessian *is* a random matrix (its entries are not
independent; the fraction of minima among its critical points is not the GOE's); that the
critical points found are a fair sample (the search finds the ones its own dynamics reach,
and a 16-parameter network is far from high-dimensional); or how gradient descent behaves
near a saddle (demos 15 and 17 show that). Indices are from Hessians built from
Hessian-vector products: eigenvalues within 10⁻⁶·λ_max of 0 (flat directions, e.g. a
hidden unit whose output weight is 0) are counted as neither sign.

    python demos/24_saddles_in_high_dimensions.py   # or: tinygrad-edu demo saddles

Writes ``<out>/24_saddles_in_high_dimensions.png``.
"""
import argparse
import math
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, optim
from tinygrad_edu.viz import save_figure

DIMENSIONS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 50]
SAMPLES, QUICK_SAMPLES = 20000, 2000
HIDDEN = 5
TRAIN_STEPS = [0, 25, 50, 100, 200, 400, 800, 1600]
QUICK_TRAIN_STEPS = TRAIN_STEPS[:4]
STARTS_PER_LENGTH, QUICK_STARTS = 2, 1
SEARCH_STEPS, QUICK_SEARCH = 300, 60
POLISH_STEPS, QUICK_POLISH = 60, 10
CRITICAL = 1e-2                   # ‖∇L‖ below this counts as near-critical
N_PARAMETERS = 3 * HIDDEN + 1


# ------------------------------------------------------------------- 1. random Hessians
def random_hessians(n, samples, rng):
    """Eigenvalues of ``samples`` random symmetric n×n matrices (A + Aᵀ)/2, A standard normal."""
    A = rng.normal(size=(samples, n, n))
    return np.linalg.eigvalsh((A + np.swapaxes(A, 1, 2)) / 2)


def classify(eigenvalues):
    """Fractions of minima, maxima and saddles, and each matrix's index."""
    negative = (eigenvalues < 0).mean(axis=-1)
    return {"minima": float((negative == 0).mean()), "maxima": float((negative == 1).mean()),
            "saddles": float(((negative > 0) & (negative < 1)).mean()), "index": negative}


# ------------------------------------------------------------------- 2. a small network
def data():
    x = np.linspace(-2, 2, 24).reshape(-1, 1)
    return x, np.sin(3 * x) + 0.3 * x


def make_loss(x, y):
    """The loss as a function of one flat parameter Tensor θ = (W1, b1, W2, b2): a single
    input, as ``autograd.functional.hvp`` wants it."""
    X, Y = Tensor(x), Tensor(y)

    def loss_of(theta):
        w1 = theta[0:HIDDEN].reshape(1, HIDDEN)
        b1 = theta[HIDDEN:2 * HIDDEN]
        w2 = theta[2 * HIDDEN:3 * HIDDEN].reshape(HIDDEN, 1)
        b2 = theta[3 * HIDDEN]
        prediction = (X @ w1 + b1).tanh() @ w2 + b2
        return ((prediction - Y) ** 2).mean()
    return loss_of


def loss_and_gradient(loss_of, theta):
    t = Tensor(theta, requires_grad=True)
    loss = loss_of(t)
    loss.backward()
    return loss.item(), np.array(t.grad, dtype=np.float64)


def finite_difference_hvp(loss_of, theta, v):
    """H(θ)·v by central differences of the gradient, ε scaled to v's length (2 backward
    passes; error O(ε²), about 1e-8 here)."""
    norm = np.linalg.norm(v)
    if norm == 0:
        return np.zeros_like(v)
    eps = 1e-4 / norm
    return (loss_and_gradient(loss_of, theta + eps * v)[1]
            - loss_and_gradient(loss_of, theta - eps * v)[1]) / (2 * eps)


def exact_hvp(loss_of, theta, v):
    """H(θ)·v by double backprop: ``autograd.functional.hvp`` (the second-derivatives issue)."""
    from tinygrad_edu.autograd.functional import hvp
    return np.array(hvp(loss_of, Tensor(theta), Tensor(v))[1].data, dtype=np.float64)


hessian_vector_product = exact_hvp       # or finite_difference_hvp: they agree to ~1e-8


def hessian(loss_of, theta):
    """The whole Hessian, one column H·eᵢ per parameter, symmetrized."""
    columns = np.array([hessian_vector_product(loss_of, theta, e)
                        for e in np.eye(len(theta))])
    return (columns + columns.T) / 2


def find_critical_point(loss_of, theta, search_steps, polish_steps):
    """Minimize φ(θ) = ‖∇L(θ)‖²: Adam with ∇φ = 2·H·∇L (a Hessian-vector product), then
    Levenberg-Marquardt steps δ = (H² + λI)⁻¹ H ∇L on φ, each kept only if ‖∇L‖ shrinks."""
    p = Tensor(theta.copy(), requires_grad=True)
    adam = optim.Adam([p], lr=0.01)
    schedule = optim.lr_scheduler.CosineAnnealingLR(adam, T_max=max(1, search_steps))
    for _ in range(search_steps):
        _, g = loss_and_gradient(loss_of, p.data)
        p.grad = 2 * hessian_vector_product(loss_of, p.data, g)   # ∇‖∇L‖² = 2H∇L
        adam.step()
        schedule.step()
    theta = p.data.copy()
    loss, g = loss_and_gradient(loss_of, theta)
    damping = 1e-2
    for _ in range(polish_steps):
        if np.linalg.norm(g) < 1e-9:
            break
        H = hessian(loss_of, theta)
        while damping < 1e6:
            step = np.linalg.solve(H @ H + damping * np.eye(len(theta)), H @ g)
            new_loss, new_g = loss_and_gradient(loss_of, theta - step)
            if np.linalg.norm(new_g) < np.linalg.norm(g):
                theta, loss, g, damping = theta - step, new_loss, new_g, damping * 0.3
                break
            damping *= 10
        else:
            break
    return theta, loss, float(np.linalg.norm(g))


def index_of(eigenvalues):
    """Fraction of clearly negative eigenvalues (flat ones, |λ| ≤ 1e-6·λ_max, not counted)."""
    flat = 1e-6 * np.abs(eigenvalues).max()
    return float((eigenvalues < -flat).mean())


def network_critical_points(train_lengths, starts_per_length, search_steps, polish_steps,
                            rng):
    x, y = data()
    loss_of = make_loss(x, y)
    points = []
    for train_steps in train_lengths:
        for _ in range(starts_per_length):
            theta = rng.normal(size=N_PARAMETERS)
            p = Tensor(theta, requires_grad=True)
            adam = optim.Adam([p], lr=0.01)
            for _ in range(train_steps):          # ordinary training, stopped early
                _, p.grad = loss_and_gradient(loss_of, p.data)
                adam.step()
            start_gradient = float(np.linalg.norm(loss_and_gradient(loss_of, p.data)[1]))
            theta, loss, gradient_norm = find_critical_point(loss_of, p.data, search_steps,
                                                             polish_steps)
            eigenvalues = np.linalg.eigvalsh(hessian(loss_of, theta))
            points.append({"train_steps": train_steps, "loss": loss,
                           "start_gradient_norm": start_gradient,
                           "gradient_norm": gradient_norm, "eigenvalues": eigenvalues,
                           "index": index_of(eigenvalues), "theta": theta})
    return points


def is_critical(point):
    """Near-critical: ‖∇L‖ below CRITICAL."""
    return point["gradient_norm"] < CRITICAL


# ------------------------------------------------------------------- the demo
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true",
                        help="fewer matrices and searches, for a smoke test")
    args = parser.parse_args(argv)
    samples = QUICK_SAMPLES if args.quick else SAMPLES
    tinygrad_edu.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    print(f"1. Random symmetric n×n Hessians, {samples} per n: what a critical point with "
          "that Hessian would be")
    print(f"  {'n':>3s} {'minima':>10s} {'coin toss 1/2ⁿ':>15s} {'saddles':>9s} "
          f"{'mean index':>11s} {'index std':>10s}")
    matrices = {}
    for n in DIMENSIONS:
        count = samples if n <= 20 else samples // 10        # 50×50: fewer, same picture
        kinds = classify(random_hessians(n, count, rng))
        matrices[n] = dict(kinds, samples=count)
        print(f"  {n:3d} {kinds['minima']:10.5f} {0.5 ** n:15.2e} {kinds['saddles']:9.4f} "
              f"{kinds['index'].mean():11.3f} {kinds['index'].std():10.3f}")

    starts = QUICK_STARTS if args.quick else STARTS_PER_LENGTH
    search = QUICK_SEARCH if args.quick else SEARCH_STEPS
    polish = QUICK_POLISH if args.quick else POLISH_STEPS
    lengths = QUICK_TRAIN_STEPS if args.quick else TRAIN_STEPS
    print(f"\n2. MLP 1→{HIDDEN}→1 (tanh, {N_PARAMETERS} parameters) on 24 points: "
          f"{starts * len(lengths)} searches minimizing ‖∇L‖², each from a run "
          f"trained 0-{lengths[-1]} steps")
    points = network_critical_points(lengths, starts, search, polish, rng)
    critical = [p for p in points if is_critical(p)]
    print(f"  {'trained':>7s} {'‖∇L‖ at start':>13s} {'loss':>8s} {'‖∇L‖':>9s} {'index':>6s} "
          f"{'λ_min':>10s} {'λ_max':>8s}")
    for p in sorted(points, key=lambda p: p["loss"]):
        mark = "" if is_critical(p) else "   (not near-critical: dropped)"
        print(f"  {p['train_steps']:7d} {p['start_gradient_norm']:13.2g} {p['loss']:8.4f} "
              f"{p['gradient_norm']:9.1e} "
              f"{p['index']:6.2f} {p['eigenvalues'].min():10.2e} "
              f"{p['eigenvalues'].max():8.2f}{mark}")
    saddles = sum(p["index"] > 0 for p in critical)
    by_loss = sorted(critical, key=lambda p: p["loss"])
    low, high = by_loss[: len(by_loss) // 2], by_loss[len(by_loss) // 2:]
    correlation = (float(np.corrcoef([p["loss"] for p in critical],
                                     [p["index"] for p in critical])[0, 1])
                   if len(critical) > 2 else math.nan)
    first_zero = next((n for n in DIMENSIONS if matrices[n]["minima"] == 0), None)
    print("\nWhat to look at (24_saddles_in_high_dimensions.png):\n"
          f"  left: the fraction of minima falls faster than 1/2ⁿ: {matrices[2]['minima']:.3f} "
          f"at n = 2, {matrices[4]['minima']:.4f} at n = 4,\n    none of "
          f"{matrices[first_zero]['samples'] if first_zero else samples} from n = "
          f"{first_zero} on.\n"
          f"  middle: the index piles up around 1/2 (n = 50: mean "
          f"{matrices[50]['index'].mean():.2f}, std {matrices[50]['index'].std():.3f}).\n"
          f"  right: of {len(critical)} near-critical points the network's search found, {saddles} "
          f"are saddles; index and loss\n    go together (correlation {correlation:.2f}): "
          f"the lower half by loss has mean index {mean_of(low, 'index'):.2f} and smallest\n"
          f"    eigenvalues {mean_of(low, 'lambda_min'):.1e} on average; the upper half "
          f"{mean_of(high, 'index'):.2f} and {mean_of(high, 'lambda_min'):.1e}.")
    result = {"matrices": matrices, "points": points, "critical": critical, "low": low,
              "high": high,
              "correlation": correlation, "first_dimension_without_minima": first_zero}

    path = os.path.join(args.out, "24_saddles_in_high_dimensions.png")
    path = save_figure(lambda plt: plot(matrices, critical, plt), path, dpi=args.dpi)
    if path:
        result["image"] = path
    return result


def mean_of(points, key):
    """Mean of ``key`` (or of the smallest eigenvalue, "lambda_min") over points; NaN if none."""
    values = [p["eigenvalues"].min() if key == "lambda_min" else p[key] for p in points]
    return float(np.mean(values)) if values else math.nan


def plot(matrices, critical, plt):
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 4.4), layout="constrained")
    ns = np.array(DIMENSIONS)
    fractions = np.array([matrices[n]["minima"] for n in DIMENSIONS])
    seen = fractions > 0
    left.semilogy(ns[seen], fractions[seen], "o-", color="#1f77b4", linewidth=2,
                  label="random symmetric matrices")
    floor = np.array([1 / matrices[n]["samples"] for n in DIMENSIONS])
    left.semilogy(ns[~seen], floor[~seen], "v", color="#1f77b4", markersize=8,
                  linestyle="none", label="none found (below 1 / samples)")
    grid = np.linspace(1, 20, 100)
    left.semilogy(grid, 0.5 ** grid, "--", color="0.5", label="coin toss: 1/2ⁿ")
    left.set_ylim(1e-6, 1)
    left.set_xlim(0, 21)
    left.set_xlabel("dimension n")
    left.set_ylabel("fraction that are minima (log)")
    left.set_title("Minima among random critical points", fontsize=10)
    left.grid(True, alpha=0.3)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=8, frameon=False)

    for n, color in zip([4, 10, 50], ["#ff7f0e", "#2ca02c", "#d62728"]):
        counts = np.bincount(np.rint(matrices[n]["index"] * n).astype(int), minlength=n + 1)
        middle.plot(np.arange(n + 1) / n, counts / counts.sum() * n, marker="o", markersize=3,
                    linewidth=2, color=color, label=f"n = {n}")   # density: × n per value
    middle.set_xlabel("index: fraction of negative eigenvalues")
    middle.set_ylabel("density (probability × n)")
    middle.set_title("The index of random critical points", fontsize=10)
    middle.grid(True, alpha=0.3)
    middle.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3, fontsize=8,
                  frameon=False)

    losses = [p["loss"] for p in critical]
    indices = [p["index"] for p in critical]
    right.scatter(losses, indices, s=36, color="#9467bd", edgecolors="black", linewidths=0.5,
                  label=f"near-critical points found (‖∇L‖ < {CRITICAL:g})")
    right.axhline(0, color="black", linewidth=0.8)
    plateau = [p for p in critical if abs(p["loss"] - max(losses)) < 1e-2] if losses else []
    if len(plateau) > 1:   # points drawn on top of each other: say how many
        right.annotate(f"{len(plateau)} points on the\nplateau L ≈ {max(losses):.2f}",
                       xy=(max(losses), max(p["index"] for p in plateau)), xytext=(-90, 40),
                       textcoords="offset points", fontsize=8,
                       arrowprops={"arrowstyle": "->", "color": "0.3"})
    right.set_xlabel("loss L at the critical point")
    right.set_ylabel("index")
    right.set_ylim(-0.05, 1)
    right.set_title(f"An MLP's critical points ({N_PARAMETERS} parameters)", fontsize=10)
    right.grid(True, alpha=0.3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=8, frameon=False)
    return figure


if __name__ == "__main__":
    main()
