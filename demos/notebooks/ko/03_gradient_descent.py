# %% [markdown]
# # 3. 경사하강법: 배치, 확률적, 미니배치와 학습률
#
# 경사하강법(gradient descent)을 세 글(글 1, 2, 3)의 기호로 적으면 모두 같은 규칙입니다(글 번호는 [강의 소개](README.md)의 표를 따릅니다).
#
# * 글 1 「[Pytorch] - 경사하강법」: θₙ₊₁ = θₙ − η·∂f(θₙ)/∂θₙ (η는 학습률(learning rate), f는 손실함수(loss function))
# * 글 2 「[NN] 경사하강법」: w_new ← w_old − α∇_w L (여기서는 α가 학습률)
# * 글 3 「[딥러닝 알아듣기] 3.7」: W ← W − η·∂L/∂W
#
# 배치 경사하강법(batch gradient descent), 확률적 경사하강법(stochastic gradient descent, SGD), 미니배치 경사하강법(mini-batch gradient descent)의 차이는 단 하나, 한 번 갱신하기 전에 손실을 *어떤 샘플로* 계산하느냐뿐입니다.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Tensor, manual_seed, nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_linear_regression
from tinygrad_edu.nn import functional as F

# %% [markdown]
# ## f(θ) = θ²에서 본 학습률
#
# ∂f/∂θ = 2θ이므로 한 걸음은 θ ← θ − η·2θ = (1 − 2η)θ입니다. 0 < η < 1이면 |θ|가 줄어들고, η가 아주 작으면 기어가듯 느리며, 0.5 < η < 1이면 부호를 바꿔 가며 진동하고, η > 1이면 발산합니다. 아래 셀은 θ₀ = 1, η = 0.3으로 12걸음 간 값(0.4¹² ≈ 1.68e-5)을 손 계산과 `optim.SGD`로 비교하고, η = 0.02, 0.3, 0.9, 1.05일 때의 경로를 그립니다.

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
# ## 직선 하나, 데이터를 넣는 세 가지 방법
#
# 100개의 점에 y ≈ w·x + b를 맞춥니다. 배치 B에 대한 평균제곱오차(MSE)의 기울기는 ∂L/∂w = (2/|B|)·Σ (w·xᵢ + b − yᵢ)·xᵢ, ∂L/∂b = (2/|B|)·Σ (w·xᵢ + b − yᵢ)입니다. 아래에서는 numpy로 손으로 쓴 갱신과 `nn.Linear` + `optim.SGD`를 *같은* 배치(시드를 고정한 `DataLoader` 하나)로 나란히 돌립니다.

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
# ## 직접 확인해 보기: SGD는 한 에폭(epoch)에 샘플을 몇 개 보나?
#
# 글 1은 확률적 경사하강법 부분에서 SGD가 "한 에폭에 샘플 하나를 본다"고 씁니다. 하나씩 보는 단위는 **갱신** 한 번입니다. 에폭은 *모든* 샘플을 한 바퀴 도는 것이므로, 여기서 SGD는 한 에폭에 100번 갱신하면서 100개를 모두 봅니다.

# %%
loader = DataLoader(TensorDataset(X, y), batch_size=1, shuffle=True, seed=0)
seen = [int(np.flatnonzero((X[:, 0] == xb[0, 0]) & (y == yb[0]))[0]) for xb, yb in loader]
print(f"updates in one epoch: {len(loader)}, distinct samples seen: {len(set(seen))}")

# %% [markdown]
# ## 직접 확인해 보기: 손실은 기본으로 배치를 더하나?
#
# 글 1은 미니배치 부분에서 손실함수가 배치의 오차를 기본으로 모두 더한다고 씁니다. PyTorch의 손실함수(그리고 이 라이브러리의 것)는 기본값이 `reduction="mean"`, 즉 평균입니다. 합은 `"sum"`으로 따로 요청해야 합니다.

# %%
pred = Tensor(np.array([1.0, 2.0, 3.0, 4.0]))
target = np.array([1.5, 2.0, 2.0, 5.0])
print("default :", F.mse_loss(pred, target).item())
print("mean    :", F.mse_loss(pred, target, reduction="mean").item())
print("sum     :", F.mse_loss(pred, target, reduction="sum").item())

# %% [markdown]
# ## 손실의 합과 평균, 그리고 실제 학습률
#
# 크기 B인 배치에서 합은 평균의 B배이므로 기울기도 B배입니다. 즉 학습률 η로 *합*에 SGD를 하면, 학습률 B·η로 *평균*에 SGD를 한 것과 정확히 같은 걸음을 걷습니다. 글 1의 배치 경사하강법 코드(샘플마다 손실을 `train_loss`에 더한 뒤 한 번 갱신)가 바로 합의 형태라서, 데이터가 많아질수록 실제 학습률이 커집니다. PyTorch가 평균을 기본으로 삼는 것은 배치 크기가 달라져도 학습률이 같은 뜻을 갖게 하려는 것입니다.

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
# ## SGD의 잡음은 지역 최솟값(local minimum)을 벗어나게 해 줄까?
#
# 글 1은 SGD의 장점으로 무작위로 고른 샘플이 지역 최솟값에서 "튀어나오게" 해 준다는 점을 들고, 미니배치 경사하강법은 지역 최솟값에 빠질 확률이 훨씬 낮다고 말합니다. 글 3(3.7.1)도 지역 최적점(이 강의의 지역 최솟값)을 피해 전역 최적점(이 강의의 전역 최솟값, global minimum)으로 가는 것을 옵티마이저 발전의 동기로 삼습니다. 이 주장을 실험으로 확인해 봅시다.
#
# 지형은 라스트리긴(Rastrigin) 함수 f(x) = x² + 10·(1 − cos 2πx)입니다. 큰 그릇 모양에 정수마다 움푹한 곳이 있고, 전역 최솟값은 0에 있습니다. 학습 데이터는 평균이 정확히 0인 수 1,000개 bᵢ이고 샘플 i의 손실은 f(x) + bᵢ·x입니다. 그러면 전체 배치의 손실은 정확히 f이고, 크기 B인 미니배치는 f'(x)에 표준편차가 약 120/√B인 잡음이 더해진 기울기를 받습니다. [−4.5, 4.5]에서 고르게 뽑은 400개의 시작점(배치 크기마다 같은 시작점)에서 `optim.SGD(lr=0.002)`로 3,000걸음을 걷고, 끝났을 때 전역 분지(basin: 거기서 굴러 내려가면 전역 최솟값에 닿는 구간) |x| < 0.5 안에 있는 실행의 비율을 셉니다. 두 번째 표는 같은 실험에서 학습률을 `CosineAnnealingLR`로 0까지 줄인 경우입니다.

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
# 표를 읽어 봅시다. 전체 배치 경사하강법은 출발한 분지를 절대 벗어나지 않습니다. 11%가 전역 최솟값에서 끝나는 것은 11%가 거기서 출발했기 때문입니다. 잡음은 실제로 일부 실행을 장벽 너머로 옮기므로, 글 1의 주장도 일부는 맞습니다. 표준편차 60의 잡음이면 약 4분의 1이 전역 분지에서 끝나고, 학습률을 줄여 주면 잡음이 가장 큰 실행들이 평균적으로 가장 낮은 곳에 닿습니다(평균 손실 약 4.6, 잡음 없이는 6.75). 하지만 보장은 아닙니다. 대부분은 여전히 지역 최솟값에서 끝나고, 일정한 학습률에서 잡음이 크면 좋은 분지에 있던 실행까지 밖으로 밀어냅니다(표준편차 120에서 평균 최종 손실 약 15). 잡음은 장벽을 넘을 만큼 크고 *끝에 가서는 줄어들 때* 도움이 됩니다. 학습률 감소가 하는 일이 바로 그것입니다(7장).
#
# 글 1은 SGD의 단점으로, 확률적으로 찾기 때문에 오히려 전역 최솟값에 "빠질 확률"이 있다고도 씁니다. 전역 최솟값에 빠지는 것은 위험이 아니라 목표입니다. 글 1이 하려던 말은 반대쪽일 것입니다. 학습률이 일정하면 잡음 때문에 SGD가 최솟값 *주변에서* 계속 흔들리고, 심하면 전역 분지 밖으로 튕겨 나갑니다. 표에서도 보입니다. 일정한 학습률에 표준편차 60의 잡음이면 전역 분지에서 출발한 실행 가운데 끝까지 남는 것은 약 3분의 1, 표준편차 120이면 약 6분의 1입니다.

# %% [markdown]
# ## 연습 문제 3 — 한 에폭의 갱신 횟수
#
# `my_updates(n_samples, batch_size, drop_last)`를 작성하세요. 한 에폭에 몇 번 갱신하는지 돌려주면 됩니다(`drop_last=True`면 마지막의 작은 배치는 건너뜁니다). 검사는 `len(DataLoader(...))`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_updates(n_samples, batch_size, drop_last):
    raise NotImplementedError   # your code


_course.check("ch3.updates_per_epoch", my_updates)
