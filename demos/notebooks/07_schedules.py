# %% [markdown]
# # 7. Learning-rate schedules · 학습률 스케줄링
#
# 학습률 스케줄링 (learning-rate scheduling) changes η during training. Post 5 ("Optimizer
# 기초부터 알아보기") makes the 학습률 (learning rate) *callable* in its code: `lr(step)` if
# it is a function, else the number. PyTorch (and
# `tinygrad_edu.optim.lr_scheduler`) keep η in the optimizer's `param_groups` and let a
# scheduler rewrite it each time `scheduler.step()` is called — the training loop calls it,
# usually after the optimizer's steps; `optimizer.step()` alone never changes η.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Tensor, Value, manual_seed, nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_linear_regression
from tinygrad_edu.nn import functional as F
from tinygrad_edu.optim import lr_scheduler


def rates(make_scheduler, epochs=30, lr=0.1):
    """The learning rate used at each epoch under the usual step(); scheduler.step() loop."""
    opt = optim.SGD([Value(0.0)], lr=lr)
    sched = make_scheduler(opt)
    used = []
    for _ in range(epochs):
        used.append(opt.param_groups[0]["lr"])
        opt.step(); sched.step()
    return np.array(used)

# %% [markdown]
# ## Post 5's callable learning rate = `LambdaLR`
#
# `LambdaLR(opt, f)` sets η_t = η₀·f(t): with η₀ = 1 any callable `lr(step)` is reproduced.

# %%
def lr_callable(step):                    # a callable rate in post 5's style
    return 0.1 / (1 + 0.5 * step)


by_hand = np.array([lr_callable(t) for t in range(30)])
library = rates(lambda o: lr_scheduler.LambdaLR(o, lr_callable), lr=1.0)
print(f"LambdaLR vs the callable: largest difference {np.max(np.abs(by_hand - library)):.1e}")

# %% [markdown]
# ## Three closed forms by hand vs the library
#
# StepLR η₀·γ^⌊t/s⌋ · ExponentialLR η₀·γᵗ · CosineAnnealingLR
# η_min + (η₀ − η_min)(1 + cos(πt/T))/2

# %%
t = np.arange(30)
forms = {
    "StepLR(step_size=10, γ=0.5)": (0.1 * 0.5 ** (t // 10),
                                    lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.5)),
    "ExponentialLR(γ=0.9)": (0.1 * 0.9 ** t, lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR(T=30)": (0.001 + (0.1 - 0.001) * (1 + np.cos(np.pi * t / 30)) / 2,
                                lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=30,
                                                                         eta_min=0.001)),
}
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, (hand, make) in forms.items():
    lib = rates(make)
    print(f"{name:28s} largest difference {np.max(np.abs(hand - lib)):.1e}")
    ax.plot(t, lib, label=name)
ax.set_xlabel("epoch"); ax.set_ylabel("learning rate"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## AdaGrad's "학습률 감소" and `lr_decay`
#
# Post 4 ("Optimizer", velog) presents AdaGrad as a step up from a decaying learning rate,
# and post 3 calls its shrinking η/√h a 학습률 감소 (learning-rate decay). `Adagrad` also has
# an explicit one, `lr_decay` = δ: the rate at step t is η/(1 + (t − 1)δ), *on top of* 1/√h.
# (The library's docstring follows PyTorch's letters: γ for the learning rate η, δ for
# `lr_decay`.) Below η = 0.1, δ = 0.5 and a constant gradient 1:

# %%
w = Tensor([1.0], requires_grad=True)
opt = optim.Adagrad([w], lr=0.1, lr_decay=0.5)
h, theta = 0.0, 1.0
for step in range(1, 6):
    w.grad = np.array([1.0]); opt.step()
    h += 1.0
    theta -= 0.1 / (1 + (step - 1) * 0.5) * 1.0 / (math.sqrt(h) + 1e-10)
print(f"by hand {theta:.12f}   optim.Adagrad {w.data[0]:.12f}   difference "
      f"{abs(theta - w.data[0]):.1e}")

# %% [markdown]
# ## 모멘텀 (momentum) under a schedule: the two forms part ways
#
# Chapter 4 showed v ← αv − ηg; W ← W + v equals PyTorch's b ← μb + g; W ← W − ηb at a
# constant η. Halve η at step 10: the textbook velocity still carries the old η in v, while
# PyTorch applies the new η to the whole buffer at once.

# %%
grad = lambda w: np.array([w[0] / 10, 2 * w[1]])        # the valley x²/20 + y²
eta = lambda step: 0.1 if step < 10 else 0.05
W, v = np.array([-7.0, 2.0]), np.zeros(2)
for step in range(20):
    v = 0.9 * v - eta(step) * grad(W)
    W = W + v
p = Tensor(np.array([-7.0, 2.0]), requires_grad=True)
opt = optim.SGD([p], lr=0.1, momentum=0.9)
sched = lr_scheduler.LambdaLR(opt, lambda s: 1.0 if s < 10 else 0.5)
for step in range(20):
    p.grad = grad(p.data); opt.step(); sched.step()
print("textbook velocity form :", W)
print("PyTorch buffer form    :", p.data)
print(f"difference             : {np.max(np.abs(W - p.data)):.3f}")

# %% [markdown]
# ## The learning-rate range test (LRRT)
#
# Post 1 ("[Pytorch] - 경사하강법") mentions the LR range test: grow η exponentially for a
# few batches and watch the loss; a good η sits where the loss falls fastest, well before it
# blows up.
# `optim.lr_range_test` runs it and puts the model and optimizer back afterwards.

# %%
X, y, _ = make_linear_regression(n_samples=256, noise=0.3, seed=1)
manual_seed(0)
model = nn.Linear(1, 1)
opt = optim.SGD(model.parameters(), lr=0.01)
loader = DataLoader(TensorDataset(X, y[:, None]), batch_size=16, shuffle=True, seed=0)
result = optim.lr_range_test(model, opt, F.mse_loss, loader, start_lr=1e-4, end_lr=10,
                             num_iter=60)
print(f"suggested learning rate: {result.suggestion:.3g}; the optimizer's lr is back to "
      f"{opt.param_groups[0]['lr']}")
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogx(result.lrs, result.losses)
ax.axvline(result.suggestion, color="gray", ls=":", label="suggestion")
ax.set_xlabel("learning rate"); ax.set_ylabel("loss"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Schedules on the digits
#
# The task of chapters 4–6, now with the rate changed once per 에폭 (epoch): momentum (η₀ = 0.05,
# μ = 0.9) and Adam (η₀ = 3e-3), each at a constant rate, with `CosineAnnealingLR` (to 0 over
# the 10 epochs), and momentum with `StepLR` (halved every 3 epochs). Same seeds, weights and
# mini-batches as before.

# %%
import _tasks
from IPython.display import display

cosine = lambda opt, epochs: lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
step = lambda opt, epochs: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
schedules = {"Momentum + cosine": cosine, "Momentum + step": step, "Adam + cosine": cosine}
factories = {"Momentum + cosine": _tasks.DIGITS_OPTIMIZERS["Momentum"],
             "Momentum + step": _tasks.DIGITS_OPTIMIZERS["Momentum"],
             "Adam + cosine": _tasks.DIGITS_OPTIMIZERS["Adam"]}
scheduled = _tasks.compare_on_digits(["Momentum", "Momentum + cosine", "Momentum + step",
                                      "Adam", "Adam + cosine"], optimizers=factories,
                                     schedules=schedules)
print(_tasks.summary_table(scheduled))
print("momentum's rates per epoch, cosine:",
      np.round(scheduled["Momentum + cosine"]["learning_rates"][0], 4))
display(_tasks.plot_digits_curves(scheduled, "digits: constant rate vs schedules (3 seeds)"))

# %% [markdown]
# For momentum, both schedules help: the last epochs take small steps, the mini-batch noise
# (chapter 3) dies down, the loss settles lower and the spread over seeds shrinks (± 1.2 points
# → ± 0.2–0.4). For Adam the cosine *hurts* (96.1% → 93.1%): at η₀ = 3e-3 Adam is still
# descending after 10 epochs, and the cosine takes away half of its average step. A schedule
# pays when the constant rate is large enough to be noisy at the end, not by itself.
#
# ## Exercise 7 — cosine annealing
#
# Write `my_cosine(t, T, lr0, lr_min)`: the rate at 에폭 (epoch) t (0 ≤ t ≤ T). The check compares
# with `CosineAnnealingLR`. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_cosine(t, T, lr0, lr_min):
    raise NotImplementedError   # your code


_course.check("ch7.cosine", my_cosine)
