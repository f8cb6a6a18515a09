"""Numerical vs analytic gradients: how small should ε be, and why we train with backprop.

Left picture: the error of a finite-difference derivative of f(x) = eˣ·sin x at x = 1, against
the step ε, on log-log axes. Coming in from the right, the *forward* difference
(f(x+ε) − f(x))/ε loses one digit of error per digit of ε (slope 1: its error is ε·f''/2),
the *central* difference (f(x+ε) − f(x−ε))/2ε loses two (slope 2: ε²·f'''/6). Then both
turn around: f(x ± ε) are rounded to about 16 significant digits, and dividing that rounding
error by a tiny ε blows it up like 1/ε (slope −1). The best ε sits where the two meet —
about 1e-8 for forward, about 1e-5 to 1e-6 for central, which is then 100× or more
more accurate (the round-off part is jagged: it is rounding, not a smooth law).

Right picture: the price. A numerical gradient needs two evaluations of the function *per
parameter*, so its time grows in proportion to the number of parameters n; one backward pass
gives all n partial derivatives for about the cost of one more forward pass. At n = 1000 the
numerical gradient is already hundreds of times slower — and a real network has millions.
That is why we train with backprop and only *check* it with finite differences.

    python demos/12_numerical_vs_analytic.py     # or: tinygrad-edu demo numerical_vs_analytic
"""
import argparse
import math
import os
import time

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, Value
from tinygrad_edu.gradcheck import numerical_gradient

X0 = 1.0                      # where we differentiate
ROUNDING = 2.0 ** -53         # the relative rounding error of one float64 operation


def f(x):
    """f(x) = eˣ·sin x on a Value (so autograd can differentiate it) or a float."""
    x = x if isinstance(x, Value) else Value(x)
    return x.exp() * x.sin()


# Its derivatives by hand, for the error model drawn as dashed lines.
def f2(x):
    return 2 * math.exp(x) * math.cos(x)                     # f''


def f3(x):
    return 2 * math.exp(x) * (math.cos(x) - math.sin(x))      # f'''


def difference_errors(epsilons):
    """|forward − exact| and |central − exact| for each ε; exact = autograd's f'(X0)."""
    x = Value(X0)
    f(x).backward()
    exact = x.grad                            # eˣ(sin x + cos x), by the chain rule
    fx = f(X0).data
    forward = np.array([abs((f(X0 + e).data - fx) / e - exact) for e in epsilons])
    central = np.array([abs((f(X0 + e).data - f(X0 - e).data) / (2 * e) - exact)
                        for e in epsilons])
    return exact, forward, central


def slope(epsilons, errors, low, high):
    """The log-log slope of the errors over low ≤ ε ≤ high (a least-squares line)."""
    chosen = (epsilons >= low) & (epsilons <= high) & (errors > 0)
    return float(np.polyfit(np.log10(epsilons[chosen]), np.log10(errors[chosen]), 1)[0])


def make_problem(n, rng):
    """A small model with n parameters: loss(w) = mean((tanh(X w) − y)²), X of shape (64, n)."""
    X = rng.standard_normal((64, n)) / math.sqrt(n)
    y = rng.standard_normal(64)

    def loss(w):
        return (((Tensor(X) @ w).tanh() - y) ** 2).mean()
    return loss, rng.standard_normal(n)


def best_time(function, repeats):
    """The fastest of a few runs (the least disturbed by anything else on the machine)."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times)


def time_gradients(sizes, rng):
    """Seconds for the numerical gradient and for one forward + backward, per size n."""
    rows = []
    for n in sizes:
        loss, w0 = make_problem(n, rng)

        def numerical():
            with tinygrad_edu.no_grad():          # only function values: record no graph
                return numerical_gradient(lambda w: loss(Tensor(w)).item(), w0)

        def backprop():
            w = Tensor(w0, requires_grad=True)
            loss(w).backward()
            return w.grad

        agree = float(np.max(np.abs(numerical() - backprop())))
        rows.append({"n": n, "numerical": best_time(numerical, 2),
                     "backprop": best_time(backprop, 5), "max_difference": agree})
    return rows


def plot(epsilons, forward, central, exact, rows, path, dpi=100):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    left.loglog(epsilons, forward, "o-", markersize=3, label="forward (f(x+ε) − f(x)) / ε")
    left.loglog(epsilons, central, "s-", markersize=3, label="central (f(x+ε) − f(x−ε)) / 2ε")
    fx = abs(f(X0).data)
    model = np.logspace(-16, 0, 200)
    left.loglog(model, abs(f2(X0)) / 2 * model, "C0--", linewidth=0.8,
                label="truncation ε·|f''|/2 (slope 1)")
    left.loglog(model, abs(f3(X0)) / 6 * model ** 2, "C1--", linewidth=0.8,
                label="truncation ε²·|f'''|/6 (slope 2)")
    left.loglog(model, ROUNDING * fx / model, "k:", linewidth=0.8,
                label="round-off ≈ 2⁻⁵³·|f| / ε (slope −1)")
    left.set_ylim(1e-12, 1e1)
    left.set_xlabel("step ε")
    left.set_ylabel(f"|estimate − exact|   (exact f'(1) = {exact:.6f})")
    left.set_title("Error of finite differences for f(x) = eˣ·sin x at x = 1")
    below = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.13), "fontsize": 8,
             "frameon": False}                  # under the axes: inside, it hid the curves
    left.legend(ncol=2, **below)
    left.grid(True, which="major", alpha=0.3)

    sizes = [r["n"] for r in rows]
    right.loglog(sizes, [r["numerical"] for r in rows], "o-",
                 label="numerical gradient (2n forward passes)")
    right.loglog(sizes, [r["backprop"] for r in rows], "s-",
                 label="backprop (1 forward + 1 backward)")
    right.set_xlabel("number of parameters n")
    right.set_ylabel("seconds for one full gradient")
    right.set_title("The cost of one gradient: numerical vs backprop")
    right.legend(ncol=1, **below)
    right.grid(True, which="major", alpha=0.3)
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNGs")
    parser.add_argument("--quick", action="store_true",
                        help="sizes n = 10, 30, 100 only, for a smoke test")
    args = parser.parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    epsilons = np.logspace(-16, 0, 65)             # four points per decade
    exact, forward, central = difference_errors(epsilons)
    at = int(np.argmin(np.abs(epsilons - 1e-4)))
    best_forward, best_central = int(np.argmin(forward)), int(np.argmin(central))
    result = {
        "epsilons": epsilons, "forward_errors": forward, "central_errors": central,
        "forward_error_at_1e-4": float(forward[at]), "central_error_at_1e-4": float(central[at]),
        "best_eps_forward": float(epsilons[best_forward]),
        "best_eps_central": float(epsilons[best_central]),
        "forward_slope": slope(epsilons, forward, 1e-4, 1e-1),
        "central_slope": slope(epsilons, central, 1e-3, 1e-1),
        "roundoff_slope": slope(epsilons, central, 1e-13, 1e-9),
    }
    print(f"f(x) = eˣ·sin x,  f'(1) = {exact:.12f} (autograd on Values)\n")
    print(f"{'ε':>8s} {'forward error':>14s} {'central error':>14s}")
    for e in [1e-1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12]:
        i = int(np.argmin(np.abs(epsilons - e)))
        print(f"{e:8.0e} {forward[i]:14.2e} {central[i]:14.2e}")
    print(f"\nslopes on the log-log plot: forward {result['forward_slope']:.2f} (theory 1), "
          f"central {result['central_slope']:.2f} (theory 2), "
          f"round-off region {result['roundoff_slope']:.2f} (theory −1)")
    print(f"best ε: forward {result['best_eps_forward']:.0e} (error {forward[best_forward]:.1e}),"
          f" central {result['best_eps_central']:.0e} (error {central[best_central]:.1e})\n")

    sizes = [10, 30, 100] if args.quick else [10, 20, 50, 100, 200, 500, 1000]
    rows = time_gradients(sizes, rng)
    print(f"{'n':>5s} {'numerical':>11s} {'backprop':>11s} {'ratio':>7s} {'max |difference|':>17s}")
    for r in rows:
        print(f"{r['n']:5d} {r['numerical'] * 1e3:9.2f}ms {r['backprop'] * 1e3:9.3f}ms "
              f"{r['numerical'] / r['backprop']:6.0f}x {r['max_difference']:17.1e}")
    print("the numerical gradient's time grows in proportion to n; backprop's hardly moves")
    print("\nWhat to look at (12_numerical_vs_analytic.png): left, the error of each "
          "difference quotient\n  against ε — forward falls with slope 1, central with slope "
          f"2 (at ε = 1e-4: {result['forward_error_at_1e-4']:.1e}\n  vs "
          f"{result['central_error_at_1e-4']:.1e}), and both rise again at tiny ε "
          "(round-off).\n  Right, the cost: a numerical gradient needs 2n forward passes "
          f"({rows[-1]['numerical'] / rows[-1]['backprop']:.0f}× backprop at n = {rows[-1]['n']}).")
    result["timings"] = rows

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "12_numerical_vs_analytic.png")
    plot(epsilons, forward, central, exact, rows, path, dpi=args.dpi)
    print(f"\npicture written to {path}")
    result["image"] = path
    return result


if __name__ == "__main__":
    main()
