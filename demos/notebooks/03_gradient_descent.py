# %% [markdown]
# # 3. 경사하강법 (gradient descent): batch, stochastic, mini-batch; the learning rate · 경사하강법과 학습률
#
# 경사하강법 (gradient descent), in three of the posts' letters (the posts are numbered as in
# README.ko.md's table) — the same rule:
#
# * post 1, "[Pytorch] - 경사하강법": θₙ₊₁ = θₙ − η·∂f(θₙ)/∂θₙ  (η: 학습률 (learning rate),
#   f: the 손실함수 (loss function))
# * post 2, "[NN] 경사하강법": w_new ← w_old − α∇_w L  (α is the learning rate here)
# * post 3, "[딥러닝 알아듣기] 3.7": W ← W − η·∂L/∂W
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
ax.set_xlabel("step"); ax.set_ylabel("θ"); ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))   # beside, not on, the lines
plt.tight_layout(); plt.show()

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
ax.set_xlabel("epoch"); ax.set_ylabel("loss on all 100 points"); ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))   # the starts stay visible
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Check it yourself: how many samples does SGD see per 에폭 (epoch)?
#
# Post 1 ("[Pytorch] - 경사하강법", its section on 확률적 경사하강법) says SGD "sees one
# sample per epoch". It sees one sample per **update**; an epoch
# is one pass over *all* samples, so SGD makes 100 updates per epoch here and sees all 100.

# %%
loader = DataLoader(TensorDataset(X, y), batch_size=1, shuffle=True, seed=0)
seen = [int(np.flatnonzero((X[:, 0] == xb[0, 0]) & (y == yb[0]))[0]) for xb, yb in loader]
print(f"updates in one epoch: {len(loader)}, distinct samples seen: {len(set(seen))}")

# %% [markdown]
# ## Check it yourself: does the loss add up the batch by default?
#
# Post 1, in its mini-batch section, says the loss function adds up the batch's errors by
# default. PyTorch's losses (and
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
# the sum form (post 1's full-batch code): its effective rate grows with the data set. PyTorch averages by default so
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


manual_seed(0)                                   # post 1's batch loop: one sample at a
model = nn.Linear(1, 1)                          # time, train_loss = train_loss + loss,
train_loss = 0                                   # then one backward() and one step
for xb, yb in DataLoader(TensorDataset(X, y), batch_size=1):
    train_loss = train_loss + F.mse_loss(model(xb)[:, 0], yb)
train_loss.backward()
summed = model.weight.grad.copy()
model.zero_grad()
F.mse_loss(model(X)[:, 0], y, reduction="sum").backward()
print(f"post 1's loop vs reduction='sum': gradient difference "
      f"{np.max(np.abs(summed - model.weight.grad)):.1e}")

eta = 0.001
print("sum  with η      :", full_batch("sum", eta))
print("mean with 100·η  :", full_batch("mean", 100 * eta))
print("mean with η      :", full_batch("mean", eta), "(100 times slower)")
print(f"difference sum(η) vs mean(100η): "
      f"{np.max(np.abs(full_batch('sum', eta) - full_batch('mean', 100 * eta))):.1e}")

# %% [markdown]
# ## Does SGD's noise get it out of local minima?
#
# Post 1 lists as SGD's strength that its random picks can "shoot" it out of a 지역 최솟값
# (local minimum), and says mini-batch descent falls into one far less often; post 3 (3.7.1)
# motivates the whole optimizer family by escaping 지역 최적점 towards the 전역 최적점 (global
# optimum). Here is the claim tested. The landscape is Rastrigin's f(x) = x² + 10·(1 − cos 2πx):
# a bowl with a dip near every integer, the global minimum at 0. The training set is 1,000
# numbers bᵢ with mean exactly 0, sample i's loss is f(x) + bᵢ·x, so the full-batch loss is f
# itself and a mini-batch of size B gets f'(x) plus noise of standard deviation ≈ 120/√B.
# 400 runs start uniformly in [−4.5, 4.5] (the same starts for every batch size) and take
# 3,000 steps of `optim.SGD(lr=0.002)`; we count the runs that end in the global basin
# |x| < 0.5. Second table: the same, with the rate annealed to 0 by `CosineAnnealingLR`.

# %%
import _tasks

noise_runs = {"constant lr": _tasks.noise_experiment(),
              "annealed lr": _tasks.noise_experiment(anneal=True)}
for label, result in noise_runs.items():
    print(label)
    for batch, r in result.items():
        name = "full batch" if batch is None else f"batch {batch}"
        print(f"  {name:10s} noise std {r['noise']:5.1f}: in the global basin "
              f"{100 * r['global']:5.1f}% (started there {100 * r['started']:.1f}%, of "
              f"those still there {100 * r['stayed']:5.1f}%), mean final loss {r['final_loss']:6.2f}")

fig, ax = plt.subplots(figsize=(6, 3.2))
for label, result in noise_runs.items():
    ax.plot([r["noise"] for r in result.values()],
            [100 * r["global"] for r in result.values()], marker="o", label=label)
ax.axhline(100 * noise_runs["constant lr"][None]["started"], color="gray", ls=":",
           label="started in the global basin")
ax.set_xlabel("gradient noise std (0 = full batch)"); ax.set_ylabel("% ending in global basin")
ax.grid(alpha=0.3); ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
plt.tight_layout(); plt.show()

# %% [markdown]
# What the numbers say. Full-batch descent never leaves the basin it starts in: 11% end at the
# global minimum because 11% start there. Noise does move runs across the barriers, and the
# claim holds in part: with noise of std 60 about a quarter of the runs end in the global
# basin, and with annealing the noisiest runs end lowest on average (mean loss ≈ 4.6 against
# 6.75). But it is no guarantee: most runs still end in a local minimum, and large noise at a
# constant rate keeps kicking runs *out* of the good basins (std 120: mean final loss ≈ 15).
# Noise helps when it is large enough to hop barriers *and* is reduced at the end, which is
# what a decaying learning rate does (chapter 7).
#
# Post 1 also lists among SGD's weaknesses that, being random, it may "fall into the global
# minimum". Falling into the 전역 최솟값 (global minimum) is the goal, not a risk; what post 1
# means is the opposite: at a constant rate the noise keeps SGD jittering *around* the
# minimum, or even knocks it out of the global basin. The table shows it: at a constant rate
# with noise of std 60, only about a third of the runs that started in the global basin are
# still in it at the end; at std 120, about one in six.

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
