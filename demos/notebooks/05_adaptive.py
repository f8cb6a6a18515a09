# %% [markdown]
# # 5. AdaGrad, RMSprop, the moving average, Adam · 적응적 학습률, 지수이동평균, 편향 보정
#
# The adaptive family divides each coordinate's step by the size of its recent gradients.
# In the posts' letters (g = ∂L/∂W, ⊙ element-wise; posts numbered as in README.ko.md):
#
# * AdaGrad (post 3, "[딥러닝 알아듣기] 3.7", 3.7.5): h ← h + g⊙g; W ← W − η·g/√h
# * RMSprop (post 3, 3.7.6): h ← γh + (1 − γ)·g⊙g; W ← W − η·g/√h (post 2, "[NN] 경사하강법":
#   √(h + ε))
# * Adam (post 3, 3.7.7): m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ);
#   v̂ = v/(1 − β₂ᵗ); W ← W − α·m̂/√(v̂ + ε) (post 2: m̂/(√v̂ + ε))
#
# PyTorch spells the classes `Adagrad` and `RMSprop` (so does `tinygrad_edu.optim`).

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import _course
import _tasks
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
print("post 3's AdaGrad:", W)
print("optim.Adagrad  :", lib)
print(f"difference     : {np.max(np.abs(W - lib)):.1e}")

# %% [markdown]
# ## Check it yourself: h only grows
#
# Post 4 ("Optimizer", velog) reasons that a parameter still far from the optimum has a
# *small* accumulated h and so takes big steps, while one that has "learned enough" has a large
# h. That is backwards: h is a sum of squared gradients, so it only grows, fastest where
# gradients are large, and a parameter far from the optimum on a steep slope has large
# gradients: its h grows fastest and its step η/√h shrinks fastest. Distance to the optimum
# does not enter; the size of the gradients does. Here y (curvature 2) starts with the larger
# gradient:

# %%
W, h = np.array(valley.start), np.zeros(2)
for t in range(1, 6):
    g = grad(W)
    h = h + g * g
    W = W - eta * g / np.sqrt(h)
    print(f"t={t}: |g| = {np.abs(g).round(4)}, h = {h.round(4)}, step size η/√h = "
          f"{(eta / np.sqrt(h)).round(4)}")

# %% [markdown]
# The counter-example to post 4's rule, on f = x²/20 + 5y²: x starts far from its optimum
# (10 away, on a gentle slope), y close to it (0.5 away, on a steep one). After 20 steps the
# far coordinate has the *smaller* h and the larger step; the near one, the larger h:

# %%
W, h = np.array([10.0, 0.5]), np.zeros(2)
for t in range(20):
    g = np.array([W[0] / 10, 10 * W[1]])
    h = h + g * g
    W = W - eta * g / np.sqrt(h)
print(f"start: x is 10 from its optimum, y 0.5;  after 20 steps h = {h.round(3)}, "
      f"step size η/√h = {(eta / np.sqrt(h)).round(4)}")

# %% [markdown]
# ## The 지수이동평균 (exponential moving average)
#
# Post 3's form s_{n+1} = α·xₙ + (1 − α)·sₙ puts weight α on the *new* value; RMSprop's
# h ← γh + (1 − γ)g² puts γ on the *old* average, so γ = 1 − α (`RMSprop(alpha=γ)`: PyTorch's
# `alpha` is post 3's γ, not the EMA's α). Weights of the past decay like γᵏ, so the
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
    W = W - eta * g / np.sqrt(h + eps)           # post 2's √(h + ε)
lib = run_library(lambda p: optim.RMSprop(p, lr=eta, alpha=gamma, eps=eps), steps)
print("post 2's RMSprop, ε inside:", W)
print("optim.RMSprop, ε outside  :", lib)
print(f"difference                : {np.max(np.abs(W - lib)):.1e}")

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
# At g = 1e-5 post 2's form steps 10× less. PyTorch (and the Adam paper's Algorithm 1) add ε
# outside the root: then ε only guards the division, and the step stays ≈ η·sign(g) for
# any gradient larger than ε; inside the root, ε = 1e-8 acts like a gradient floor of 1e-4.
#
# ## Check it yourself: does RMSprop diverge early on?
#
# Post 3 (3.7.6) says that since h starts at 0, RMSprop descends poorly early on and may even
# diverge. Half right: h starts near 0, so the first steps are *large*, not small. But they
# are bounded: h ≥ (1 − γ)g² after any step, so |step| = η|g|/√h ≤ η/√(1 − γ) per coordinate,
# whatever the gradient: 3.16η for γ = 0.9, 10η for PyTorch's default 0.99. A step that cannot
# exceed a fixed size cannot blow up the way SGD does with too large an η (each of SGD's steps
# is η times the gradient, which grows as it diverges). Constant gradient g = 1, γ = 0.99:

# %%
h = 0.0
sizes = []
for t in range(1, 301):
    h = 0.99 * h + 0.01 * 1.0
    sizes.append(1.0 / np.sqrt(h))                        # the step in units of η
print("step / η at t = 1, 2, 5, 20, 100, 300:", np.round([sizes[i - 1] for i in
                                                          (1, 2, 5, 20, 100, 300)], 3))
far = run_library(lambda p: optim.RMSprop(p, lr=0.5, alpha=0.99), 200, start=(-7.0, 2.0))
sgd = run_library(lambda p: optim.SGD(p, lr=1.1), 20)
print(f"valley, RMSprop lr 0.5 (α = 0.99): after 200 steps |w| = {np.abs(far).max():.3f} "
      f"(bounded steps);  SGD lr 1.1: after 20 steps |y| = {abs(sgd[1]):.3g} (diverges)")

# %% [markdown]
# Early steps up to 10η overshoot and zig-zag; what the bias correction of Adam removes is this
# overshoot, not a divergence.
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
print("post 3's Adam, ε outside:", adam_post(steps), f"  difference "
      f"{np.max(np.abs(adam_post(steps) - lib)):.1e}")
print("post 3's Adam, ε inside :", adam_post(steps, eps_inside=True), f"  difference "
      f"{np.max(np.abs(adam_post(steps, eps_inside=True) - lib)):.1e}")
print("optim.Adam              :", lib)

# %% [markdown]
# ## Check it yourself: the bias correction shrinks to 1
#
# Post 3 (3.7.7) says that as training goes on the denominators 1 − βᵗ get *smaller*, so m̂ and v̂
# shrink. The denominators grow towards 1; the correction factor 1/(1 − βᵗ) starts large
# (10 for β₁ = 0.9, 1000 for β₂ = 0.999) and falls to 1:

# %%
for t in (1, 2, 5, 10, 100, 1000, 10000):
    print(f"t = {t:5d}: 1 − β₁ᵗ = {1 - 0.9 ** t:.4f} (factor {1 / (1 - 0.9 ** t):8.3f}),   "
          f"1 − β₂ᵗ = {1 - 0.999 ** t:.4f} (factor {1 / (1 - 0.999 ** t):8.3f})")

# %% [markdown]
# ## Check it yourself: which moment lowers the step?
#
# Post 3 (3.7.7) describes Adam's update correctly at first (the larger the 2차 모멘트 (second
# moment) v̂, the smaller the step) and then sums it up as "the larger the 1차 모멘트 (first
# moment), the lower the 학습률 (learning rate)". It is the second moment: the step is α·m̂/(√v̂ + ε),
# so a larger m̂ makes the step *larger*, and a larger v̂ makes it smaller. In numbers, one
# Adam step from the same state with the gradient scaled:

# %%
def one_adam_step(grads):
    p = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    for g in grads:
        p.grad = np.array([g]); opt.step()
    state = opt.state_dict()["state"][0]
    return -p.data[0], state["exp_avg"][0], state["exp_avg_sq"][0]


for label, grads in [("g = 1, 1, 1        ", [1.0, 1.0, 1.0]),
                     ("g = 100, 100, 100  ", [100.0] * 3),
                     ("g = 1, 1, 10 (v̂ ↑)", [1.0, 1.0, 10.0]),
                     ("g = 1, 1, −1 (m̂ ↓)", [1.0, 1.0, -1.0])]:
    moved, m, v = one_adam_step(grads)
    print(f"{label}: m = exp_avg {m:8.4f}, v = exp_avg_sq {v:10.5f}, total move {moved:.4f}")

# %% [markdown]
# Scaling every gradient by 100 scales m by 100 and v by 10⁴: the move is unchanged. In the
# third row m is 4 times the first row's, yet Adam moves *less*, because v grew 34 times. In
# the last row v is the first row's and m is smaller: the move is smaller. A larger m̂ never
# lowers the step; a larger v̂ does.
#
# ## Check it yourself: `betas(0.9, 0.999)`
#
# Post 3's PyTorch line for Adam is `Adam(model.parameters(), lr=0.001, betas(0.9, 0.999),
# eps=1e-8)`, with the `=` after `betas` missing. Python reads `betas(0.9, 0.999)` as a call
# of a function `betas`, placed after a keyword argument, and refuses the line before it runs:

# %%
line = "optim.Adam(params, lr=0.001, betas(0.9, 0.999), eps=1e-8)"
try:
    compile(line, "post 3", "eval")
except SyntaxError as error:
    print(f"SyntaxError: {error.msg}")
params = [Tensor(np.zeros(2), requires_grad=True)]
print("with betas=(0.9, 0.999):", optim.Adam(params, lr=0.001, betas=(0.9, 0.999),
                                             eps=1e-8).param_groups[0]["betas"])

# %% [markdown]
# ## Predict, then run: Adam's first step
#
# For one parameter at 0 that gets the gradient g = 0.001, how far does `Adam(lr=0.1)` move it
# in its first step? (m̂₁ and v̂₁ after the bias correction, then the update.)

# %%
guess = None          # your prediction: the size of the first step
_tasks.predict("ch5.adam_first_step", guess)

# %% [markdown]
# ## Check it yourself: the β's in post 2's Adam
#
# Post 2 writes m_{t+1} = β₁mₜ + (1 − β₂)∇f and v_{t+1} = β₁vₜ + (1 − β₂)(∇f)², and
# steps with m̂ₜ, v̂ₜ (the previous step's). Taken literally:

# %%
W, m, v = np.array(valley.start), np.zeros(2), np.zeros(2)
b1, b2 = 0.9, 0.999
m_hat = v_hat = np.zeros(2)
for t in range(steps):                             # t = 0, 1, ...: post 2's indices
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
# ## The digits: SGD, 모멘텀 (momentum), Nesterov, Adam, AdamW
#
# Chapter 4's task with the adaptive methods added: the same three seeds, initial weights and
# mini-batches; Adam at η = 3e-3, AdamW at η = 3e-3 with 가중치 감쇠 (weight decay) 0.05.

# %%
digits_runs = _tasks.compare_on_digits(["SGD", "Momentum", "Nesterov", "Adam", "AdamW"])
print(_tasks.summary_table(digits_runs))
display(_tasks.plot_digits_curves(digits_runs, "digits: five optimizers (3 seeds)"))

# %% [markdown]
# Adam has the best accuracy (≈ 96%) and by far the smallest spread over seeds (± 0.1 against
# momentum's ± 1.2): dividing by √v̂ makes it insensitive to the initial weights' scale. Its
# validation loss (≈ 0.18) is not the lowest: Nesterov's (≈ 0.15) is, so which one is "best"
# depends on what you measure. AdamW's decay changes little in 10 epochs.
#
# ## Exercise 5 — RMSprop as PyTorch writes it
#
# Write `my_rmsprop(theta, grads, lr, gamma, eps)`: h starts at 0; per gradient
# h ← γh + (1 − γ)g², θ ← θ − lr·g/(√h + ε); return θ. The check compares with
# `optim.RMSprop(alpha=gamma)`. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
def my_rmsprop(theta, grads, lr, gamma, eps):
    raise NotImplementedError   # your code


_course.check("ch5.rmsprop", my_rmsprop)
