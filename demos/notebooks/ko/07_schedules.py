# %% [markdown]
# # 7. 학습률 스케줄링
#
# 학습 중에 학습률(learning rate) η를 바꿔 가는 것을 학습률 스케줄링(learning-rate scheduling)이라고 합니다. 글 5 「Optimizer 기초부터 알아보기」는 코드에서 학습률을 *호출 가능한*(callable) 것, 즉 함수로도 넣을 수 있게 만들어, 함수면 `lr(step)`을, 아니면 그 숫자를 씁니다. PyTorch(와 `tinygrad_edu.optim.lr_scheduler`)는 η를 옵티마이저의 `param_groups`에 두고, 스케줄러는 `scheduler.step()`이 불릴 때마다(보통 `optimizer.step()` 다음에, 에폭(epoch)마다 한 번) 그 값을 고쳐 씁니다.

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
# ## 글 5의 호출 가능한 학습률 = `LambdaLR`
#
# `LambdaLR(opt, f)`는 η_t = η₀·f(t)로 둡니다. η₀ = 1이면 어떤 호출 가능한 `lr(step)`이든 그대로 재현됩니다.

# %%
def lr_callable(step):                    # a callable rate in post 5's style
    return 0.1 / (1 + 0.5 * step)


by_hand = np.array([lr_callable(t) for t in range(30)])
library = rates(lambda o: lr_scheduler.LambdaLR(o, lr_callable), lr=1.0)
print(f"LambdaLR vs the callable: largest difference {np.max(np.abs(by_hand - library)):.1e}")

# %% [markdown]
# ## 닫힌 꼴 세 가지: 손으로 쓴 식과 라이브러리
#
# 닫힌 꼴(closed form)은 t만 넣으면 그 시점의 학습률이 바로 나오는 식입니다. t는 `scheduler.step()`을 부른
# 횟수(보통 에폭), s는 `step_size`, γ는 곱하는 비율 `gamma`, T는 `T_max`, η_min은 `eta_min`입니다.
#
# StepLR η₀·γ^⌊t/s⌋ · ExponentialLR η₀·γᵗ · CosineAnnealingLR η_min + (η₀ − η_min)(1 + cos(πt/T))/2

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
# ## AdaGrad의 "학습률 감소"와 `lr_decay`
#
# 글 4 「Optimizer」(velog)는 AdaGrad를 학습률을 점점 줄이는 방식에서 한 걸음 나아간 것으로 소개하고, 글 3은 AdaGrad의 줄어드는 η/√h를 학습률 감소(learning-rate decay)라고 부릅니다. `Adagrad`에는 명시적인 감소도 하나 있습니다. `lr_decay` = δ이면 t번째 걸음의 학습률은 η/(1 + (t − 1)δ)이고, 1/√h와 *별도로* 곱해집니다. (라이브러리의 독스트링은 PyTorch의 기호를 따라 학습률 η를 γ로, `lr_decay`를 δ로 씁니다.) 아래는 η = 0.1, δ = 0.5, 기울기가 늘 1인 경우입니다.

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
# ## 스케줄 아래의 모멘텀(momentum): 두 형태가 갈라진다
#
# 4장에서 v ← αv − ηg; W ← W + v가 η가 일정할 때 PyTorch의 b ← μb + g; W ← W − ηb와 같다는 것을 보았습니다. 10번째 걸음에서 η를 반으로 줄여 봅시다. 교과서의 속도 형태는 v 안에 예전 η를 그대로 들고 있고, PyTorch는 새 η를 버퍼 전체에 한꺼번에 적용합니다.

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
# ## 학습률 범위 테스트(LRRT)
#
# 글 1 「[Pytorch] - 경사하강법」은 학습률 범위 테스트(LR range test)를 언급합니다. 몇 배치 동안 η를 지수적으로 키우면서 손실을 지켜보면, 좋은 η는 손실이 가장 빨리 떨어지는 곳, 폭발하기 한참 전에 있습니다. `optim.lr_range_test`가 이 테스트를 돌리고, 끝나면 모델과 옵티마이저를 원래대로 돌려놓습니다.

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
# ## 손글씨 숫자에서 본 스케줄
#
# 4–6장의 과제에서 이번에는 에폭(epoch)마다 학습률을 바꿉니다. 모멘텀(η₀ = 0.05, μ = 0.9)과 Adam(η₀ = 3e-3)을 각각 학습률 고정, `CosineAnnealingLR`(10 에폭에 걸쳐 0까지)로 돌리고, 모멘텀은 `StepLR`(3 에폭마다 반으로)로도 돌립니다. 시드, 가중치, 미니배치는 앞 장들과 같습니다.

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
# 모멘텀에는 두 스케줄 모두 도움이 됩니다. 마지막 에폭들이 작은 걸음을 걸으니 미니배치 잡음(3장)이 잦아들고, 손실이 더 낮게 자리 잡으며, 시드에 따른 흔들림도 줄어듭니다(± 1.2 포인트 → ± 0.2–0.4 포인트). Adam에는 코사인이 *해롭습니다*(96.1% → 93.1%). η₀ = 3e-3인 Adam은 10 에폭 뒤에도 아직 내려가는 중인데, 코사인이 평균 걸음의 절반을 빼앗기 때문입니다. 스케줄은 그 자체로 이득이 아니라, 고정된 학습률이 끝에 가서 잡음을 낼 만큼 클 때 이득입니다.
#
# ## 연습 문제 7 — 코사인 어닐링(cosine annealing)
#
# `my_cosine(t, T, lr0, lr_min)`을 작성하세요. 에폭 t(0 ≤ t ≤ T)의 학습률을 돌려주면 됩니다. 검사는 `CosineAnnealingLR`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_cosine(t, T, lr0, lr_min):
    raise NotImplementedError   # your code


_course.check("ch7.cosine", my_cosine)
