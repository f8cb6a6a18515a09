"""Curvature: the Hessian's eigenvalues explain the zig-zag of SGD and the escape from a saddle.

Near a point, a loss looks like a quadratic bowl whose shape is its Hessian H (the matrix of
second derivatives), computed here exactly by double backprop (differentiate the gradient
again: ``autograd.grad(..., create_graph=True)`` on Values) and checked against finite
differences (``tinygrad_edu.gradcheck.numerical_hessian``; the difference is printed). Along an eigenvector of H with eigenvalue λ,
one gradient step multiplies the distance to the minimum by (1 − lr·λ). So:

* the steepest direction (λ_max) limits the learning rate: |1 − lr·λ_max| < 1 needs
  lr < 2/λ_max, and just below that limit the factor is close to −1 — the point jumps from
  one wall of the valley to the other, a zig-zag;
* the flattest direction (λ_min) then shrinks only by 1 − lr·λ_min ≥ 1 − 2λ_min/λ_max per
  step: the condition number κ = λ_max/λ_min sets how slow plain SGD is;
* momentum with Polyak's tuning (μ = ((√κ − 1)/(√κ + 1))², lr = 4/(√λ_max + √λ_min)²)
  improves the factor from (κ − 1)/(κ + 1) to (√κ − 1)/(√κ + 1);
* at a saddle point the gradient is zero but H has a negative eigenvalue: its eigenvector is
  the way down (the escape direction), along which a gradient step *grows* the distance by
  (1 + lr·|λ|).

    python demos/17_curvature.py        # or: tinygrad-edu demo curvature

Prints the Hessians, eigenvalues and condition number and the runs' numbers; writes
``<out>/17_curvature.png`` (eigenvectors as arrows on the contour maps, the paths, and f per
step).
"""
import argparse
import math
import os

import numpy as np

from tinygrad_edu import Value, optim
from tinygrad_edu.autograd import grad
from tinygrad_edu.gradcheck import numerical_hessian
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer


def exact_hessian(landscape, point):
    """H of f(x, y) at ``point`` by double backprop: the gradient, kept differentiable
    (``create_graph=True``), differentiated once more, one row per component."""
    x, y = Value(float(point[0])), Value(float(point[1]))
    gradient = grad(landscape(x, y), [x, y], create_graph=True)
    return np.array([[0.0 if h is None else h.data for h in grad(g, [x, y], allow_unused=True)]
                     for g in gradient])


def finite_difference_gap(landscape, point):
    """max |exact H − central-difference H| at ``point``: the check of the exact one."""
    numerical = numerical_hessian(lambda v: landscape(float(v[0]), float(v[1])),
                                  np.array(point, dtype=np.float64))
    return float(np.abs(exact_hessian(landscape, point) - numerical).max())


def hessian_at(landscape, point):
    """The exact H of f(x, y) at ``point`` and its eigen-decomposition."""
    hessian = exact_hessian(landscape, point)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)     # ascending; columns are vectors
    # an eigenvector's sign is arbitrary: make its largest component positive (arrows point +)
    signs = np.sign(eigenvectors[np.abs(eigenvectors).argmax(axis=0), range(2)])
    eigenvectors = eigenvectors * signs
    return hessian, eigenvalues, eigenvectors


def steps_to(path, landscape, tolerance):
    """First step at which f < tolerance (None if never)."""
    for k, (x, y) in enumerate(path):
        if landscape(x, y) < tolerance:
            return k
    return None


def checked(name, path):
    if np.isnan(path).any():
        raise SystemExit(f"{name}: the point left the map (non-finite); lower its learning rate")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0,
                        help="unused: everything here is deterministic (kept for a uniform CLI)")
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="15 steps, for a smoke test")
    args = parser.parse_args(argv)
    steps = 15 if args.quick else args.steps
    np.set_printoptions(precision=4, suppress=True)

    # ---- the saddle: zero gradient, one negative eigenvalue ------------------------------
    saddle = LANDSCAPES["saddle"]
    s_hessian, s_eigenvalues, s_vectors = hessian_at(saddle, (0.0, 0.0))
    escape = s_vectors[:, 0]                         # eigenvector of the negative eigenvalue
    print(f"saddle f = {saddle.formula}, gradient at (0, 0): {saddle.gradient(0.0, 0.0)}")
    print(f"Hessian at (0, 0):\n{s_hessian}\neigenvalues {s_eigenvalues}; the negative one "
          f"({s_eigenvalues[0]:.3f}) has eigenvector {escape}: the escape direction.")
    saddle_runs = {"SGD lr=0.1": lambda p: optim.SGD(p, lr=0.1),
                   "momentum lr=0.1, μ=0.9": lambda p: optim.SGD(p, lr=0.1, momentum=0.9)}
    saddle_paths = {name: checked(name, run_optimizer(saddle, make, steps=steps))
                    for name, make in saddle_runs.items()}
    escape_steps = {}
    for name, path in saddle_paths.items():
        out = np.nonzero(np.abs(path[:, 1]) > 1.0)[0]
        escape_steps[name] = int(out[0]) if out.size else None
        print(f"  {name:24s} from {saddle.start}: |y| > 1 after "
              f"{escape_steps[name] if out.size else f'more than {steps}'} steps")
    print(f"  (plain SGD multiplies y by 1 + lr·|λ| = {1 + 0.1 * abs(s_eigenvalues[0]):.2f} per "
          f"step: slow while y is tiny; momentum builds up speed along the escape direction)")

    # ---- the valley: condition number, the learning-rate limit, zig-zag -----------------
    valley = LANDSCAPES["ill_conditioned"]
    v_hessian, v_eigenvalues, v_vectors = hessian_at(valley, valley.start)
    other = hessian_at(valley, (3.0, -1.0))[0]
    lam_min, lam_max = float(v_eigenvalues[0]), float(v_eigenvalues[1])
    kappa = lam_max / lam_min
    limit = 2.0 / lam_max
    print(f"\nvalley f = {valley.formula}, Hessian at {valley.start}:\n{v_hessian}\n"
          f"(the same at (3, -1): max difference {np.abs(other - v_hessian).max():.1e} — "
          f"a quadratic has one curvature everywhere)")
    print(f"eigenvalues λ_min = {lam_min:.4f} (along x), λ_max = {lam_max:.4f} (along y); "
          f"condition number κ = {kappa:.2f}")
    print(f"plain SGD is stable only for lr < 2/λ_max = {limit:.4f}")

    lr_sgd = 0.95 * limit
    sqrt_k = math.sqrt(kappa)
    mu = ((sqrt_k - 1) / (sqrt_k + 1)) ** 2
    lr_momentum = 4.0 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2
    print(f"SGD at lr = 0.95·2/λ_max = {lr_sgd:.3f}: per step y is multiplied by "
          f"1 − lr·λ_max = {1 - lr_sgd * lam_max:+.3f} (it flips side: zig-zag) and x by "
          f"1 − lr·λ_min = {1 - lr_sgd * lam_min:.3f} (slow)")
    print(f"momentum, Polyak's tuning from the eigenvalues: μ = {mu:.3f}, lr = {lr_momentum:.3f}"
          f"; contraction per step {(sqrt_k - 1) / (sqrt_k + 1):.3f} instead of "
          f"{(kappa - 1) / (kappa + 1):.3f}.\n  (Its lr is above 2/λ_max: with momentum μ the limit "
          f"is 2(1 + μ)/λ_max = {2 * (1 + mu) / lam_max:.2f}. It swings across the valley too, "
          f"but the swings die out faster.)")
    valley_runs = {f"SGD lr={lr_sgd:.2f}": lambda p: optim.SGD(p, lr=lr_sgd),
                   f"momentum lr={lr_momentum:.2f}, μ={mu:.2f}":
                       lambda p: optim.SGD(p, lr=lr_momentum, momentum=mu)}
    valley_paths = {name: checked(name, run_optimizer(valley, make, steps=steps))
                    for name, make in valley_runs.items()}
    tolerance = 1e-3
    valley_steps, valley_final = {}, {}
    for name, path in valley_paths.items():
        valley_steps[name] = steps_to(path, valley, tolerance)
        valley_final[name] = float(valley(*path[-1]))
        reached = (f"f < {tolerance:g} after {valley_steps[name]} steps"
                   if valley_steps[name] is not None else f"f ≥ {tolerance:g} after {steps} steps")
        print(f"  {name:28s} {reached}, final f = {valley_final[name]:.2e}")
    too_big = run_optimizer(valley, lambda p: optim.SGD(p, lr=1.05 * limit), steps=20)
    print(f"  and at lr = 1.05·2/λ_max = {1.05 * limit:.3f}, just above the limit, |y| goes from "
          f"{abs(too_big[0, 1]):.1f} to {abs(too_big[-1, 1]):.1f} in 20 steps: it diverges.")

    gap = max(finite_difference_gap(saddle, (0.0, 0.0)), finite_difference_gap(valley, valley.start))
    print(f"\n(the Hessians above are exact, by double backprop; central differences "
          f"(numerical_hessian) agree to {gap:.1e})")
    print(f"\nWhat to look at (17_curvature.png): at the saddle the red arrow (λ = "
          f"{s_eigenvalues.min():.0f}) is the way down and out;\n  in the valley the "
          f"eigenvalues differ {kappa:.0f}× (κ): SGD's step, limited by the steep direction, "
          "zig-zags across it\n  and crawls along the flat one; momentum tuned from the "
          "eigenvalues gets there much sooner (right panel).")
    result = {"hessian_check": gap, "saddle_hessian": s_hessian, "saddle_eigenvalues": s_eigenvalues,
              "escape_direction": escape, "saddle_escape_steps": escape_steps,
              "valley_hessian": v_hessian, "valley_eigenvalues": v_eigenvalues,
              "condition_number": kappa, "lr_limit": limit, "lr_sgd": lr_sgd,
              "lr_momentum": lr_momentum, "momentum": mu, "valley_steps_to_tolerance":
              valley_steps, "valley_final_f": valley_final, "diverged_y": float(too_big[-1, 1])}

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    from tinygrad_edu.viz import plot_trajectories
    os.makedirs(args.out, exist_ok=True)
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.8),
                                gridspec_kw={"width_ratios": [1, 1.4, 1]})
    plot_trajectories(saddle, saddle_paths, ax=axes[0])
    draw_eigenvectors(axes[0], (0.0, 0.0), s_eigenvalues, s_vectors, length=1.5)
    axes[0].set_title("saddle x² − y²: H's eigenvectors at (0, 0)", fontsize=10)
    plot_trajectories(valley, valley_paths, ax=axes[1])
    draw_eigenvectors(axes[1], (0.0, 0.0), v_eigenvalues, v_vectors, length=2.0)
    axes[1].set_title(f"valley x²/20 + y²: κ = {kappa:.1f}; SGD at 0.95·2/λ_max zig-zags "
                      f"and crawls along x", fontsize=10)
    for name, path in valley_paths.items():
        axes[2].semilogy([valley(*p) for p in path], label=name)
    axes[2].set_xlabel("step")
    axes[2].set_ylabel("f (log scale)")
    axes[2].set_title("valley: loss per step", fontsize=10)
    axes[2].legend(fontsize=8)
    axes[2].grid(True, alpha=0.3)
    figure.tight_layout()
    path = os.path.join(args.out, "17_curvature.png")
    figure.savefig(path, dpi=80)
    plt.close(figure)
    print(f"\ncontour maps with eigenvectors and paths written to {path}")
    result["image"] = path
    return result


def draw_eigenvectors(ax, at, eigenvalues, eigenvectors, length):
    """Both eigenvectors of H as arrows from ``at``, each labelled with its eigenvalue."""
    for k in range(2):
        color = "red" if eigenvalues[k] < 0 else "black"     # red: the escape direction
        dx, dy = length * eigenvectors[:, k]
        ax.annotate("", xy=(at[0] + dx, at[1] + dy), xytext=at,
                    arrowprops={"arrowstyle": "->", "color": color, "linewidth": 2}, zorder=7)
        ax.text(at[0] + 0.6 * dx, at[1] + 0.6 * dy, f"λ = {eigenvalues[k]:.2f}", color="white",
                fontsize=9, fontweight="bold", zorder=7,
                bbox={"facecolor": "red" if color == "red" else "black", "alpha": 0.6,
                      "edgecolor": "none", "pad": 1})


if __name__ == "__main__":
    main()
