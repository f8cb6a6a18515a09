# %% [markdown]
# # 8. Optimizer state, resuming, transfer learning · state_dict와 전이학습
#
# One post asks what `optimizer.load_state_dict()` restores: for Adam, the per-parameter 모멘텀 (momentum) and the per-parameter scale of the 학습률 (learning rate). That is its `state_dict`
# (state_dict, 상태 사전): `{"state": {index: {"step", "exp_avg", "exp_avg_sq"}},
# "param_groups": [...]}`, the same shape as PyTorch's.

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


def train(model, opt, steps, X=X, y=y):
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
    return losses

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
# ## Resuming: weights alone are not enough
#
# Train 40 steps without stopping; then train 20, save the model *and* the optimizer, load
# both into new objects and train 20 more; and once more loading only the weights, with a new
# Adam (its m and v start again at 0, and its 편향 보정 (bias correction) restarts at t = 1).

# %%
uninterrupted = new_model()
full = train(uninterrupted, optim.Adam(uninterrupted.parameters(), lr=0.01), 40)

first = new_model()
opt = optim.Adam(first.parameters(), lr=0.01)
head = train(first, opt, 20)
path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
tinygrad_edu.save({"model": first.state_dict(), "optimizer": opt.state_dict()}, path)

saved = tinygrad_edu.load(path)
resumed = new_model(); resumed.load_state_dict(saved["model"])
opt_resumed = optim.Adam(resumed.parameters(), lr=0.01)
opt_resumed.load_state_dict(saved["optimizer"])
tail = train(resumed, opt_resumed, 20)

weights_only = new_model(); weights_only.load_state_dict(saved["model"])
tail_fresh = train(weights_only, optim.Adam(weights_only.parameters(), lr=0.01), 20)

diff = lambda a, b: max(np.max(np.abs(p.data - q.data))
                        for p, q in zip(a.parameters(), b.parameters()))
print(f"model + optimizer restored: largest weight difference from uninterrupted {diff(resumed, uninterrupted):.1e}")
print(f"weights only, new Adam    : largest weight difference from uninterrupted {diff(weights_only, uninterrupted):.1e}")
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(full, label="uninterrupted", lw=3, alpha=0.4)
ax.plot(range(20, 40), tail, "--", label="resumed with optimizer state")
ax.plot(range(20, 40), tail_fresh, ":", label="resumed, weights only")
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## 전이학습 (transfer learning): a new task, which optimizer state?
#
# The post's conclusion: the data and so the loss change, so start a *new* optimizer. The
# numbers agree with the reason: the old exp_avg points along the *old* loss's gradient, so
# the loaded optimizer's first steps still move the old way. Here the "new task" is the same
# points with the classes relabelled; the pretrained weights are loaded both times.

# %%
y_new = (y + 1) % 3
pre = first.state_dict()
for label, load_state in (("new Adam", False), ("old Adam state loaded", True)):
    model = new_model(); model.load_state_dict(pre)
    opt = optim.Adam(model.parameters(), lr=0.01)
    if load_state:
        opt.load_state_dict(saved["optimizer"])
    before = np.concatenate([p.data.ravel() for p in model.parameters()])
    train(model, opt, 1, y=y_new)
    step = np.concatenate([p.data.ravel() for p in model.parameters()]) - before
    losses = train(model, opt, 30, y=y_new)
    print(f"{label:22s}: first step size {np.linalg.norm(step):.4f}, loss on the new task "
          f"after 31 steps {losses[-1]:.4f}")

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
