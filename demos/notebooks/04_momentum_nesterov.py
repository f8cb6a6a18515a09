# %% [markdown]
# # 4. Momentum and Nesterov · 모멘텀과 네스테로프
#
# 모멘텀 (momentum) keeps a velocity v that remembers past steps; 네스테로프 (Nesterov)
# momentum takes its gradient at the point the velocity is about to carry it to. The posts
# write momentum in three ways (posts 2, 3 and 5 in README.ko.md's table) and NAG in one
# (post 3); `optim.SGD(momentum=μ, nesterov=...)` uses a fourth. This chapter runs them side
# by side, shows exactly when they agree, explains *why* momentum wins on a narrow valley,
# and ends on the digits task.
#
# A note on letters: the posts use α for two different things. In post 3 α is the momentum
# coefficient, PyTorch's μ; in posts 2 and 5 α is the 학습률 (learning rate) (and the momentum
# coefficient is ρ in post 2, β in post 5). Below, the code always writes `mu` for the
# momentum coefficient and `eta` for the learning rate.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import _course
import _tasks
from IPython.display import display
from tinygrad_edu import Tensor, optim
from tinygrad_edu.landscapes import LANDSCAPES

valley = LANDSCAPES["ill_conditioned"]           # f = x²/20 + y², from (−7, 2)
grad = lambda w: np.array(valley.gradient(*w))  # ∇f = (x/10, 2y)


def run_library(make_opt, start, steps):
    w = Tensor(np.array(start), requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        w.grad = grad(w.data)
        opt.step()
    return w.data.copy()

# %% [markdown]
# ## The posts' momentum vs PyTorch's
#
# Post 3 ("[딥러닝 알아듣기] 3.7", 3.7.3): v ← αv − η·∂L/∂W; W ← W + v, with α the momentum
# coefficient (μ below). Post 5 ("Optimizer 기초부터 알아보기") writes v_{t+1} = βv_t + α∂f/∂w;
# x_{t+1} = x_t − v_{t+1}, with α the learning rate: the same with v's sign flipped.
# PyTorch's form: b ← μb + g; W ← W − η·b. With b = −v/η the two are the same iteration, so
# at a constant η they give the same W.

# %%
eta, mu, steps = 0.1, 0.9, 50                   # η: learning rate, μ: momentum coefficient
W, v = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v = mu * v - eta * grad(W)                   # post 3: v ← αv − η∂L/∂W  (its α is μ)
    W = W + v                                    # W ← W + v
x, u = np.array(valley.start), np.zeros(2)     # post 5: v_{t+1} = βv_t + α∂f/∂w;
for _ in range(steps):                           #         x_{t+1} = x_t − v_{t+1} (its α is η)
    u = mu * u + eta * grad(x)
    x = x - u
lib = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu), valley.start, steps)
print("post 3's momentum (W + v):", W)
print("post 5's (x − v)         :", x)
print("optim.SGD                :", lib)
print(f"difference               : {max(np.max(np.abs(W - lib)), np.max(np.abs(x - lib))):.1e}")

# %% [markdown]
# They differ when η changes during training (chapter 7): post 3's v still carries the old
# η inside it, while PyTorch applies the new η to the whole buffer. PyTorch keeps b (a sum of
# gradients, no η inside) so that a schedule changes the step at once.
#
# ## Check it yourself: η twice
#
# Post 2 ("[NN] 경사하강법", its momentum section) writes v_{t+1} = ρv_t + α∇f(x_t);
# x_{t+1} = x_t − αv_{t+1}, with the 학습률 (learning rate) α in *both* lines (here α is the
# learning rate and ρ the momentum coefficient). Unrolled, that is PyTorch's rule with gradient α·g: every step is
# α times too small (α² instead of α). The source it cites (CS231n) has v_{t+1} = ρv_t + ∇f.

# %%
x_post, v_post = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v_post = mu * v_post + eta * grad(x_post)
    x_post = x_post - eta * v_post               # η applied twice
lib_eta2 = run_library(lambda p: optim.SGD(p, lr=eta * eta, momentum=mu), valley.start, steps)
print("post 2's formula, α = 0.1        :", x_post)
print("optim.SGD(lr=0.1, momentum=0.9)  :", lib)
print("optim.SGD(lr=0.01 = α², ...)      :", lib_eta2,
      f"  difference {np.max(np.abs(x_post - lib_eta2)):.1e}")

# %% [markdown]
# ## With or without (1 − β)
#
# Post 5 notes that an 지수이동평균 (exponential moving average) weighs the new value by
# (1 − β), and momentum does not. PyTorch has both: `dampening=τ` gives b ← μb + (1 − τ)g, so
# τ = μ is the averaging form. Averaging only rescales the step: (1 − β)-momentum with rate η
# moves like plain momentum with rate (1 − β)·η — except PyTorch's first step, where the
# buffer starts as the gradient itself (b₁ = g₁, undamped).

# %%
mu = 0.9
damped = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu, dampening=mu), valley.start, 1)
print("after 1 step, dampening = μ, lr = η       :", damped)
print("after 1 step, no dampening, lr = (1 − μ)η :",
      run_library(lambda p: optim.SGD(p, lr=(1 - mu) * eta, momentum=mu), valley.start, 1))
print("after 1 step, no dampening, lr = η        :",
      run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu), valley.start, 1),
      "(the same: b₁ = g₁ in both)")
m, W = np.zeros(2), np.array(valley.start)     # the EMA form by hand, m₀ = 0
for _ in range(steps):
    m = mu * m + (1 - mu) * grad(W)
    W = W - eta * m
plain = run_library(lambda p: optim.SGD(p, lr=(1 - mu) * eta, momentum=mu), valley.start, steps)
print(f"50 steps: EMA momentum by hand (m₀ = 0) vs SGD(lr=(1−μ)η): difference "
      f"{np.max(np.abs(W - plain)):.1e}")

# %% [markdown]
# ## Nesterov: post 3's NAG vs `SGD(nesterov=True)`
#
# Post 3's form (3.7.4): Ŵ = W + αv; v ← αv − η·∂L/∂Ŵ; W ← W + v: the gradient is taken at the look-ahead
# point Ŵ. PyTorch's form needs no second point: b ← μb + g; θ ← θ − η·(g + μb), with g the
# gradient at θ. Run both for 50 steps:

# %%
def nag_post(steps, eta=0.1, mu=0.9):
    W, v = np.array(valley.start), np.zeros(2)
    for _ in range(steps):
        W_hat = W + mu * v                       # Ŵ = W + αv  (post 3's α is μ)
        v = mu * v - eta * grad(W_hat)           # v ← αv − η∂L/∂Ŵ
        W = W + v                                # W ← W + v
    return W, v


W, v = nag_post(steps)
lib_nag = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu, nesterov=True),
                      valley.start, steps)
print("post 3's NAG, W     :", W)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W - lib_nag)):.2f}")

# %% [markdown]
# They are not different algorithms: PyTorch's θ *is* post 3's look-ahead point.
# Substitute θ = W + αv (and b = −v/η) into its three lines:
# θₜ₊₁ = Wₜ₊₁ + αvₜ₊₁ = θₜ − αvₜ + (1 + α)vₜ₊₁ = θₜ + αvₜ₊₁ − η∇L(θₜ), which is
# θ ← θ − η(g + μb) with b ← μb + g. This change of variables lets PyTorch evaluate the
# gradient at the parameters it stores, which is all an optimizer ever gets (`.grad`).

# %%
print("post 3's Ŵ = W + αv :", W + mu * v)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W + mu * v - lib_nag)):.1e}")

# %% [markdown]
# ## Pictures: the valley and the saddle
#
# In the valley (curvature 2 across, 0.1 along) plain SGD must keep η small for the steep
# direction and so crawls along the flat one; momentum builds speed along it. On the saddle
# x² − y² from (2, 0.001), the push away along y grows like (1 + 2η)ᵗ; momentum grows faster.

# %%
paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.1, momentum=0.9, steps=60)
         for n in ("SGD", "Momentum", "Nesterov")}
display(_course.draw_paths("ill_conditioned", paths, title="valley: lr = 0.1, momentum = 0.9"))
for n, p in paths.items():
    print(f"{n:9s} distance to the minimum after 60 steps: {np.hypot(*p[-1]):.3e}")

# %% [markdown]
# <a id="momentum-theory"></a>
# ## Why momentum wins: each direction's rate
#
# Why is momentum 50 times closer (7.8e-2 against SGD's 3.83)? On a quadratic
# f(w) = ½wᵀHw the gradient is Hw. Write H = QΛQᵀ (its 고유값 분해 (eigen-decomposition):
# Q's columns are the directions, Λ's entries λᵢ their curvatures) and z = Qᵀw: then each
# coordinate zᵢ moves on its own. 경사하강법 (gradient descent) multiplies it by (1 − ηλᵢ) every step, so
# the direction with the smallest curvature is the slowest: here λ = 0.1 along x, and with
# η = 0.1 that is 0.99 per step; 7·0.99⁶⁰ = 3.83, SGD's distance. η cannot grow much, because
# the steep direction (λ = 2) diverges once |1 − 2η| > 1. The best η = 2/(λ_min + λ_max)
# balances the two, and the rate is then (κ − 1)/(κ + 1), κ = λ_max/λ_min the 조건수
# (condition number; chapter 9 computes it from the 헤시안 (Hessian)).
#
# With momentum a direction carries two numbers, zᵢ now and one step ago, multiplied by the
# matrix [[1 + μ − ηλᵢ, −μ], [1, 0]]. When its two eigenvalues are complex both have size √μ,
# *whatever λᵢ is*: momentum gives the flat and the steep direction the same rate. In the
# valley (η = 0.1, μ = 0.9) both are √0.9 = 0.949 per step, against 0.99 for SGD's slow
# direction. With η = 4/(√λ_max + √λ_min)² and μ = ((√κ − 1)/(√κ + 1))² the rate is
# (√κ − 1)/(√κ + 1): κ's square root where gradient descent has κ itself.

# %%
for lam in (0.1, 2.0):
    print(f"curvature λ = {lam:3}: SGD rate |1 − ηλ| = {_tasks.direction_rates(lam, 0.1):.4f}, "
          f"momentum rate = {_tasks.direction_rates(lam, 0.1, 0.9):.4f} (√0.9 = {0.9 ** 0.5:.4f})")
print(f"SGD's slow direction after 60 steps: 7 · 0.99^60 = {7 * 0.99 ** 60:.2f}; "
      f"momentum's rate^60 = {0.9 ** 30:.3f}")

measured = {}
print(f"{'κ':>5s} {'GD theory':>10s} {'measured':>9s} {'momentum theory':>16s} {'measured':>9s}")
for kappa in (5, 10, 20, 50, 100, 200):
    H = _tasks.quadratic([0.1, 0.1 * kappa])            # a turned valley, λ = 0.1 and 0.1κ
    best = _tasks.optimal_settings(0.1, 0.1 * kappa)
    gd, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["gd_lr"]))
    mom, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["momentum_lr"],
                                                         momentum=best["momentum"]))
    measured[kappa] = (gd, mom)
    print(f"{kappa:5d} {_tasks.gd_rate(kappa):10.4f} {gd:9.4f} {_tasks.momentum_rate(kappa):16.4f} "
          f"{mom:9.4f}")
display(_tasks.rates_figure(measured=measured))

# %% [markdown]
# The measured rates are (‖w₃₀₀‖/‖w₂₀₀‖)^(1/100) from `optim.SGD` on H = QΛQᵀ turned by 30°.
# Gradient descent's match to 4 digits. Momentum's sit about 0.4% above theory: at its best
# setting the two eigenvalues coincide, and the distance falls like t·rᵗ rather than rᵗ (the
# extra factor t costs (300/200)^(1/100) ≈ 1.004). At κ = 100, gradient descent needs about
# 115 steps per factor of 10, momentum about 12. Move κ below (the dashed lines are the
# theory's rates):

# %%
display(_tasks.convergence_figure(20.0))
kappa_slider = _tasks.kappa_explorer(20.0)
if kappa_slider is not None:
    display(kappa_slider)

# %% [markdown]
# ## Predict, then run: three steps off the saddle
#
# Post 5 walks a ball down the saddle f = x² − y² from (2, 0.001). Before running it: with
# plain SGD at η = 0.1, what is y after three steps? Write your number in `guess` (∂f/∂y = −2y).
# Then do the same for momentum μ = 0.9 (PyTorch's rule: b₁ = g₁, b ← μb + g, θ ← θ − ηb).

# %%
guess = None          # your prediction for SGD's y after 3 steps
_tasks.predict("ch4.saddle_sgd_y3", guess)
guess = None          # and for momentum's
_tasks.predict("ch4.saddle_momentum_y3", guess)

# %%
display(_course.small_multiples("saddle", ("SGD", "Momentum", "Nesterov"), lrs=(0.01, 0.05, 0.2)))

# %% [markdown]
# ## Sliders
#
# Move the learning rate, the momentum and the number of steps (a small learning rate needs
# many more steps to go anywhere), pick optimizers; the path is redrawn (needs a
# running kernel with ipywidgets: `pip install -e ".[notebooks]"`; the pictures above are the
# static version). The functions behind them are in `_course.py` and tested.

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "Momentum", "Nesterov"), lr=0.05)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## A real task: the handwritten digits
#
# Two-parameter toys show the mechanism; the digits show what it is worth. 1,797 images of
# 8×8 pixels (scikit-learn's, as demo 05), a quarter held out for validation; an MLP
# 64 → 32 → 10; mini-batches of 32 for 10 epochs. For each of three seeds every optimizer
# starts from the *same* initial weights and sees the *same* mini-batches, so the only
# difference is the update rule. SGD uses η = 0.1, momentum and Nesterov η = 0.05 with μ = 0.9
# (momentum's steps are about 1/(1 − μ) = 10 times the single-gradient step). Mean ± std over the seeds, at the last 에폭 (epoch):

# %%
digits_runs = _tasks.compare_on_digits(["SGD", "Momentum", "Nesterov"])
print(_tasks.summary_table(digits_runs))
display(_tasks.plot_digits_curves(digits_runs, "digits: SGD, momentum, Nesterov (3 seeds)"))

# %% [markdown]
# Momentum reaches in 10 epochs a validation loss (≈ 0.16) that SGD (≈ 0.27) does not, on
# every seed; Nesterov is a shade better still. Chapter 5 adds Adam and AdamW to the same
# table.
#
# ## Exercise 4 — PyTorch's Nesterov by hand
#
# Write `my_nesterov(theta, grads, lr, mu)`: start from `theta` (a list), apply one step per
# gradient in `grads` with PyTorch's rule (b₁ = g₁, then b ← μb + g; θ ← θ − lr·(g + μb)),
# return the final θ. The check compares it with `optim.SGD(nesterov=True)`.
# Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
def my_nesterov(theta, grads, lr, mu):
    raise NotImplementedError   # your code


_course.check("ch4.nesterov_pytorch", my_nesterov)
