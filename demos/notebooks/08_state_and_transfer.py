# %% [markdown]
# # 8. Optimizer state, resuming, transfer learning · state_dict와 전이학습
#
# Post 4 ("Optimizer", velog) starts from a question: what does `optimizer.load_state_dict()`
# restore? For Adam, the per-parameter 모멘텀 (momentum) and the per-parameter scale of the
# 학습률 (learning rate). That is its `state_dict`: `{"state": {index: {"step", "exp_avg",
# "exp_avg_sq"}}, "param_groups": [...]}`, the same shape as PyTorch's.

# %%
# %matplotlib inline
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu
from tinygrad_edu import manual_seed, nn, optim
from tinygrad_edu.data import make_blobs
from tinygrad_edu.nn import functional as F

X, y = make_blobs(n_samples=200, centers=3, seed=0)


def new_model():
    manual_seed(0)
    return nn.MLP([2, 16, 3])


# %% [markdown]
# ## What Adam keeps, by hand
#
# After t steps, exp_avg = m = Σ (1 − β₁)β₁^(t−k) g_k and exp_avg_sq = v = Σ (1 − β₂)β₂^(t−k) g_k².

# %%
model = new_model()
opt = optim.Adam(model.parameters(), lr=0.01)
bias = model.parameters()[-1]
m = v = 0.0
for _ in range(3):
    loss = F.cross_entropy(model(X), y)
    opt.zero_grad(); loss.backward()
    g = bias.grad.copy()
    m = 0.9 * m + 0.1 * g; v = 0.999 * v + 0.001 * g * g
    opt.step()
state = opt.state_dict()
last = state["state"][len(model.parameters()) - 1]
print("keys per parameter:", sorted(last))
print(f"step {last['step']};  |m by hand − exp_avg| = {np.max(np.abs(m - last['exp_avg'])):.1e};"
      f"  |v by hand − exp_avg_sq| = {np.max(np.abs(v - last['exp_avg_sq'])):.1e}")
group = state["param_groups"][0]
print("param_groups[0]:", {k: group[k] for k in ("lr", "betas", "eps", "weight_decay")},
      "params:", group["params"])

# %% [markdown]
# ## Resuming: what weights alone lose
#
# The digits task again (Adam, η = 3e-3, 6 epochs of 43 mini-batches). One run goes through
# without stopping. Another stops after 3 epochs and saves a checkpoint, and is resumed three
# ways: model + optimizer + the loader's position (`DataLoader.state_dict()`: its shuffle generator and the 에폭 (epoch) it is in); model + loader with a *new* Adam ("weights only": its
# m and v start again at 0 and its 편향 보정 (bias correction) restarts at t = 1); and the
# model alone (new Adam, batches in a new order). Plotted: after each step, the largest
# difference of any weight from the uninterrupted run's weights at the same step.

# %%
import _tasks
from IPython.display import display

checkpoint = os.path.join(tempfile.mkdtemp(), "digits.ckpt")   # saved and loaded from disk
resume = _tasks.resume_on_digits(path=checkpoint)
print(f"checkpoint {os.path.basename(checkpoint)}: {os.path.getsize(checkpoint)} bytes, keys "
      f"{sorted(tinygrad_edu.load(checkpoint))}")
print(f"uninterrupted run: validation loss {resume['uninterrupted']['val_loss']:.4f}")
fig, ax = plt.subplots(figsize=(6, 3.2))
for how in ("model + optimizer + loader", "model + loader", "model only"):
    r = resume[how]
    print(f"resumed from {how:26s}: largest weight difference at the end "
          f"{r['distance'][-1]:.2e}, validation loss {r['val_loss']:.4f}")
    ax.plot(resume["steps_before"] + 1 + np.arange(len(r["distance"])), r["distance"],
            label=how + (" (exactly 0)" if not r["distance"].any() else ""))
ax.set_yscale("symlog", linthresh=1e-6)       # log above 1e-6, linear through 0
ax.set_ylim(-1e-7, 1)
ax.set_xlabel("step (the checkpoint was after step 129)")
ax.set_ylabel("max |w − w_uninterrupted|")
ax.grid(alpha=0.3); ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
plt.tight_layout(); plt.show()

# %% [markdown]
# With everything restored the resumed run *is* the uninterrupted run: difference exactly 0 at
# every step (drawn on the symlog axis's linear part). Weights alone put the run on another
# path: 5e-3 after the first step, growing to about 0.1. Its validation loss is about as good,
# even a hair lower here, so what "weights alone" lose is not quality: it is the *run*. You
# cannot reproduce, debug or compare it step for step with the one you interrupted, and the
# first steps after the restart are Adam's large bias-corrected ones. That is why a checkpoint
# holds the optimizer (and the data order) too.
#
# ## 전이학습 (transfer learning): which features, which optimizer state?
#
# A task that shares its inputs' structure but not its classes: pre-train the MLP on the
# digits 0–4 (all their training images), then learn the digits 5–9 from only 10 images of
# each. The pre-trained network keeps its hidden layer and gets a fresh output layer; we
# compare it with the same network trained from scratch on the 50 images, and, for post 4's
# question, with the pre-training's Adam state loaded. Accuracy on the validation images of
# 5–9 after 30 full-batch Adam steps (η = 0.01), for three seeds:

# %%
transfer = [_tasks.transfer_on_digits(seed) for seed in (0, 1, 2)]
for how in transfer[0]:
    accuracies = np.array([t[how] for t in transfer])
    print(f"{how:28s}: {100 * accuracies.mean():5.1f}% ± {100 * accuracies.std():.1f} "
          f"(seeds: {', '.join(f'{100 * a:.1f}' for a in accuracies)})")

# %% [markdown]
# The honest result: here pre-training does *not* help. Features learned to tell 0–4 apart
# are no better a start for 5–9 than random ones in a 64 → 32 → 10 network: 8×8 digits are
# nearly separable from the raw pixels, and 32 hidden units trained on five classes keep
# what those classes need. Transfer pays when the features are general and the new data
# scarce. On post 4's question the numbers side with its conclusion: the loaded state (whose
# exp_avg points along the *old* loss's gradient) buys nothing beyond the spread over seeds,
# and a fresh optimizer for the new loss is the simpler choice.

# %% [markdown]
# ## Exercise 8 — Adam's state
#
# Write `my_adam_state(grads)`: for one parameter of zeros that receives the gradients in
# `grads` (a list of lists) with `Adam(lr=1e-3)`, return `[exp_avg, exp_avg_sq]`. The check
# compares with `optimizer.state_dict()`. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_adam_state(grads):
    raise NotImplementedError   # your code


_course.check("ch8.adam_state", my_adam_state)
