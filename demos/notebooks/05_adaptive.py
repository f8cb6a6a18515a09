# %% [markdown]
# # 5. AdaGrad, RMSprop, the moving average, Adam · 적응적 학습률, 지수이동평균, 편향 보정
#
# The adaptive family divides each coordinate's step by the size of its recent gradients.
# In the posts' letters (g = ∂L/∂W, ⊙ element-wise):
#
# * AdaGrad: h ← h + g⊙g; W ← W − η·g/√h
# * RMSprop: h ← γh + (1 − γ)·g⊙g; W ← W − η·g/√h (one post: √(h + ε))
# * Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ);
#   W ← W − α·m̂/√(v̂ + ε) (another post: m̂/(√v̂ + ε))
#
# PyTorch spells the classes `Adagrad` and `RMSprop` (so does `tinygrad_edu.optim`).

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import _course
from tinygrad_edu import Tensor, optim
from tinygrad_edu.landscapes import LANDSCAPES

valley = LANDSCAPES["ill_conditioned"]
grad = lambda w: np.array(valley.gradient(*w))


def run_library(make_opt, steps, start=valley.start):
    w = Tensor(np.array(start), requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        w.grad = grad(w.data)
        opt.step()
    return w.data.copy()

# %% [markdown]
# ## AdaGrad by hand vs `optim.Adagrad`
#
# The library (as PyTorch) adds ε = 1e-10 *outside* the root: W ← W − η·g/(√h + ε).

# %%
eta, steps = 0.5, 50
W, h = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    g = grad(W)
    h = h + g * g                                # h ← h + g⊙g
    W = W - eta * g / np.sqrt(h)                 # W ← W − η·g/√h
lib = run_library(lambda p: optim.Adagrad(p, lr=eta), steps)
print("post's AdaGrad :", W)
print("optim.Adagrad  :", lib)
print(f"difference     : {np.max(np.abs(W - lib)):.1e}")

# %% [markdown]
# ## Check it yourself: h only grows
#
# One post says that if a coordinate's gradient *stayed large*, h becomes small. h is a sum of
# squares, so it only grows, fastest where gradients are large; that coordinate's step
# η/√h shrinks fastest. Here y (curvature 2) starts with the larger gradient:

# %%
W, h = np.array(valley.start), np.zeros(2)
for t in range(1, 6):
    g = grad(W)
    h = h + g * g
    W = W - eta * g / np.sqrt(h)
    print(f"t={t}: |g| = {np.abs(g).round(4)}, h = {h.round(4)}, step size η/√h = "
          f"{(eta / np.sqrt(h)).round(4)}")

# %% [markdown]
# ## The 지수이동평균 (exponential moving average)
#
# The post's form s_{n+1} = α·xₙ + (1 − α)·sₙ puts weight α on the *new* value; RMSprop's
# h ← γh + (1 − γ)g² puts γ on the *old* average, so γ = 1 − α (`RMSprop(alpha=γ)`: PyTorch's
# `alpha` is the post's γ, not the EMA's α). Weights of the past decay like γᵏ, so the
# average covers roughly the last 1/(1 − γ) values; started at 0 it is biased towards 0 for
# about that many steps, which is what Adam's 편향 보정 (bias correction) removes.

# %%
rng = np.random.default_rng(0)
series = 1.0 + 0.5 * rng.standard_normal(60)
gamma = 0.9
s, ema, corrected = 0.0, [], []
for t, x in enumerate(series, start=1):
    s = gamma * s + (1 - gamma) * x
    ema.append(s); corrected.append(s / (1 - gamma ** t))
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(series, ".", color="gray", label="values")
ax.plot(ema, label="EMA from 0 (γ = 0.9)")
ax.plot(corrected, label="EMA / (1 − γᵗ): bias-corrected")
ax.axhline(1.0, color="black", lw=0.6, ls=":")
ax.set_xlabel("n"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
plt.show()
print(f"after 3 values: EMA {ema[2]:.3f}, corrected {corrected[2]:.3f}, mean of the values "
      f"{series[:3].mean():.3f}")

# %% [markdown]
# ## RMSprop: ε inside or outside the root

# %%
gamma, eps, eta = 0.9, 1e-8, 0.05
W, h = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    g = grad(W)
    h = gamma * h + (1 - gamma) * g * g
    W = W - eta * g / np.sqrt(h + eps)           # the post's √(h + ε)
lib = run_library(lambda p: optim.RMSprop(p, lr=eta, alpha=gamma, eps=eps), steps)
print("post's RMSprop, ε inside :", W)
print("optim.RMSprop, ε outside :", lib)
print(f"difference               : {np.max(np.abs(W - lib)):.1e}")

# %% [markdown]
# With gradients of ordinary size ε hardly matters. With tiny gradients it decides the step.
# For a constant gradient g, √(h + ε) vs √h + ε with h ≈ g²:

# %%
for g in (1.0, 1e-3, 1e-4, 1e-5, 1e-6):
    inside = g / np.sqrt(g * g + 1e-8)
    outside = g / (np.sqrt(g * g) + 1e-8)
    print(f"g = {g:7.0e}: step/η with ε inside {inside:.4f}, outside {outside:.4f}, "
          f"ratio outside/inside {outside / inside:6.1f}")

# %% [markdown]
# At g = 1e-5 the post's form steps 10× less. PyTorch (and the Adam paper's Algorithm 1) add ε
# outside the root: then ε only guards the division, and the step stays ≈ η·sign(g) for
# any gradient larger than ε; inside the root, ε = 1e-8 acts like a gradient floor of 1e-4.
#
# ## Adam by hand vs `optim.Adam`

# %%
def adam_post(steps, alpha=0.1, b1=0.9, b2=0.999, eps=1e-8, eps_inside=False):
    W, m, v = np.array(valley.start), np.zeros(2), np.zeros(2)
    for t in range(1, steps + 1):
        g = grad(W)
        m = b1 * m + (1 - b1) * g                  # m_t = β₁m_{t−1} + (1 − β₁)g_t
        v = b2 * v + (1 - b2) * g * g              # v_t = β₂v_{t−1} + (1 − β₂)g_t²
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        W = W - alpha * m_hat / denom
    return W


lib = run_library(lambda p: optim.Adam(p, lr=0.1), steps)
print("post's Adam, ε outside :", adam_post(steps), f"  difference "
      f"{np.max(np.abs(adam_post(steps) - lib)):.1e}")
print("post's Adam, ε inside  :", adam_post(steps, eps_inside=True), f"  difference "
      f"{np.max(np.abs(adam_post(steps, eps_inside=True) - lib)):.1e}")
print("optim.Adam             :", lib)

# %% [markdown]
# ## Check it yourself: the bias correction shrinks to 1
#
# One post says that as training goes on the denominators 1 − βᵗ get *smaller*, so m̂ and v̂
# shrink. The denominators grow towards 1; the correction factor 1/(1 − βᵗ) starts large
# (10 for β₁ = 0.9, 1000 for β₂ = 0.999) and falls to 1:

# %%
for t in (1, 2, 5, 10, 100, 1000, 10000):
    print(f"t = {t:5d}: 1 − β₁ᵗ = {1 - 0.9 ** t:.4f} (factor {1 / (1 - 0.9 ** t):8.3f}),   "
          f"1 − β₂ᵗ = {1 - 0.999 ** t:.4f} (factor {1 / (1 - 0.999 ** t):8.3f})")

# %% [markdown]
# ## Check it yourself: the β's in the other post's Adam
#
# Another post writes m_{t+1} = β₁mₜ + (1 − β₂)∇f and v_{t+1} = β₁vₜ + (1 − β₂)(∇f)², and
# steps with m̂ₜ, v̂ₜ (the previous step's). Taken literally:

# %%
W, m, v = np.array(valley.start), np.zeros(2), np.zeros(2)
b1, b2 = 0.9, 0.999
m_hat = v_hat = np.zeros(2)
for t in range(steps):                             # t = 0, 1, ...: the post's indices
    W = W - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)  # uses m̂ₜ, v̂ₜ
    g = grad(W)
    m = b1 * m + (1 - b2) * g
    v = b1 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
print("as written :", W)
print("optim.Adam :", lib, "  (β₁ in m's weight, β₂ in v's decay, and the new m̂, v̂)")

# %% [markdown]
# ## Pictures and sliders
#
# In the valley the adaptive methods rescale each coordinate, so both directions shrink at
# similar speeds. On the saddle they escape along y much sooner than SGD: the tiny y-gradient
# is divided by its own tiny size.

# %%
names = ("SGD", "AdaGrad", "RMSprop", "Adam")
paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.3, momentum=0.9, steps=60)
         for n in names}
display(_course.draw_paths("ill_conditioned", paths, title="valley: lr = 0.3"))
display(_course.small_multiples("saddle", names, lrs=(0.01, 0.05, 0.2)))
for n in names:
    p = _course.optimizer_path("saddle", n, lr=0.05, steps=60)
    print(f"{n:8s} on the saddle, lr 0.05: y after 60 steps = {p[-1, 1]: .3e}")

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "RMSprop", "Adam"), lr=0.05)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## Exercise 5 — RMSprop as PyTorch writes it
#
# Write `my_rmsprop(theta, grads, lr, gamma, eps)`: h starts at 0; per gradient
# h ← γh + (1 − γ)g², θ ← θ − lr·g/(√h + ε); return θ. The check compares with
# `optim.RMSprop(alpha=gamma)`. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
def my_rmsprop(theta, grads, lr, gamma, eps):
    raise NotImplementedError   # your code


_course.check("ch5.rmsprop", my_rmsprop)
