# %% [markdown]
# # 8. 옵티마이저 상태, 학습 재개, 전이학습
#
# 글 4 「Optimizer」(velog)는 질문 하나에서 출발합니다. `optimizer.load_state_dict()`는 무엇을 되돌려 놓을까요? Adam이라면 파라미터마다의 모멘텀(momentum), 곧 기울기의 이동평균과, 파라미터마다 실제 학습률(learning rate)을 조절하는 기울기 제곱의 이동평균입니다. 이것이 Adam의 `state_dict`이고, 모양은 PyTorch와 같은 `{"state": {index: {"step", "exp_avg", "exp_avg_sq"}}, "param_groups": [...]}`입니다.

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
# ## Adam이 저장하는 것을 손으로 계산하기
#
# t걸음 뒤 exp_avg = m = Σ (1 − β₁)β₁^(t−k) g_k, exp_avg_sq = v = Σ (1 − β₂)β₂^(t−k) g_k²입니다(합은 k = 1 … t, g_k는 k번째 걸음의 기울기).

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
# ## 학습 재개: 가중치만 저장하면 잃는 것
#
# 다시 손글씨 숫자 과제입니다(Adam, η = 3e-3, 미니배치 43개짜리 에폭(epoch) 6번). 한 번은 멈추지 않고 끝까지 학습합니다. 다른 한 번은 3 에폭 뒤 멈춰 체크포인트를 저장하고, 세 가지 방법으로 재개합니다. 모델 + 옵티마이저 + 데이터 로더의 위치(`DataLoader.state_dict()`: 섞는 난수 생성기와 지금 몇 번째 에폭인지), 모델 + 로더에 *새* Adam("가중치만": m과 v가 다시 0에서 시작하고 편향 보정(bias correction)도 t = 1부터 다시 시작), 그리고 모델만(새 Adam, 배치 순서도 새로). 그림은 재개한 세 학습이 걸음마다 멈추지 않은 학습의 같은 걸음과 얼마나 다른지를 보여 줍니다. 세로축은 모든 가중치 가운데 가장 크게 벌어진 차이입니다.

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
# 모두 되돌려 놓으면 재개한 학습은 멈추지 않은 학습과 *완전히 같습니다*. 모든 걸음에서 차이가 정확히 0입니다(세로축은 0 근처만 선형이고 나머지는 로그인 symlog 눈금이라 0도 그릴 수 있습니다). 가중치만 되돌리면 학습은 다른 길로 갑니다. 첫 걸음에 5e-3, 끝에는 약 0.1까지 벌어집니다. 검증 손실은 거의 같고 여기서는 오히려 조금 낮으니, "가중치만" 저장해서 잃는 것은 성능이 아닙니다. *그 학습 자체*를 잃습니다. 멈췄던 학습을 재현하거나, 디버깅하거나, 걸음 단위로 비교할 수 없고, 재개 직후 몇 걸음은 편향 보정된 Adam의 큰 걸음이 됩니다. 체크포인트에 옵티마이저(와 데이터 순서)까지 담는 이유입니다.
#
# ## 전이학습(transfer learning): 어떤 특징을, 어떤 옵티마이저 상태로?
#
# 입력의 구조는 같고 클래스는 다른 과제입니다. MLP를 숫자 0–4(학습 이미지 전부)로 사전 학습한 뒤, 숫자 5–9를 각 10장씩만으로 배웁니다. 사전 학습한 신경망은 은닉층(특징)을 그대로 두고 출력층만 새로 초기화합니다. 이것을 같은 50장으로 처음부터 학습한 같은 신경망과 비교하고, 글 4의 질문에 답하려고 사전 학습 때의 Adam 상태를 불러온 경우도 비교합니다. 전체 배치 Adam 30걸음(η = 0.01) 뒤 5–9 검증 이미지의 정확도를 세 시드로 봅니다.

# %%
transfer = [_tasks.transfer_on_digits(seed) for seed in (0, 1, 2)]
for how in transfer[0]:
    accuracies = np.array([t[how] for t in transfer])
    print(f"{how:28s}: {100 * accuracies.mean():5.1f}% ± {100 * accuracies.std():.1f} "
          f"(seeds: {', '.join(f'{100 * a:.1f}' for a in accuracies)})")

# %% [markdown]
# 결과는 기대와 다릅니다. 여기서는 사전 학습이 *도움이 되지 않습니다*. 64 → 32 → 10 신경망에서 0–4를 구별하도록 배운 특징은 5–9를 배우는 출발점으로 무작위 가중치보다 나을 게 없습니다. 8×8 숫자는 원래 픽셀만으로도 거의 선형으로 나뉘고, 다섯 클래스로 학습한 은닉 유닛 32개는 그 클래스에 필요한 것만 간직합니다. 전이학습은 특징이 일반적이고 새 데이터가 부족할 때 효과를 냅니다. 글 4는 전이학습에서는 데이터가 바뀌어 손실함수(loss function) 자체가 달라지므로 새 옵티마이저를 써야 할 것이라고 결론짓는데, 숫자도 이 결론 쪽입니다. 불러온 상태(그 exp_avg는 *예전* 손실의 기울기 방향을 가리킵니다)는 시드 간 흔들림 안에서 아무것도 더해 주지 않으니, 새 손실에는 새 옵티마이저가 더 간단한 선택입니다.

# %% [markdown]
# ## 연습 문제 8 — Adam의 상태
#
# `my_adam_state(grads)`를 작성하세요. 0으로 채운 파라미터 텐서 하나(길이는 `len(grads[0])`)가 `grads`(리스트의 리스트, 안쪽 리스트 하나가 한 걸음의 기울기)의 기울기를 차례로 받으며 `Adam(lr=1e-3)`으로 갱신될 때, `[exp_avg, exp_avg_sq]`를 돌려주면 됩니다. 검사는 `optimizer.state_dict()`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_adam_state(grads):
    raise NotImplementedError   # your code


_course.check("ch8.adam_state", my_adam_state)
