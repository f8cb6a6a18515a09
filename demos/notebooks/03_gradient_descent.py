# %% [markdown]
# # 3. 경사하강법 (gradient descent): batch, stochastic, mini-batch; the learning rate · 경사하강법과 학습률
#
# 경사하강법 (gradient descent), in the three posts' letters — the same rule:
#
# * θₙ₊₁ = θₙ − η·∂f(θₙ)/∂θₙ  (η: 학습률 (learning rate), f: the 손실함수 (loss function))
# * w_new ← w_old − α∇_w L  (α is the learning rate here)
# * W ← W − η·∂L/∂W
#
# What changes between 배치 경사하강법 (batch gradient descent), 확률적 경사하강법
# (stochastic gradient descent, SGD) and 미니배치 경사하강법 (mini-batch gradient descent) is
# only *which samples* the loss is computed on before each update.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Tensor, manual_seed, nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_linear_regression
from tinygrad_edu.nn import functional as F

# %% [markdown]
# ## The learning rate on f(θ) = θ²
#
# ∂f/∂θ = 2θ, so one step is θ ← θ − η·2θ = (1 − 2η)θ: it shrinks for 0 < η < 1, crawls
# when η is tiny, oscillates for 0.5 < η < 1 and diverges beyond η = 1.

# %%
def descend(eta, theta=1.0, steps=12):
    path = [theta]
    for _ in range(steps):
        theta = theta - eta * 2 * theta          # θ ← θ − η·∂f/∂θ
        path.append(theta)
    return np.array(path)


w = Tensor([1.0], requires_grad=True)            # the same with the library
opt = optim.SGD([w], lr=0.3)
for _ in range(12):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
print(f"by hand θ₁₂ = {descend(0.3)[-1]:.3e}, optim.SGD θ₁₂ = {w.data[0]:.3e}, "
      f"difference {abs(descend(0.3)[-1] - w.data[0]):.1e}")

fig, ax = plt.subplots(figsize=(6, 3.2))
for eta in (0.02, 0.3, 0.9, 1.05):
    ax.plot(descend(eta), marker="o", markersize=3, label=f"η = {eta}")
ax.set_xlabel("step"); ax.set_ylabel("θ"); ax.legend(fontsize=8, ncol=4); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## One line, three ways to feed it
#
# y ≈ w·x + b on 100 points. The gradient of the mean squared error over a batch B is
# ∂L/∂w = (2/|B|)·Σ (w·xᵢ + b − yᵢ)·xᵢ and ∂L/∂b = (2/|B|)·Σ (w·xᵢ + b − yᵢ). Below, the
# update by hand in numpy runs beside `nn.Linear` + `optim.SGD` on the *same* batches
# (one `DataLoader`, seeded).

# %%
X, y, coef = make_linear_regression(n_samples=100, noise=0.3, seed=0)
print(f"true line: w = {coef.weight[0]:.3f}, b = {coef.bias:.3f}")


def train(batch_size, lr, epochs):
    manual_seed(0)
    model = nn.Linear(1, 1)
    opt = optim.SGD(model.parameters(), lr=lr)
    w_hand, b_hand = model.weight.data[0, 0], model.bias.data[0]      # same start
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=0)
    losses, updates = [], 0
    for _ in range(epochs):
        for xb, yb in loader:
            err = w_hand * xb[:, 0] + b_hand - yb                     # by hand
            w_hand -= lr * 2 * np.mean(err * xb[:, 0])
            b_hand -= lr * 2 * np.mean(err)
            loss = F.mse_loss(model(xb)[:, 0], yb)                   # the library
            opt.zero_grad(); loss.backward(); opt.step()
            updates += 1
        losses.append(F.mse_loss(model(X)[:, 0], y).item())
    diff = max(abs(w_hand - model.weight.data[0, 0]), abs(b_hand - model.bias.data[0]))
    return losses, updates, diff


runs = {"batch (all 100)": train(100, 0.1, 30), "mini-batch (10)": train(10, 0.1, 30),
        "stochastic (1)": train(1, 0.1, 30)}
for name, (losses, updates, diff) in runs.items():
    print(f"{name:16s} updates/epoch {updates // 30:3d}   final loss {losses[-1]:.4f}   "
          f"|by hand − library| = {diff:.1e}")

fig, ax = plt.subplots(figsize=(6, 3.2))
for name, (losses, _, _) in runs.items():
    ax.semilogy(np.arange(1, 31), losses, label=name)
ax.set_xlabel("epoch"); ax.set_ylabel("loss on all 100 points"); ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Check it yourself: how many samples does SGD see per 에폭 (epoch)?
#
# One post says SGD "sees one sample per epoch". It sees one sample per **update**; an epoch
# is one pass over *all* samples, so SGD makes 100 updates per epoch here and sees all 100.

# %%
loader = DataLoader(TensorDataset(X, y), batch_size=1, shuffle=True, seed=0)
seen = [int(np.flatnonzero((X[:, 0] == xb[0, 0]) & (y == yb[0]))[0]) for xb, yb in loader]
print(f"updates in one epoch: {len(loader)}, distinct samples seen: {len(set(seen))}")

# %% [markdown]
# ## Check it yourself: does the loss add up the batch by default?
#
# One post says the loss function sums the batch's errors by default. PyTorch's losses (and
# these) default to `reduction="mean"`; `"sum"` must be asked for.

# %%
pred = Tensor(np.array([1.0, 2.0, 3.0, 4.0]))
target = np.array([1.5, 2.0, 2.0, 5.0])
print("default :", F.mse_loss(pred, target).item())
print("mean    :", F.mse_loss(pred, target, reduction="mean").item())
print("sum     :", F.mse_loss(pred, target, reduction="sum").item())

# %% [markdown]
# ## Loss sum vs mean, and the effective learning rate
#
# The sum over a batch of size B is B times the mean, so its gradient is B times larger:
# SGD on the *sum* with rate η takes exactly the steps of SGD on the *mean* with rate B·η.
# The posts' batch loop (adding every sample's loss into `train_loss`, then one step) is
# the sum form: its effective rate grows with the data set. PyTorch averages by default so
# that the learning rate means the same thing whatever the batch size.

# %%
def full_batch(reduction, lr, steps=20):
    manual_seed(0)
    model = nn.Linear(1, 1)
    opt = optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.mse_loss(model(X)[:, 0], y, reduction=reduction)
        opt.zero_grad(); loss.backward(); opt.step()
    return np.array([model.weight.data[0, 0], model.bias.data[0]])


manual_seed(0)                                   # the post's batch loop: one sample at a
model = nn.Linear(1, 1)                          # time, train_loss = train_loss + loss,
train_loss = 0                                   # then one backward() and one step
for xb, yb in DataLoader(TensorDataset(X, y), batch_size=1):
    train_loss = train_loss + F.mse_loss(model(xb)[:, 0], yb)
train_loss.backward()
summed = model.weight.grad.copy()
model.zero_grad()
F.mse_loss(model(X)[:, 0], y, reduction="sum").backward()
print(f"post's loop vs reduction='sum': gradient difference "
      f"{np.max(np.abs(summed - model.weight.grad)):.1e}")

eta = 0.001
print("sum  with η      :", full_batch("sum", eta))
print("mean with 100·η  :", full_batch("mean", 100 * eta))
print("mean with η      :", full_batch("mean", eta), "(100 times slower)")
print(f"difference sum(η) vs mean(100η): "
      f"{np.max(np.abs(full_batch('sum', eta) - full_batch('mean', 100 * eta))):.1e}")

# %% [markdown]
# ## Exercise 3 — updates per epoch
#
# Write `my_updates(n_samples, batch_size, drop_last)`: how many updates one epoch makes
# (with `drop_last=True` a last, smaller batch is skipped). The check compares it with
# `len(DataLoader(...))`. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_updates(n_samples, batch_size, drop_last):
    raise NotImplementedError   # your code


_course.check("ch3.updates_per_epoch", my_updates)
