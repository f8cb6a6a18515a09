"""Newton's method with exact Hessians: one step on a quadratic, damped on Rosenbrock, attracted by a saddle.

Gradient descent steps along −∇f with one learning rate for every direction, so on the valley
x²/20 + y² (curvatures 0.1 and 2, condition number κ = 20) the rate that the steep y
direction allows is 20 times too small for the flat x direction. Newton's method rescales
every direction by its own curvature, using the Hessian H (the matrix of second derivatives):

    x ← x − H⁻¹ ∇f(x)

On a quadratic f = ½ xᵀHx + bᵀx this lands on the minimum in ONE step, whatever κ is. The
Hessians here are exact, by double backprop (``autograd.grad(..., create_graph=True)`` on
Values): differentiate the gradient once more. The finite-difference Hessian
(``numerical_hessian``) is printed beside it as the check.

Three landscapes, three lessons:

* **valley** x²/20 + y²: Newton in one step; gradient descent and momentum need dozens;
* **Rosenbrock**: far from the minimum the quadratic model is poor, so the full step can
  overshoot: *damped* Newton halves the step until f decreases (a backtracking line search),
  and would shift H to be positive definite where it is not (Rosenbrock's H is indefinite
  above the valley; this path never goes there). It still needs ~20 steps where Adam needs
  ~2,000;
* **saddle** x² − y² from (2, 0.001): Newton's step goes to where the gradient of the
  quadratic model is zero — and at a saddle, that is the saddle itself. Plain Newton lands on
  (0, 0) in one step and stays: it is *attracted* by every critical point, minimum or not.
  The fix, saddle-free Newton, divides by |λ| instead of λ along each eigenvector of H
  (x ← x − |H|⁻¹∇f): a descent direction always, so it runs away from the saddle along y.

Last, **Hessian-vector products at scale**: H·v costs two backward passes
(``autograd.functional.hvp``) without forming H, so power iteration finds the largest
eigenvalue λmax of a loss's Hessian. Gradient descent with rate η is stable on a quadratic
only if η < 2/λmax (checked on linear regression: 0.9·2/λmax converges, 1.1·2/λmax
diverges). Training an MLP with full-batch gradient descent, λmax rises during training
until it reaches about 2/η and then hovers there: the "edge of stability" (Cohen et al., 2021).

    python demos/20_newton.py           # or: tinygrad-edu demo newton   (--quick: fewer steps)

Prints every comparison with its numbers; writes ``<out>/20_newton.png``.
"""
import argparse
import os

import numpy as np

from tinygrad_edu import Tensor, Value, optim
from tinygrad_edu.autograd import grad
from tinygrad_edu.autograd.functional import hessian, hvp
from tinygrad_edu.data import make_moons
from tinygrad_edu.gradcheck import numerical_hessian
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer
from tinygrad_edu.nn import functional as F


# ------------------------------------------------------------------ exact derivatives
def gradient_and_hessian(f, point):
    """∇f and the exact Hessian of f(x, y) at ``point``, by double backprop on Values."""
    x, y = Value(float(point[0])), Value(float(point[1]))
    gradient = grad(f(x, y), [x, y], create_graph=True)    # Values with their own graph
    H = np.zeros((2, 2))
    for i, g in enumerate(gradient):                       # row i: ∇ of ∂f/∂x_i
        H[i] = [0.0 if h is None else h.data for h in grad(g, [x, y], allow_unused=True)]
    return np.array([g.data for g in gradient]), H


def newton(f, start, steps, saddle_free=False):
    """Plain Newton x ← x − H⁻¹∇f, or saddle-free Newton x ← x − |H|⁻¹∇f (|H| = H with every
    eigenvalue replaced by its absolute value). Returns the path, shape (steps + 1, 2)."""
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        g, H = gradient_and_hessian(f, path[-1])
        if saddle_free:
            eigenvalues, vectors = np.linalg.eigh(H)
            H = vectors @ np.diag(np.abs(eigenvalues)) @ vectors.T
        path.append(path[-1] - np.linalg.solve(H, g))
    return np.array(path)


def damped_newton(f, start, steps, min_curvature=1e-3):
    """Newton with H shifted to be positive definite (every eigenvalue ≥ ``min_curvature``)
    and a backtracking line search: halve the step until f falls by at least 1e-4 of what the
    slope promises (Armijo's condition). Returns the path and how many steps needed the
    shift and how many a shorter step."""
    path, shifted, shortened = [np.array(start, dtype=float)], 0, 0
    for _ in range(steps):
        p = path[-1]
        g, H = gradient_and_hessian(f, p)
        shift = max(0.0, min_curvature - np.linalg.eigvalsh(H)[0])
        direction = -np.linalg.solve(H + shift * np.eye(2), g)
        t = 1.0
        while f(*(p + t * direction)) > f(*p) + 1e-4 * t * (g @ direction) and t > 1e-12:
            t /= 2
        shifted += shift > 0
        shortened += t < 1
        path.append(p + t * direction)
    return np.array(path), shifted, shortened


def first_step_below(f, path, tolerance):
    below = [k for k, p in enumerate(path) if f(*p) < tolerance]
    return below[0] if below else None


# ------------------------------------------------------ Hessian-vector products at scale
def power_iteration(loss, theta, iterations, seed=0):
    """λmax of the Hessian of ``loss`` at ``theta`` from products H·v only (``hvp``)."""
    v = np.random.default_rng(seed).standard_normal(theta.shape)
    v /= np.linalg.norm(v)
    eigenvalue = 0.0
    for _ in range(iterations):
        Hv = hvp(loss, theta, v)[1].data
        eigenvalue = float(v @ Hv)                  # the Rayleigh quotient vᵀHv, |v| = 1
        v = Hv / np.linalg.norm(Hv)
    return eigenvalue


def linear_regression(seed=0):
    """L(w) = ‖Xw − y‖²/(2n): a quadratic with Hessian XᵀX/n."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5)) * np.array([3.0, 1.0, 1.0, 0.5, 0.2])
    y = X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(50)

    def loss(w):
        residual = Tensor(X) @ w - Tensor(y)
        return (residual * residual).sum() / (2 * len(y))
    return loss, X


def gradient_descent(loss, start, lr, steps):
    """Full-batch gradient descent; returns the losses (inf once it overflows)."""
    theta, losses = Tensor(start, requires_grad=True), []
    for _ in range(steps):
        value = loss(theta)
        losses.append(value.item())
        if not np.isfinite(losses[-1]) or losses[-1] > 1e100:
            losses[-1] = np.inf
            break
        (g,) = grad(value, [theta])
        theta = Tensor(theta.data - lr * g.data, requires_grad=True)
    return np.array(losses), theta


class TinyMLP:
    """A 2-16-1 tanh network on two moons (labels ±1, MSE), its parameters one flat vector
    θ so that the loss is a function of one Tensor (what ``hessian``/``hvp`` take)."""
    shapes = [(16, 2), (16,), (1, 16), (1,)]

    def __init__(self, points=64, seed=0):
        X, labels = make_moons(points, noise=0.1, seed=seed)
        self.X, self.y = Tensor(X), Tensor(2.0 * labels - 1.0)

    def __call__(self, theta):
        parts, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            parts.append(theta[start:start + size].reshape(shape))
            start += size
        w1, b1, w2, b2 = parts
        out = F.linear(F.linear(self.X, w1, b1).tanh(), w2, b2)
        return F.mse_loss(out.reshape(-1), self.y)

    def initial(self, seed=1):
        rng = np.random.default_rng(seed)
        return np.concatenate([rng.standard_normal(int(np.prod(s))) / np.sqrt(s[-1])
                               for s in self.shapes])


def sharpness_during_training(model, lr, steps, every, iterations):
    """Full-batch gradient descent at rate ``lr``; λmax by power iteration every ``every``
    steps. Returns (steps measured, λmax at each, losses)."""
    theta = Tensor(model.initial(), requires_grad=True)
    measured, sharpness, losses = [], [], []
    for step in range(steps + 1):
        loss = model(theta)
        losses.append(loss.item())
        if step % every == 0:
            measured.append(step)
            sharpness.append(power_iteration(model, theta, iterations))
        (g,) = grad(loss, [theta])
        theta = Tensor(theta.data - lr * g.data, requires_grad=True)
    return np.array(measured), np.array(sharpness), np.array(losses)


# --------------------------------------------------------------------------- the story
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="the seed of the power iterations")
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    args = parser.parse_args(argv)
    np.set_printoptions(precision=4, suppress=True)
    result = {}

    # ---- exact Hessians, checked by finite differences -----------------------------------
    print("Exact Hessians by double backprop, against central differences:")
    checks = {}
    for name, point in [("ill_conditioned", (-7.0, 2.0)), ("rosenbrock", (-1.5, 2.0)),
                        ("saddle", (2.0, 0.001)), ("himmelblau", (1.0, -2.0))]:
        f = LANDSCAPES[name]
        exact = gradient_and_hessian(f, point)[1]
        numerical = numerical_hessian(lambda v: f(float(v[0]), float(v[1])), np.array(point))
        checks[name] = float(np.abs(exact - numerical).max())
        print(f"  {name:16s} at {point}: H = {exact.tolist()}, "
              f"max |exact − numerical| = {checks[name]:.1e}")
    result["hessian_differences"] = checks

    # ---- the valley: one Newton step ------------------------------------------------------
    valley = LANDSCAPES["ill_conditioned"]
    newton_path = newton(valley, valley.start, steps=1)
    error = float(np.abs(newton_path[-1]).max())
    limit = 2.0 / 2.0                                 # 2/λmax with λmax = 2 (along y)
    kappa = 20.0
    mu = ((kappa ** 0.5 - 1) / (kappa ** 0.5 + 1)) ** 2
    lr_momentum = 4.0 / (2.0 ** 0.5 + 0.1 ** 0.5) ** 2
    steps = 60 if args.quick else 300
    valley_paths = {
        "Newton (1 step)": newton_path,
        "GD lr=0.95·2/λmax": run_optimizer(valley, lambda p: optim.SGD(p, lr=0.95 * limit),
                                           steps=steps),
        f"momentum μ={mu:.2f}": run_optimizer(
            valley, lambda p: optim.SGD(p, lr=lr_momentum, momentum=mu), steps=steps)}
    valley_steps = {name: first_step_below(valley, path, 1e-10)
                    for name, path in valley_paths.items()}
    print(f"\nvalley {valley.formula} from {valley.start} (κ = 20): one Newton step lands at "
          f"{newton_path[-1]} (max |error| {error:.1e});")
    for name, k in valley_steps.items():
        print(f"  {name:22s} f < 1e-10 after {k if k is not None else f'> {steps}'} steps")
    result.update(valley_newton_point=newton_path[-1], valley_newton_error=error,
                  valley_steps=valley_steps)

    # ---- Rosenbrock: damped Newton against Adam ----------------------------------------------
    rosenbrock = LANDSCAPES["rosenbrock"]
    adam_steps = 300 if args.quick else 4000
    damped, shifted, shortened = damped_newton(rosenbrock, rosenbrock.start, steps=30)
    ros_paths = {"Adam lr=0.02": run_optimizer(rosenbrock, lambda p: optim.Adam(p, lr=0.02),
                                               steps=adam_steps),
                 "damped Newton": damped}                     # drawn last: on top
    ros_steps = {name: first_step_below(rosenbrock, path, 1e-6) for name, path in ros_paths.items()}
    print(f"\nRosenbrock from {rosenbrock.start}: damped Newton needed the shift (H not "
          f"positive definite) at {shifted} and a shorter step at {shortened} of its 30 steps "
          f"(the full step would have raised f):")
    for name, k in ros_steps.items():
        print(f"  {name:14s} f < 1e-6 after {k if k is not None else f'> {adam_steps}'} steps")
    result["rosenbrock_steps"] = ros_steps

    # ---- the saddle: Newton is attracted, saddle-free Newton escapes -----------------------
    saddle = LANDSCAPES["saddle"]
    saddle_paths = {"GD lr=0.1": run_optimizer(saddle, lambda p: optim.SGD(p, lr=0.1), steps=40),
                    "Newton": newton(saddle, saddle.start, steps=5),
                    "saddle-free Newton": newton(saddle, saddle.start, steps=12, saddle_free=True)}
    landed = saddle_paths["Newton"][1]
    escaped = saddle_paths["saddle-free Newton"]
    escape_step = int(np.argmax(np.abs(escaped[:, 1]) > 1.0))
    _, H_saddle = gradient_and_hessian(saddle, saddle.start)
    print(f"\nsaddle {saddle.formula} from {saddle.start}: H = {H_saddle.tolist()} (eigenvalues "
          f"2 and −2). Newton's first step lands on {landed} — the saddle, where ∇f = 0, and "
          f"stays; saddle-free Newton (|H| = diag(2, 2)) keeps x → 0 but doubles y every step: "
          f"|y| > 1 after {escape_step} steps, f = {saddle(*escaped[-1]):.3g} and falling.")
    result.update(saddle_newton_point=landed, saddle_free_escape_step=escape_step,
                  saddle_free_final=escaped[-1])

    # ---- Hessian-vector products: λmax and the step-size limit 2/λmax -----------------------
    regression, X = linear_regression()
    w0 = np.zeros(5)
    lam_power = power_iteration(regression, Tensor(w0), iterations=100, seed=args.seed)
    lam_exact = float(np.linalg.eigvalsh(X.T @ X / len(X))[-1])
    gd_steps = 200 if args.quick else 1000
    below, _ = gradient_descent(regression, w0, 0.9 * 2 / lam_power, gd_steps)
    above, _ = gradient_descent(regression, w0, 1.1 * 2 / lam_power, gd_steps)
    print(f"\nlinear regression (a quadratic, H = XᵀX/n): λmax by power iteration on hvp = "
          f"{lam_power:.6f}, by eigvalsh of XᵀX/n = {lam_exact:.6f}. Gradient descent at "
          f"0.9·2/λmax: loss {below[0]:.3g} → {below[-1]:.3g}; at 1.1·2/λmax: "
          f"{above[0]:.3g} → {above[-1]:.3g} after {len(above)} steps (diverges).")
    result.update(regression_lambda_power=lam_power, regression_lambda_exact=lam_exact,
                  regression_below=below, regression_above=above)

    model = TinyMLP()
    theta = Tensor(model.initial())
    lam_mlp = power_iteration(model, theta, iterations=60, seed=args.seed)
    lam_mlp_exact = float(np.linalg.eigvalsh(hessian(model, theta).data)[-1])
    print(f"MLP 2-16-1 (tanh, MSE, 65 parameters) at its initial weights: λmax by power "
          f"iteration {lam_mlp:.6f}, from the exact 65×65 Hessian {lam_mlp_exact:.6f}")
    result.update(mlp_lambda_power=lam_mlp, mlp_lambda_exact=lam_mlp_exact)

    lr = 0.2
    train_steps, every = (100, 50) if args.quick else (2000, 50)
    measured, sharpness, losses = sharpness_during_training(model, lr, train_steps, every,
                                                            iterations=20)
    print(f"full-batch GD at η = {lr} (2/η = {2 / lr:g}): λmax "
          + ", ".join(f"{s:.1f}" for s in sharpness[::max(1, len(sharpness) // 8)])
          + f" (every {every * max(1, len(sharpness) // 8)} steps); loss {losses[0]:.3f} → "
          f"{losses[-1]:.3f}. The sharpness rises until it reaches 2/η and then hovers "
          f"around it, the edge of stability, while the loss keeps falling, not monotonically.")
    result.update(eos_lr=lr, eos_steps=measured, eos_sharpness=sharpness, eos_losses=losses)
    print(f"\nWhat to look at (20_newton.png): Newton divides by the curvature, so on a "
          f"quadratic one step is enough\n  (the valley), and damped Newton reaches "
          f"Rosenbrock's minimum in a few dozen steps; but Newton goes to where ∇f = 0,\n"
          f"  so at a saddle it is attracted, not repelled. Last panel: GD's sharpness λmax "
          f"climbs to 2/η = {2 / lr:g} and hovers there.")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: no picture (pip install "tinygrad_edu[viz]")')
        return result
    result["image"] = draw(plt, args.out, valley, valley_paths, rosenbrock, ros_paths, saddle,
                           saddle_paths, measured, sharpness, losses, lr)
    print(f"\npicture written to {result['image']}")
    return result


def draw(plt, out, valley, valley_paths, rosenbrock, ros_paths, saddle, saddle_paths,
         measured, sharpness, losses, lr):
    from tinygrad_edu.viz import plot_trajectories
    os.makedirs(out, exist_ok=True)
    figure, axes = plt.subplots(2, 2, figsize=(13, 10))
    plot_trajectories(valley, {k: v[:61] for k, v in valley_paths.items()}, ax=axes[0, 0])
    axes[0, 0].set_title("valley x²/20 + y² (κ = 20): Newton in one step", fontsize=10)
    plot_trajectories(rosenbrock, ros_paths, ax=axes[0, 1])
    axes[0, 1].set_title("Rosenbrock: damped Newton vs Adam", fontsize=10)
    plot_trajectories(saddle, saddle_paths, ax=axes[1, 0])
    newton_path = saddle_paths["Newton"]           # under the others' first step: redraw it
    axes[1, 0].plot(newton_path[:, 0], newton_path[:, 1], color="tab:orange", linewidth=3,
                    linestyle="--", zorder=5)
    axes[1, 0].annotate("Newton stops here:\nthe saddle (∇f = 0)", xy=(0, 0), xytext=(0.4, -1.2),
                        arrowprops={"arrowstyle": "->"}, fontsize=9,
                        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    axes[1, 0].set_title("saddle x² − y² from (2, 0.001): Newton lands ON the saddle,\n"
                         "saddle-free Newton (|H|) escapes along y", fontsize=10)
    ax = axes[1, 1]
    ax.plot(measured, sharpness, marker="o", markersize=3, label="λmax (power iteration on hvp)")
    ax.axhline(2 / lr, color="black", linestyle="--", label=f"2/η = {2 / lr:g}")
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("λmax of the loss's Hessian")
    ax.set_title(f"MLP, full-batch GD at η = {lr}: the sharpness rises to 2/η", fontsize=10)
    twin = ax.twinx()
    twin.semilogy(np.arange(len(losses)), losses, color="tab:gray", alpha=0.6, linewidth=1)
    twin.set_ylabel("loss (grey, log scale)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(True, alpha=0.3)
    figure.tight_layout()
    path = os.path.join(out, "20_newton.png")
    figure.savefig(path, dpi=70)
    plt.close(figure)
    return path


if __name__ == "__main__":
    main()
