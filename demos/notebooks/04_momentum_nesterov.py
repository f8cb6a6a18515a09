# %% [markdown]
# # 4. Momentum and Nesterov · 모멘텀과 네스테로프
#
# 모멘텀 (momentum) keeps a velocity v that remembers past steps; 네스테로프 (Nesterov)
# momentum takes its gradient at the point the velocity is about to carry it to. The posts
# write momentum in three ways and NAG in one; `optim.SGD(momentum=μ, nesterov=...)` uses a
# fourth. This chapter runs them side by side and shows exactly when they agree.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import _course
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
# Post form: v ← αv − η·∂L/∂W; W ← W + v (the other post's v_{t+1} = βv_t + α∂f/∂w;
# x_{t+1} = x_t − v_{t+1} is the same with v's sign flipped).
# PyTorch's form: b ← μb + g; W ← W − η·b. With b = −v/η the two are the same iteration, so
# at a constant η they give the same W.

# %%
eta, alpha, steps = 0.1, 0.9, 50
W, v = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v = alpha * v - eta * grad(W)                # v ← αv − η∂L/∂W
    W = W + v                                    # W ← W + v
x, u = np.array(valley.start), np.zeros(2)     # the other post: v_{t+1} = βv_t + α∂f/∂w;
for _ in range(steps):                           #                 x_{t+1} = x_t − v_{t+1}
    u = alpha * u + eta * grad(x)
    x = x - u
lib = run_library(lambda p: optim.SGD(p, lr=eta, momentum=alpha), valley.start, steps)
print("post's momentum (W + v)  :", W)
print("other post's (x − v)     :", x)
print("optim.SGD                :", lib)
print(f"difference               : {max(np.max(np.abs(W - lib)), np.max(np.abs(x - lib))):.1e}")

# %% [markdown]
# They differ when η changes during training (chapter 7): the post's v still carries the old
# η inside it, while PyTorch applies the new η to the whole buffer. PyTorch keeps b (a sum of
# gradients, no η inside) so that a schedule changes the step at once.
#
# ## Check it yourself: η twice
#
# One post writes v_{t+1} = ρv_t + α∇f(x_t); x_{t+1} = x_t − αv_{t+1}, with the 학습률
# (learning rate) α in *both* lines. Unrolled, that is PyTorch's rule with gradient α·g: every step is
# α times too small (α² instead of α). The source it cites (CS231n) has v_{t+1} = ρv_t + ∇f.

# %%
x_post, v_post = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v_post = alpha * v_post + eta * grad(x_post)
    x_post = x_post - eta * v_post               # η applied twice
lib_eta2 = run_library(lambda p: optim.SGD(p, lr=eta * eta, momentum=alpha), valley.start, steps)
print("post's formula, α = 0.1          :", x_post)
print("optim.SGD(lr=0.1, momentum=0.9)  :", lib)
print("optim.SGD(lr=0.01 = α², ...)      :", lib_eta2,
      f"  difference {np.max(np.abs(x_post - lib_eta2)):.1e}")

# %% [markdown]
# ## With or without (1 − β)
#
# One post notes that an 지수이동평균 (exponential moving average) weighs the new value by
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
# ## Nesterov: the post's NAG vs `SGD(nesterov=True)`
#
# Post form: Ŵ = W + αv; v ← αv − η·∂L/∂Ŵ; W ← W + v: the gradient is taken at the look-ahead
# point Ŵ. PyTorch's form needs no second point: b ← μb + g; θ ← θ − η·(g + μb), with g the
# gradient at θ. Run both for 50 steps:

# %%
def nag_post(steps, eta=0.1, alpha=0.9):
    W, v = np.array(valley.start), np.zeros(2)
    for _ in range(steps):
        W_hat = W + alpha * v                    # Ŵ = W + αv
        v = alpha * v - eta * grad(W_hat)        # v ← αv − η∂L/∂Ŵ
        W = W + v                                # W ← W + v
    return W, v


W, v = nag_post(steps)
lib_nag = run_library(lambda p: optim.SGD(p, lr=eta, momentum=alpha, nesterov=True),
                      valley.start, steps)
print("post's NAG, W       :", W)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W - lib_nag)):.2f}")

# %% [markdown]
# They are not different algorithms: PyTorch's θ *is* the post's look-ahead point.
# Substitute θ = W + αv (and b = −v/η) into the post's three lines:
# θₜ₊₁ = Wₜ₊₁ + αvₜ₊₁ = θₜ − αvₜ + (1 + α)vₜ₊₁ = θₜ + αvₜ₊₁ − η∇L(θₜ), which is
# θ ← θ − η(g + μb) with b ← μb + g. This change of variables lets PyTorch evaluate the
# gradient at the parameters it stores, which is all an optimizer ever gets (`.grad`).

# %%
print("post's Ŵ = W + αv   :", W + alpha * v)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W + alpha * v - lib_nag)):.1e}")

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

# %%
display(_course.small_multiples("saddle", ("SGD", "Momentum", "Nesterov"), lrs=(0.01, 0.05, 0.2)))

# %% [markdown]
# ## Sliders
#
# Move the learning rate and the momentum, pick optimizers; the path is redrawn (needs a
# running kernel with ipywidgets: `pip install -e ".[notebooks]"`; the pictures above are the
# static version). The functions behind them are in `_course.py` and tested.

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "Momentum", "Nesterov"), lr=0.05)
    if sliders is not None:
        display(sliders)

# %% [markdown]
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
