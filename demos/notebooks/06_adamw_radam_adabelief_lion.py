# %% [markdown]
# # 6. AdamW, RAdam, AdaBelief, Lion · 가중치 감쇠와 Adam의 후손들
#
# Post 3 ("[딥러닝 알아듣기] 3.7") ends its list with AdamW (an Adam that fixes how
# regularization is applied), RAdam and AdaBelief, without formulas; post 5 ("Optimizer
# 기초부터 알아보기") goes as far as AdaBelief. Here each one's rule, written by hand in a few lines, runs
# beside the library class (whose docstring carries the same rule and the paper).

# %%
# %matplotlib inline
import numpy as np
from IPython.display import display

import _tasks
from tinygrad_edu import Tensor, optim

rng = np.random.default_rng(0)
GRADS = [rng.standard_normal(3) for _ in range(30)]     # a fixed gradient sequence
THETA0 = np.array([1.0, -2.0, 0.5])


def run_library(opt, grads=GRADS, theta=THETA0):
    w = Tensor(theta.copy(), requires_grad=True)
    o = opt([w])
    for g in grads:
        w.grad = g.copy()
        o.step()
    return w.data


def compare(name, by_hand, library):
    print(f"{name:10s} by hand {np.round(by_hand, 6)}   library {np.round(library, 6)}   "
          f"difference {np.max(np.abs(by_hand - library)):.1e}")

# %% [markdown]
# ## 가중치 감쇠 (weight decay): added to the gradient, or decoupled
#
# L2 regularization adds λθ to the gradient (`Adam(weight_decay=λ)`, as PyTorch): inside Adam
# that term is then divided by √v̂ like the rest, so parameters with large gradients are hardly
# decayed. AdamW *decouples* it: θ ← θ·(1 − ηλ) before the Adam step, the same pull for every
# parameter (Loshchilov & Hutter).

# %%
def adam_hand(theta, grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-8, l2=0.0, decoupled=0.0):
    theta, m, v = theta.copy(), 0 * theta, 0 * theta
    for t, g in enumerate(grads, start=1):
        theta = theta * (1 - lr * decoupled)           # AdamW: θ ← θ(1 − ηλ)
        g = g + l2 * theta                             # Adam + L2: g ← g + λθ
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return theta


compare("Adam+L2", adam_hand(THETA0, GRADS, l2=0.1), run_library(
    lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1)))
compare("AdamW", adam_hand(THETA0, GRADS, decoupled=0.1), run_library(
    lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1)))

# %% [markdown]
# How much is a weight pulled to 0 when its gradient is large? Two weights start at 1, one
# with a noisy gradient of size ~10, one with a gradient of 0 (only the decay acts):

# %%
grads = [np.array([10.0 * np.sign(np.sin(k)), 0.0]) for k in range(200)]
for label, make in [("Adam + L2, λ=0.1", lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1)),
                    ("AdamW, λ=0.1", lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1))]:
    end = run_library(make, grads, np.array([1.0, 1.0]))
    print(f"{label:17s}: after 200 steps  noisy weight {end[0]: .4f}   idle weight {end[1]:.4f}")

# %% [markdown]
# With L2 inside Adam the idle weight collapses (its decay gradient is divided by its own
# tiny √v̂), and the busy one hardly feels it; AdamW decays both by the same factor
# (1 − 0.01·0.1)²⁰⁰ ≈ 0.819 beside their Adam steps.
#
# ## RAdam: a warm-up built in
#
# ρ∞ = 2/(1 − β₂) − 1, ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ). While ρₜ ≤ 5, step with m̂ only (모멘텀
# (momentum) SGD); afterwards Adam's step times r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)).

# %%
def radam_hand(theta, grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    theta, m, v = theta.copy(), 0 * theta, 0 * theta
    rho_inf = 2 / (1 - b2) - 1
    rects = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        rho = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho > 5:
            r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            theta = theta - lr * m_hat * r * np.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps)
        else:
            r = 0.0
            theta = theta - lr * m_hat
        rects.append(r)
    return theta, rects


radam_theta, rects = radam_hand(THETA0, GRADS)
compare("RAdam", radam_theta, run_library(lambda p: optim.RAdam(p, lr=0.01)))
print("rectification r for t = 1..8:", np.round(rects[:8], 4))

# %% [markdown]
# ## AdaBelief: the spread of g around m, not the size of g
#
# s ← β₂s + (1 − β₂)(g − m)² + ε; θ ← θ − η/(1 − β₁ᵗ) · m / (√s/√(1 − β₂ᵗ) + ε). When the
# gradient agrees with its average ("belief"), s is small and the step large.

# %%
def adabelief_hand(theta, grads, lr=0.01, b1=0.9, b2=0.999, eps=1e-16):
    theta, m, s = theta.copy(), 0 * theta, 0 * theta
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * (g - m) ** 2 + eps
        theta = theta - lr / (1 - b1 ** t) * m / (np.sqrt(s) / np.sqrt(1 - b2 ** t) + eps)
    return theta


compare("AdaBelief", adabelief_hand(THETA0, GRADS), run_library(
    lambda p: optim.AdaBelief(p, lr=0.01)))

# %% [markdown]
# ## Lion: only the sign
#
# c = β₁m + (1 − β₁)g; θ ← θ − η·sign(c) (after θ ← θ(1 − ηλ)); m ← β₂m + (1 − β₂)g. Every
# coordinate moves exactly ±η per step, so Lion wants a smaller η than Adam.

# %%
def lion_hand(theta, grads, lr=0.01, b1=0.9, b2=0.99, wd=0.0):
    theta, m = theta.copy(), 0 * theta
    for g in grads:
        theta = theta * (1 - lr * wd)
        theta = theta - lr * np.sign(b1 * m + (1 - b1) * g)
        m = b2 * m + (1 - b2) * g
    return theta


compare("Lion", lion_hand(THETA0, GRADS, wd=0.1), run_library(
    lambda p: optim.Lion(p, lr=0.01, weight_decay=0.1)))

# %% [markdown]
# ## Predict, then run: a weight with no gradient
#
# A weight starts at 1 and its gradient is always 0. What is it after 100 steps of
# `AdamW(lr=0.01, weight_decay=0.1)`? (With `Adam(weight_decay=0.1)` it would be pushed
# much harder: see the idle weight above.)

# %%
guess = None          # your prediction
_tasks.predict("ch6.adamw_idle_weight", guess)

# %% [markdown]
# ## The Adam family on the digits
#
# The task of chapters 4 and 5: same three seeds, initial weights and mini-batches. Adam,
# AdamW (decay 0.05), RAdam and AdaBelief at η = 3e-3; Lion, whose every step is ±η, at
# η = 1e-3.

# %%
family = _tasks.compare_on_digits(["Adam", "AdamW", "RAdam", "AdaBelief", "Lion"])
print(_tasks.summary_table(family))
display(_tasks.plot_digits_curves(family, "digits: the Adam family (3 seeds)"))

# %% [markdown]
# AdaBelief matches Adam's accuracy with a lower loss; AdamW's decoupled decay barely shows in
# 10 epochs. RAdam lags (≈ 91%): its built-in warm-up takes momentum-SGD steps of η = 3e-3
# for the first few updates and then a damped Adam step, which costs early epochs when the run
# is this short. Lion trails at η = 1e-3: sign steps of a fixed size need their own η, often
# 3–10 times smaller than Adam's, which is why comparing at "the same lr" is never fair.

# %% [markdown]
# ## Exercise 6 — AdamW
#
# Write `my_adamw(theta, grads, lr, wd)` with β = (0.9, 0.999), ε = 1e-8: the decoupled decay
# first, then Adam's step; return θ. The check compares with `optim.AdamW`.
# Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_adamw(theta, grads, lr, wd):
    raise NotImplementedError   # your code


_course.check("ch6.adamw", my_adamw)
