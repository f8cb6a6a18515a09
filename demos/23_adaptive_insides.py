"""Inside the adaptive optimizers: per-coordinate step sizes, moving averages, bias correction.

AdaGrad, RMSprop and Adam give every coordinate its own step size, computed from the history
of that coordinate's gradient. This demo opens them up, in three panels:

1. **Effective step sizes** on the narrow valley x²/20 + y² with noisy gradients (noise of
   std 0.05 in x and 0.5 in y is added to the exact gradient, as a mini-batch would: the
   steep direction is the noisy one). The effective step is the number each optimizer
   multiplies its gradient by (Adam: its average m), read from ``optimizer.state``:

       AdaGrad  η / (√h + ε),   h = g₁² + … + gₜ²          (a sum: it only grows)
       RMSprop  η / (√v + ε),   v ← αv + (1 − α)g²         (an average: it forgets)
       Adam     η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) / (√v + ε′),  v as RMSprop with β₂

   η = 0.1 (AdaGrad 1.0: its sum grows fast). AdaGrad's step shrinks toward 0, heading for
   1/√t, for ever, even where the gradient is pure noise; RMSprop's and Adam's level off at
   about η / (the gradient's typical size): η/0.05 in x, η/0.5 in y. In each
   optimizer the flat, quiet x gets a larger step than the steep, noisy y: per-coordinate
   scaling.
2. **The exponential moving average** m ← βm + (1 − β)g of a noisy constant gradient
   (1 + noise of std 1), for β = 0.5, 0.9, 0.99: a larger β is smoother (its noise has std
   √((1 − β)/(1 + β))) but remembers longer; started at 0, it is biased toward 0 for about
   1/(1 − β) steps — the bias-corrected m / (1 − βᵗ) is not.
3. **Adam's first 20 steps** on a constant gradient, with bias correction (``optim.Adam``)
   and without (the same rule, hand-written, without the two divisions). With it, every
   step is exactly η. Without it, v ≈ (1 − β₂)·t·g² is far too small early on, so the steps
   are (1 − β₁ᵗ)/√(1 − β₂ᵗ) times η: 3.2η at the first step, about 6.5η at step 13.

    python demos/23_adaptive_insides.py  # or: tinygrad-edu demo adaptive_insides

Writes ``<out>/23_adaptive_insides.png``.
"""
import argparse
import os

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, optim
from tinygrad_edu.landscapes import LANDSCAPES
from tinygrad_edu.viz import save_figure

LR = 0.1
NOISE = np.array([0.05, 0.5])        # gradient noise per coordinate (x, y)
STEPS, QUICK_STEPS = 2000, 100
BETAS = [0.5, 0.9, 0.99]
EMA_STEPS, EMA_SHOWN = 2000, 150
ADAM_STEPS = 20

OPTIMIZERS = {"AdaGrad": lambda p: optim.Adagrad(p, lr=10 * LR),   # its sum grows fast
              "RMSprop": lambda p: optim.RMSprop(p, lr=LR),
              "Adam": lambda p: optim.Adam(p, lr=LR)}
COLORS = {"AdaGrad": "#d62728", "RMSprop": "#9467bd", "Adam": "#8c564b"}


def effective_step(name, optimizer, p):
    """What the optimizer multiplies its gradient (Adam: m) by, per coordinate, now."""
    state, group = optimizer.state[p], optimizer.param_groups[0]
    if name == "AdaGrad":
        return group["lr"] / (np.sqrt(state["sum"]) + group["eps"])
    if name == "RMSprop":
        return group["lr"] / (np.sqrt(state["square_avg"]) + group["eps"])
    beta1, beta2 = group["betas"]
    t = state["step"]
    correction = np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return group["lr"] * correction / (np.sqrt(state["exp_avg_sq"])
                                       + group["eps"] * np.sqrt(1 - beta2 ** t))


def step_sizes(steps, rng):
    """Run each optimizer on the noisy valley; effective step per coordinate at every step."""
    valley = LANDSCAPES["ill_conditioned"]
    noise = rng.normal(size=(steps, 2)) * NOISE      # the same noise for every optimizer
    sizes, ends = {}, {}
    for name, make in OPTIMIZERS.items():
        p = Tensor(np.array(valley.start, dtype=np.float64), requires_grad=True)
        optimizer = make([p])
        history = []
        for t in range(steps):
            optimizer.zero_grad()
            valley(p[0], p[1]).backward()
            p.grad += noise[t]                     # a mini-batch's noise on the exact gradient
            optimizer.step()
            history.append(effective_step(name, optimizer, p))
        sizes[name], ends[name] = np.array(history), p.data.copy()
    return sizes, ends


def moving_averages(rng, steps=EMA_STEPS):
    """EMAs of a noisy constant gradient g = 1 + N(0, 1), raw and bias-corrected."""
    g = 1.0 + rng.normal(size=steps)
    raw, corrected = {}, {}
    for beta in BETAS:
        m, values = 0.0, []
        for gt in g:
            m = beta * m + (1 - beta) * gt
            values.append(m)
        raw[beta] = np.array(values)
        corrected[beta] = raw[beta] / (1 - beta ** np.arange(1, steps + 1))
    return g, raw, corrected


def adam_first_steps(steps=ADAM_STEPS, lr=0.01, gradient=1.0):
    """|Δθ| / η for Adam's first steps on f(θ) = gradient·θ: library Adam (bias-corrected) and
    the same rule without the corrections, written out here."""
    theta = Tensor(np.array([0.0]), requires_grad=True)
    adam = optim.Adam([theta], lr=lr)
    beta1, beta2 = adam.param_groups[0]["betas"]
    eps = adam.param_groups[0]["eps"]
    with_correction, without = [], []
    m = v = 0.0
    for _ in range(steps):
        before = float(theta.data[0])
        adam.zero_grad()
        (theta * gradient).sum().backward()
        adam.step()
        with_correction.append(abs(float(theta.data[0]) - before) / lr)
        m = beta1 * m + (1 - beta1) * gradient           # the same averages, no correction
        v = beta2 * v + (1 - beta2) * gradient ** 2
        without.append(lr * m / (np.sqrt(v) + eps) / lr)
    return np.array(with_correction), np.array(without)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_STEPS} steps on the valley, for a smoke test")
    args = parser.parse_args(argv)
    steps = QUICK_STEPS if args.quick else STEPS
    tinygrad_edu.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    sizes, ends = step_sizes(steps, rng)
    early, late = steps // 4 - 1, steps - 1
    print(f"1. Effective step per coordinate on x²/20 + y² with gradient noise {NOISE.tolist()}"
          f", lr {LR}, {steps} steps")
    print(f"  {'optimizer':9s} {'x at step ' + str(early + 1):>14s} {'x at the end':>13s} "
          f"{'y at step ' + str(early + 1):>14s} {'y at the end':>13s}   end point")
    for name, s in sizes.items():
        print(f"  {name:9s} {s[early, 0]:14.4g} {s[late, 0]:13.4g} {s[early, 1]:14.4g} "
              f"{s[late, 1]:13.4g}   ({ends[name][0]:.3f}, {ends[name][1]:.3f})")
    g, raw, corrected = moving_averages(rng)
    print(f"\n2. Moving averages of g = 1 + N(0, 1) over {EMA_STEPS} steps (the std: over the "
          f"last {EMA_STEPS - EMA_STEPS // 4})")
    print(f"  {'beta':>5s} {'raw at step 10':>15s} {'corrected at 10':>16s} "
          f"{'std after burn-in':>18s} {'theory √((1−β)/(1+β))':>22s}")
    stds = {}
    for beta in BETAS:
        tail = raw[beta][EMA_STEPS // 4:]           # after the start-up bias has gone
        stds[beta] = float(np.std(tail))
        print(f"  {beta:5g} {raw[beta][9]:15.3f} {corrected[beta][9]:16.3f} {stds[beta]:18.3f} "
              f"{np.sqrt((1 - beta) / (1 + beta)):22.3f}")
    with_correction, without = adam_first_steps()
    print(f"\n3. Adam's first {ADAM_STEPS} steps on a constant gradient, |Δθ| / η:")
    print("  with bias correction:    " + " ".join(f"{r:.2f}" for r in with_correction[:8])
          + " ...")
    print("  without bias correction: " + " ".join(f"{r:.2f}" for r in without[:8]) + " ...")

    adagrad, rmsprop = sizes["AdaGrad"], sizes["RMSprop"]
    print("\nWhat to look at (23_adaptive_insides.png):\n"
          f"  left: AdaGrad's step keeps shrinking (y: {adagrad[early, 1]:.3g} at step "
          f"{early + 1}, {adagrad[late, 1]:.3g} at step {late + 1}: ÷"
          f"{adagrad[early, 1] / adagrad[late, 1]:.2f};\n    1/√t would be ÷2); "
          f"RMSprop's levels off at about η/noise (y: {rmsprop[early, 1]:.3g} -> "
          f"{rmsprop[late, 1]:.3g};\n    η/0.5 = {LR / NOISE[1]:.3g}). In each, the quiet flat x "
          "gets the larger step.\n"
          f"  middle: β = 0.99 is smoothest (std {stds[0.99]:.3f} vs {stds[0.5]:.3f} at β = 0.5)"
          f" but starts biased to 0\n    (raw {raw[0.99][9]:.3f} at step 10; corrected "
          f"{corrected[0.99][9]:.3f}).\n"
          f"  right: with bias correction each of Adam's steps is η; without, up to "
          f"{without.max():.1f}η (step {int(without.argmax()) + 1}).")
    result = {"sizes": sizes, "ends": ends, "steps": steps, "ema": {"g": g, "raw": raw,
              "corrected": corrected, "std": stds}, "adam_with_correction": with_correction,
              "adam_without_correction": without}

    path = os.path.join(args.out, "23_adaptive_insides.png")
    path = save_figure(lambda plt: plot(result, plt), path, dpi=args.dpi)
    if path:
        result["image"] = path
    return result


def plot(result, plt):
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 4.6), layout="constrained")
    for name, s in result["sizes"].items():
        t = np.arange(1, len(s) + 1)
        left.loglog(t, s[:, 0], color=COLORS[name], linewidth=2, label=f"{name}, x (flat)")
        left.loglog(t, s[:, 1], color=COLORS[name], linewidth=1.5, linestyle="--",
                    label=f"{name}, y (steep)")
    left.set_xlabel("step")
    left.set_ylabel("effective step size (log)")
    left.set_title("Per-coordinate step sizes on the noisy valley", fontsize=10)
    left.grid(True, which="major", alpha=0.3)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=8,
                frameon=False)

    ema = result["ema"]
    t = np.arange(1, EMA_SHOWN + 1)
    ema = {"g": ema["g"][:EMA_SHOWN], "raw": {b: r[:EMA_SHOWN] for b, r in ema["raw"].items()},
           "corrected": {b: c[:EMA_SHOWN] for b, c in ema["corrected"].items()}}
    middle.plot(t, ema["g"], color="0.75", linestyle="none", marker=".", markersize=3,
                label="noisy gradient g = 1 + N(0, 1)")
    for beta, color, width in zip(BETAS, ["#1f77b4", "#ff7f0e", "#2ca02c"], [0.9, 1.6, 2.4]):
        middle.plot(t, ema["raw"][beta], color=color, linewidth=width, label=f"EMA, β = {beta}")
    middle.plot(t, ema["corrected"][0.99], color="black", linewidth=1.6, linestyle="--",
                label="β = 0.99, bias-corrected")
    middle.axhline(1.0, color="black", linewidth=0.8)
    middle.set_ylim(-1.5, 3.5)
    middle.set_xlabel("step")
    middle.set_ylabel("gradient / its average")
    middle.set_title("Exponential moving averages m ← βm + (1 − β)g", fontsize=10)
    middle.grid(True, alpha=0.3)
    middle.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8,
                  frameon=False)

    k = np.arange(1, len(result["adam_without_correction"]) + 1)
    right.plot(k, result["adam_without_correction"], color="#d62728", marker="o",
               linewidth=2, label="without bias correction")
    right.plot(k, result["adam_with_correction"], color="#1f77b4", marker="s", linewidth=2,
               label="with bias correction (optim.Adam)")
    right.set_ylim(0, None)
    right.set_xticks(range(0, len(k) + 1, 5))
    right.set_xlabel("step")
    right.set_ylabel("|Δθ| / learning rate")
    right.set_title("Adam's first steps, constant gradient", fontsize=10)
    right.grid(True, alpha=0.3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=1, fontsize=8,
                 frameon=False)
    return figure


if __name__ == "__main__":
    main()
