# %% [markdown]
# # 6. AdamW, RAdam, AdaBelief, Lion: 가중치 감쇠와 Adam의 후손들
#
# 글 3 「[딥러닝 알아듣기] 3.7」은 AdamW(정규화를 적용하는 방식을 바로잡은 Adam), RAdam, AdaBelief를 식 없이 소개하며 목록을 마칩니다. 글 5 「Optimizer 기초부터 알아보기」는 AdaBelief까지 다룹니다. 여기서는 각각의 규칙을 몇 줄로 손수 써서 라이브러리 클래스와 나란히 돌립니다(클래스의 독스트링에 같은 규칙과 논문이 적혀 있습니다).

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
# ## 가중치 감쇠(weight decay): 기울기에 더할까, 떼어 낼까
#
# L2 정규화(L2 regularization)는 기울기에 λθ를 더합니다(PyTorch와 같은 `Adam(weight_decay=λ)`). Adam 안에서는 이 항도 나머지처럼 √v̂로 나뉘므로, 기울기가 큰 파라미터는 거의 감쇠되지 않습니다. AdamW는 감쇠를 *떼어 내서*(decoupled) Adam 걸음 전에 θ ← θ·(1 − ηλ)를 하고, 모든 파라미터를 같은 비율로 당깁니다(Loshchilov & Hutter).

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
# 기울기가 클 때 가중치는 0 쪽으로 얼마나 당겨질까요? 두 가중치가 1에서 출발합니다. 하나는 크기 10쯤의 요동치는 기울기를, 다른 하나는 기울기 0을 받습니다(감쇠만 작용합니다). 앞의 것을 "바쁜 가중치"(출력의 noisy weight), 뒤의 것을 "놀고 있는 가중치"(idle weight)라고 부르겠습니다.

# %%
grads = [np.array([10.0 * np.sign(np.sin(k)), 0.0]) for k in range(200)]
for label, make in [("Adam + L2, λ=0.1", lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1)),
                    ("AdamW, λ=0.1", lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1))]:
    end = run_library(make, grads, np.array([1.0, 1.0]))
    print(f"{label:17s}: after 200 steps  noisy weight {end[0]: .4f}   idle weight {end[1]:.4f}")

# %% [markdown]
# Adam 안에 L2를 넣으면 놀고 있는 가중치는 0 가까이(0.0156) 끌려갑니다. 감쇠에서 온 기울기가 자기 자신의 작은 √v̂로 나뉘기 때문입니다. 바쁜 가중치는 감쇠를 거의 느끼지 못합니다(0.9317). AdamW는 Adam 걸음과 별개로 두 가중치를 같은 비율로 감쇠합니다. 감쇠만 보면 200걸음에 (1 − 0.01·0.1)²⁰⁰ ≈ 0.819배입니다.
#
# ## RAdam: 웜업이 들어 있는 Adam
#
# 웜업(warmup)은 학습 초반에 걸음을 작게 시작하는 것입니다. 초반의 v̂는 기울기 몇 개만 평균한 값이라 √v̂로 나눈 걸음을 믿기 어렵습니다. RAdam은 v̂가 사실상 몇 개의 기울기를 평균하고 있는지를 ρₜ로 어림하고(처음에는 ρₜ ≈ t, 오래 지나면 ρ∞), 그 값에 따라 걸음을 줄입니다.
#
# ρ∞ = 2/(1 − β₂) − 1, ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)입니다. ρₜ ≤ 5인 동안은 m̂만으로 걷고(모멘텀(momentum) SGD), 그 뒤에는 Adam의 걸음에 보정 계수(rectification) r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))를 곱합니다.

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
# ## AdaBelief: g의 크기가 아니라 m 주변에서 g가 흩어진 정도
#
# s ← β₂s + (1 − β₂)(g − m)² + ε; θ ← θ − η/(1 − β₁ᵗ) · m / (√s/√(1 − β₂ᵗ) + ε)입니다. 기울기가 자기 평균과 잘 맞으면(이름의 belief, 곧 "믿음") s가 작아지고 걸음은 커집니다.

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
# ## Lion: 부호만 쓴다
#
# c = β₁m + (1 − β₁)g; θ ← θ − η·sign(c)(그 전에 θ ← θ(1 − ηλ)); m ← β₂m + (1 − β₂)g입니다. 모든 좌표가 한 걸음에 정확히 ±η씩 움직이므로 Lion에는 Adam보다 작은 η가 필요합니다.

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
# ## 예측하고 돌려 보기: 기울기가 없는 가중치
#
# 가중치 하나가 1에서 출발하고 기울기는 늘 0입니다. `AdamW(lr=0.01, weight_decay=0.1)`로 100걸음 뒤에 얼마일까요? 예측한 값을 아래 셀의 `guess`에 적고 실행하세요. (`Adam(weight_decay=0.1)`이라면 훨씬 세게 밀립니다. 위의 놀고 있는 가중치를 보세요.)

# %%
guess = None          # your prediction
_tasks.predict("ch6.adamw_idle_weight", guess)

# %% [markdown]
# ## 손글씨 숫자에서 본 Adam 가족
#
# 4장과 5장의 과제를 그대로 씁니다. 같은 세 시드, 같은 초기 가중치와 미니배치입니다. Adam, AdamW(감쇠 0.05), RAdam, AdaBelief는 η = 3e-3이고, 걸음이 늘 ±η인 Lion은 η = 1e-3입니다.

# %%
family = _tasks.compare_on_digits(["Adam", "AdamW", "RAdam", "AdaBelief", "Lion"])
print(_tasks.summary_table(family))
display(_tasks.plot_digits_curves(family, "digits: the Adam family (3 seeds)"))

# %% [markdown]
# AdaBelief는 Adam과 정확도가 같으면서 손실이 더 낮습니다. AdamW의 떼어 낸 감쇠는 10 에폭(epoch)에서는 거의 드러나지 않습니다. RAdam은 뒤처집니다(약 91%). 내장된 웜업이 처음 몇 번은 η = 3e-3의 모멘텀 SGD 걸음을, 그 뒤에는 줄어든 Adam 걸음을 걷기 때문에, 이렇게 짧은 학습에서는 초반 에폭을 잃습니다. Lion은 η = 1e-3에서 뒤처집니다. 크기가 고정된 부호 걸음에는 따로 맞춘 η가 필요하고, 흔히 Adam의 3–10분의 1입니다. 옵티마이저들을 "같은 학습률(learning rate)"로 비교하는 것이 공정하지 않은 이유입니다.

# %% [markdown]
# ## 연습 문제 6 — AdamW
#
# `my_adamw(theta, grads, lr, wd)`를 β = (0.9, 0.999), ε = 1e-8로 작성하세요. 떼어 낸 감쇠를 먼저, 그다음 Adam 걸음을 하고 θ를 돌려주면 됩니다. 검사는 `optim.AdamW`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_adamw(theta, grads, lr, wd):
    raise NotImplementedError   # your code


_course.check("ch6.adamw", my_adamw)
