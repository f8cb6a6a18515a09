# %% [markdown]
# # 9. Landscapes: saddles, local minima, curvature · 안장점, 지역 최솟값, 헤시안, 조건수
#
# Post 5 (「Optimizer 기초부터 알아보기」, its opening example) follows a ball on
# f(x, y) = x² − y² from (2, 0.001), with ∂f/∂x = 2x and ∂f/∂y = −2y and the update
# w_t = w_{t−1} − α·∂f/∂w. Post 2 (「[NN] 경사하강법 (Gradient Descent)」, its list of SGD's
# problems) explains slow, zig-zagging descent by the 헤시안 (Hessian) and its 조건수
# (condition number), and names two traps: 지역 최솟값 (local minimum) and 안장점 (saddle
# point). Post 3 (「딥러닝 알아듣기 3.7」, section 3.7.1) opens with the same picture of local
# and global minima. The numbers are those of the table in the
# [course introduction](README.md).

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import _course
from tinygrad_edu import Tensor, optim
from tinygrad_edu.autograd.functional import hessian
from tinygrad_edu.gradcheck import numerical_hessian
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

saddle = LANDSCAPES["saddle"]

# %% [markdown]
# ## Check it yourself: the saddle by hand, α = 1
#
# From (2, 0.001) the gradient is (4, −0.002); one step with α = 1 gives (−2, 0.003). Post 5
# gets that right in its SGD section, but its second step has y = 0.005: from y = 0.003 the
# gradient is −0.006, so y becomes 0.003 + 0.006 = 0.009. Along y each step multiplies by
# (1 + 2α) = 3.

# %%
def by_hand(alpha, steps, point=(2.0, 0.001)):
    x, y = point
    rows = [(x, y)]
    for _ in range(steps):
        x, y = x - alpha * 2 * x, y - alpha * (-2 * y)   # w ← w − α∂f/∂w
        rows.append((x, y))
    return np.array(rows)


def with_library(alpha, steps):
    return run_optimizer(saddle, lambda p: optim.SGD(p, lr=alpha), steps=steps)


for alpha in (1.0, 0.001):
    hand, lib = by_hand(alpha, 2), with_library(alpha, 2)
    for k in range(3):
        print(f"α = {alpha}: step {k}: by hand (x, y) = ({hand[k, 0]:.6g}, {hand[k, 1]:.6g})   "
              f"optim.SGD ({lib[k, 0]:.6g}, {lib[k, 1]:.6g})")
    print(f"          largest difference {np.max(np.abs(hand - lib)):.1e}")

# %% [markdown]
# ## Check it yourself: α = 0.001 moves y *away* from 0
#
# Post 5 then takes α = 0.001 and has the point go to (1.996, 0.000999), with y shrinking
# towards 0. The step along y is −α·(−2y) = +2αy: y *grows* to 0.001002, as printed above. On
# x² − y² the y direction is downhill away from 0 (a maximum along y): that is what makes the
# origin a saddle, and every optimizer escapes along y — slowly, because the push is
# proportional to the tiny y. The x coordinate shrinks by (1 − 2α) per step, y grows by
# (1 + 2α):

# %%
path = with_library(0.001, 2000)
for k in (0, 500, 1000, 2000):
    print(f"step {k:4d}: x = {path[k, 0]:.4f}  y = {path[k, 1]:.6f}   "
          f"(1 + 2α)^k·0.001 = {0.001 * 1.002 ** k:.6f}")

# %% [markdown]
# ## The saddle in three dimensions
#
# The same walk drawn on the surface z = x² − y², with α = 0.1 so that it gets somewhere
# in 40 steps: along x the ball rolls down into the trough x = 0 (shrinking by 1 − 2α =
# 0.8 per step), then along y it rolls off the ridge y = 0 (growing by 1 + 2α = 1.2 per step).
# Near the saddle point itself the surface is flat, the gradient is tiny, and that is why
# escaping takes many steps.

# %%
walk = with_library(0.1, 40)
inside = np.flatnonzero(np.abs(walk).max(axis=1) > 2.5)
walk = walk[: inside[0]] if inside.size else walk          # up to where it leaves the picture
grid_x, grid_y = np.meshgrid(np.linspace(-2.5, 2.5, 50), np.linspace(-2.5, 2.5, 50))
fig = plt.figure(figsize=(6.4, 4.6))
ax = fig.add_subplot(projection="3d", computed_zorder=False)
ax.plot_surface(grid_x, grid_y, grid_x ** 2 - grid_y ** 2, cmap="Greys", alpha=0.55,
                linewidth=0.2, edgecolor="white", zorder=1)
ax.plot(walk[:, 0], walk[:, 1], walk[:, 0] ** 2 - walk[:, 1] ** 2 + 0.05, "o-",
        color="tab:blue", markersize=2.5, label="SGD, α = 0.1", zorder=5)
ax.scatter(2.0, 0.001, 4.0, color="black", s=30, label="start (2, 0.001)", zorder=6)
ax.set_xlabel("x"); ax.set_ylabel("y"); ax.set_zlabel("f(x, y)")
ax.view_init(elev=28, azim=-60)
ax.legend(loc="upper left", fontsize=8)
plt.show()
print(f"after {len(walk) - 1} steps: (x, y) = ({walk[-1, 0]:.2e}, {walk[-1, 1]:.3f}), "
      f"f = {walk[-1, 0] ** 2 - walk[-1, 1] ** 2:.3f}")

# %% [markdown]
# ## The Hessian tells a saddle from a minimum
#
# The gradient (2x, −2y) vanishes at (0, 0), for a minimum, a maximum or a saddle alike. The
# Hessian H = [[∂²f/∂x², ∂²f/∂x∂y], [∂²f/∂y∂x, ∂²f/∂y²]] decides: all eigenvalues positive —
# a minimum; mixed signs — a saddle. Here H = [[2, 0], [0, −2]] by hand. The library has it
# two ways: exactly, by differentiating the gradient again (`autograd.functional.hessian`,
# as `torch.autograd.functional.hessian`), and approximately, by central differences of
# central differences (`gradcheck.numerical_hessian`):

# %%
f = lambda v: v[0] ** 2 - v[1] ** 2
H = hessian(f, Tensor(np.array([2.0, 0.001]))).data           # exact, at the start point
H_num = numerical_hessian(f, np.array([2.0, 0.001]))
print(H)
print("eigenvalues:", np.linalg.eigvalsh(H), "→ mixed signs: a saddle")
print(f"exact vs [[2, 0], [0, −2]]: {np.max(np.abs(H - np.diag([2.0, -2.0]))):.1e};  "
      f"numerical vs exact: {np.max(np.abs(H_num - H)):.1e}")

# %% [markdown]
# ## The condition number and the zig-zag
#
# Post 2 defines the condition number as the ratio of the largest to the smallest
# singular value; for a symmetric H these are |eigenvalues|. The valley x²/20 + y² has
# H = diag(0.1, 2): κ = 20. 경사하강법 (gradient descent) is stable only for α < 2/λ_max = 1,
# and then the flat direction shrinks only by |1 − 0.1α| per step. Even the best fixed α,
# 2/(λ_max + λ_min), shrinks the error by only (κ − 1)/(κ + 1) per step: the larger κ, the
# slower.
#
# 모멘텀 (momentum) changes how the rate depends on κ: with its best 학습률 (learning rate)
# and μ the error
# shrinks by (√κ − 1)/(√κ + 1) per step, so for large κ it needs about √κ times fewer steps.
# Chapter 4 derives this from the same eigenvalues — each eigen-direction of H is a
# separate one-dimensional problem — and measures it
# ([momentum's theory](04_momentum_nesterov.ipynb#momentum-theory)). The table below puts
# the two rates side by side.

# %%
valley = LANDSCAPES["ill_conditioned"]
Hv = hessian(lambda v: valley(v[0], v[1]), Tensor(np.array(valley.start))).data
eig = np.linalg.eigvalsh(Hv)
print(f"eigenvalues {np.round(eig, 6)}, condition number {eig.max() / eig.min():.2f}, "
      f"numpy's cond {np.linalg.cond(Hv):.2f}")
for kappa in (2, 5, 20, 100):
    rate = (kappa - 1) / (kappa + 1)    # per-step shrink at the best fixed α = 2/(λ_max + λ_min)
    fast = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)     # momentum at its best α and μ
    print(f"κ = {kappa:3d}: gradient descent {rate:.3f} per step, "
          f"{int(np.ceil(np.log(1e-3) / np.log(rate))):4d} steps for 1000×;  momentum "
          f"{fast:.3f}, {int(np.ceil(np.log(1e-3) / np.log(fast))):3d} steps")

paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.9, momentum=0.9, steps=40)
         for n in ("SGD", "Momentum", "Adam")}
display(_course.draw_paths("ill_conditioned", paths, title="κ = 20, lr = 0.9: SGD zig-zags"))

# %% [markdown]
# ## Local minima: Rastrigin's dimples
#
# Rastrigin 20 + x² − 10cos(2πx) + y² − 10cos(2πy) has a 지역 최솟값 (local minimum) near
# every integer point. Plain SGD with a small η stops in the first dimple; 모멘텀 (momentum)
# may carry past some. (Whether the *noise* of stochastic gradients helps escape, as post 1
# claims, is tested over many seeds in chapter 3.)

# %%
ras = LANDSCAPES["rastrigin"]
for start in ((4.5, 4.5), (3.2, 2.6)):
    for name, mk in (("SGD", lambda p: optim.SGD(p, lr=0.002)),
                     ("Momentum", lambda p: optim.SGD(p, lr=0.002, momentum=0.95))):
        end = run_optimizer(ras, mk, steps=300, start=start)[-1]
        print(f"{name:9s} from {start}: ends at ({end[0]:.3f}, {end[1]:.3f}), "
              f"f = {ras(float(end[0]), float(end[1])):.3f}")
print("(the global minimum is f = 0 at (0, 0); momentum rolls over shallow bumps, not all)")

# %% [markdown]
# ## Check it yourself: saddles outnumber minima in many dimensions
#
# Post 2 says that in high dimensions saddle points are far more common than local minima.
# A quick model: at a random critical point the Hessian is a random symmetric matrix; it is
# a minimum only if *all* n eigenvalues are positive.

# %%
rng = np.random.default_rng(0)
for n in (1, 2, 3, 5, 8):
    A = rng.standard_normal((4000, n, n))
    eigs = np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2)
    print(f"n = {n}: fraction of random Hessians with all eigenvalues > 0: "
          f"{np.mean((eigs > 0).all(axis=1)):.4f}")

# %% [markdown]
# ## Pictures and sliders: the saddle and the valley

# %%
display(_course.small_multiples("saddle", ("SGD", "Momentum", "Adam"), lrs=(0.01, 0.1, 0.4)))

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "Momentum", "Adam"), lr=0.1)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## Exercise 9 — Hessian and condition number
#
# For f = a·x² − b·y² (a, b > 0) write `my_hessian_facts(a, b)` returning
# `[smallest eigenvalue, largest eigenvalue, condition number]` of its Hessian. The check
# compares with `autograd.functional.hessian` + `numpy.linalg.eigvalsh` and prints one line,
# with a hint for the usual slips. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
def my_hessian_facts(a, b):
    raise NotImplementedError   # your code


_course.check("ch9.hessian", my_hessian_facts)
