# %% [markdown]
# # 4. 모멘텀과 네스테로프
#
# 모멘텀(momentum)은 지난 걸음들을 기억하는 속도 v를 함께 저장해 둡니다. 네스테로프 모멘텀(Nesterov momentum)은 그 속도가 곧 데려갈 지점에서 기울기를 구합니다. 글들은 모멘텀을 세 가지로([강의 소개](README.md) 표의 글 2, 3, 5), 네스테로프 가속 경사(NAG, Nesterov accelerated gradient)를 한 가지로(글 3) 적고, `optim.SGD(momentum=μ, nesterov=...)`는 네 번째 방식을 씁니다. 이 장에서는 이들을 나란히 돌려 언제 정확히 같아지는지 보이고, 좁은 골짜기에서 모멘텀이 *왜* 이기는지 설명한 뒤, 손글씨 숫자 과제로 마무리합니다.
#
# 기호 하나를 짚고 갑니다. 글들은 α를 서로 다른 두 가지로 씁니다. 글 3에서 α는 모멘텀 계수, 즉 PyTorch의 μ이고, 글 2와 글 5에서 α는 학습률(learning rate)입니다(모멘텀 계수는 글 2에서 ρ, 글 5에서 β). 아래 코드는 모멘텀 계수를 늘 `mu`, 학습률을 늘 `eta`로 씁니다.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import _course
import _tasks
from IPython.display import display
from tinygrad_edu import Tensor, optim
from tinygrad_edu.landscapes import LANDSCAPES

valley = LANDSCAPES["ill_conditioned"]           # f = x²/20 + y², from (−7, 2)
grad = lambda w: np.array(valley.gradient(*w))  # ∇f = (x/10, 2y)


def run_library(make_opt, start, steps):
    w = Tensor(np.array(start), requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        w.grad = grad(w.data)
        opt.step()
    return w.data.copy()

# %% [markdown]
# ## 글 3·글 5의 모멘텀과 PyTorch의 모멘텀
#
# 글 3 「[딥러닝 알아듣기] 3.7」(3.7.3): v ← αv − η·∂L/∂W; W ← W + v이고, 여기서 α는 모멘텀 계수(아래의 μ)입니다. 글 5 「Optimizer 기초부터 알아보기」는 v_{t+1} = βv_t + α∂f/∂w; x_{t+1} = x_t − v_{t+1}로 쓰는데, 이때 α는 학습률이고 v의 부호만 반대일 뿐 같은 식입니다.
# PyTorch의 방식은 b ← μb + g; W ← W − η·b입니다. b = −v/η로 놓으면 둘은 같은 반복이므로, η가 일정하면 같은 W를 냅니다.

# %%
eta, mu, steps = 0.1, 0.9, 50                   # η: learning rate, μ: momentum coefficient
W, v = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v = mu * v - eta * grad(W)                   # post 3: v ← αv − η∂L/∂W  (its α is μ)
    W = W + v                                    # W ← W + v
x, u = np.array(valley.start), np.zeros(2)     # post 5: v_{t+1} = βv_t + α∂f/∂w;
for _ in range(steps):                           #         x_{t+1} = x_t − v_{t+1} (its α is η)
    u = mu * u + eta * grad(x)
    x = x - u
lib = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu), valley.start, steps)
print("post 3's momentum (W + v):", W)
print("post 5's (x − v)         :", x)
print("optim.SGD                :", lib)
print(f"difference               : {max(np.max(np.abs(W - lib)), np.max(np.abs(x - lib))):.1e}")

# %% [markdown]
# 둘이 갈라지는 것은 학습 중에 η가 바뀔 때입니다(7장). 글 3의 v 안에는 예전 η가 그대로 남아 있지만, PyTorch는 새 η를 버퍼 전체에 바로 적용합니다. PyTorch가 η가 섞이지 않은 기울기의 합 b를 저장하는 이유가 이것입니다. 스케줄이 걸음 크기를 즉시 바꾸게 하려는 것이죠.
#
# ## 직접 확인해 보기: η가 두 번
#
# 글 2 「[NN] 경사하강법」의 모멘텀 부분은 v_{t+1} = ρv_t + α∇f(x_t); x_{t+1} = x_t − αv_{t+1}로, 학습률(learning rate) α를 *두 줄 모두에* 곱합니다(여기서는 α가 학습률, ρ가 모멘텀 계수). 풀어 보면 기울기 α·g로 PyTorch 규칙을 돌린 것과 같아서, 모든 걸음이 α배로 작아집니다. 실제 학습률이 α가 아니라 α²인 셈입니다(아래 출력의 `lr=0.01 = α²`). 글이 인용한 CS231n에는 v_{t+1} = ρv_t + ∇f로 되어 있습니다.

# %%
x_post, v_post = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    v_post = mu * v_post + eta * grad(x_post)
    x_post = x_post - eta * v_post               # η applied twice
lib_eta2 = run_library(lambda p: optim.SGD(p, lr=eta * eta, momentum=mu), valley.start, steps)
print("post 2's formula, α = 0.1        :", x_post)
print("optim.SGD(lr=0.1, momentum=0.9)  :", lib)
print("optim.SGD(lr=0.01 = α², ...)      :", lib_eta2,
      f"  difference {np.max(np.abs(x_post - lib_eta2)):.1e}")

# %% [markdown]
# ## (1 − β)가 있을 때와 없을 때
#
# 글 5는 지수이동평균(exponential moving average)은 새 값에 (1 − β)를 곱하지만 모멘텀은 그렇지 않다고 짚습니다. PyTorch에는 둘 다 있습니다. `dampening=τ`(감쇠)이면 b ← μb + (1 − τ)g이므로 τ = μ가 평균 형태입니다. 평균을 내는 것은 걸음의 크기만 바꿉니다. 학습률 η에 (1 − β)를 곱하는 모멘텀(β는 글 5의 모멘텀 계수, 곧 μ)은 학습률 (1 − β)·η의 보통 모멘텀과 똑같이 움직입니다. 단, PyTorch의 첫 걸음은 예외입니다. 버퍼가 기울기 자체로 시작하기 때문입니다(b₁ = g₁, 감쇠 없음).

# %%
mu = 0.9
damped = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu, dampening=mu), valley.start, 1)
print("after 1 step, dampening = μ, lr = η       :", damped)
print("after 1 step, no dampening, lr = (1 − μ)η :",
      run_library(lambda p: optim.SGD(p, lr=(1 - mu) * eta, momentum=mu), valley.start, 1))
print("after 1 step, no dampening, lr = η        :",
      run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu), valley.start, 1),
      "(the same: b₁ = g₁ in both)")
m, W = np.zeros(2), np.array(valley.start)     # the EMA form by hand, m₀ = 0
for _ in range(steps):
    m = mu * m + (1 - mu) * grad(W)
    W = W - eta * m
plain = run_library(lambda p: optim.SGD(p, lr=(1 - mu) * eta, momentum=mu), valley.start, steps)
print(f"50 steps: EMA momentum by hand (m₀ = 0) vs SGD(lr=(1−μ)η): difference "
      f"{np.max(np.abs(W - plain)):.1e}")

# %% [markdown]
# ## 네스테로프: 글 3의 NAG와 `SGD(nesterov=True)`
#
# 글 3의 형태(3.7.4)는 Ŵ = W + αv; v ← αv − η·∂L/∂Ŵ; W ← W + v로, 기울기를 앞을 내다본 지점 Ŵ에서 구합니다. PyTorch의 형태에는 두 번째 지점이 필요 없습니다. b ← μb + g; θ ← θ − η·(g + μb)이고, g는 θ에서의 기울기입니다. 둘을 50걸음 돌려 봅시다.

# %%
def nag_post(steps, eta=0.1, mu=0.9):
    W, v = np.array(valley.start), np.zeros(2)
    for _ in range(steps):
        W_hat = W + mu * v                       # Ŵ = W + αv  (post 3's α is μ)
        v = mu * v - eta * grad(W_hat)           # v ← αv − η∂L/∂Ŵ
        W = W + v                                # W ← W + v
    return W, v


W, v = nag_post(steps)
lib_nag = run_library(lambda p: optim.SGD(p, lr=eta, momentum=mu, nesterov=True),
                      valley.start, steps)
print("post 3's NAG, W     :", W)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W - lib_nag)):.2f}")

# %% [markdown]
# 둘은 다른 알고리즘이 아닙니다. PyTorch의 θ가 *바로* 글 3의 내다본 지점입니다. θ = W + αv(그리고 b = −v/η)를 글의 세 줄에 대입하면
# θₜ₊₁ = Wₜ₊₁ + αvₜ₊₁ = θₜ − αvₜ + (1 + α)vₜ₊₁ = θₜ + αvₜ₊₁ − η∇L(θₜ)이 되고, 이것이 b ← μb + g와 함께 쓴 θ ← θ − η(g + μb)입니다. 이렇게 변수를 바꾸면 PyTorch는 자기가 저장한 파라미터에서 기울기를 구할 수 있습니다. 옵티마이저가 받는 것은 늘 그것(`.grad`)뿐이니까요.

# %%
print("post 3's Ŵ = W + αv :", W + mu * v)
print("SGD(nesterov=True)  :", lib_nag)
print(f"difference          : {np.max(np.abs(W + mu * v - lib_nag)):.1e}")

# %% [markdown]
# ## 그림: 골짜기와 안장점(saddle point)
#
# 골짜기 x²/20 + y²(골짜기를 가로지르는 y 방향의 곡률 2, 골짜기를 따라가는 x 방향의 곡률 0.1)에서 보통 SGD는 가파른 방향 때문에 η를 작게 둘 수밖에 없고, 그래서 평평한 방향으로는 기어갑니다. 모멘텀은 그 방향으로 속도를 쌓습니다. (2, 0.001)에서 출발한 안장점 x² − y²에서는 y가 한 걸음마다 (1 + 2η)배, 곧 (1 + 2η)ᵗ처럼 커지는데, 모멘텀은 더 빨리 커집니다.

# %%
paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.1, momentum=0.9, steps=60)
         for n in ("SGD", "Momentum", "Nesterov")}
display(_course.draw_paths("ill_conditioned", paths, title="valley: lr = 0.1, momentum = 0.9"))
for n, p in paths.items():
    print(f"{n:9s} distance to the minimum after 60 steps: {np.hypot(*p[-1]):.3e}")

# %% [markdown]
# <a id="momentum-theory"></a>
# ## 모멘텀이 이기는 이유: 방향마다의 수렴 속도
#
# 모멘텀은 왜 50배나 가까이 갈까요(7.8e-2 대 SGD의 3.83)? 이차 함수 f(w) = ½wᵀHw에서 기울기는 Hw입니다. H = QΛQᵀ로 고윳값 분해(eigen-decomposition)하면(Q의 열이 방향, Λ의 원소 λᵢ가 그 방향의 곡률) z = Qᵀw의 각 좌표 zᵢ는 따로따로 움직입니다. 경사하강법(gradient descent)은 한 걸음마다 zᵢ에 (1 − ηλᵢ)를 곱하므로 곡률이 가장 작은 방향이 가장 느립니다. 여기서는 x 방향의 λ = 0.1이고 η = 0.1이면 한 걸음에 0.99배, 출발점 (−7, 2)에서 x 방향 거리가 7이므로 7·0.99⁶⁰ = 3.83이 60걸음 뒤 SGD의 거리입니다. η를 크게 키울 수도 없습니다. |1 − 2η| > 1이 되는 순간 가파른 방향(λ = 2)이 발산하니까요. 가장 좋은 η = 2/(λ_min + λ_max)가 두 방향의 균형을 잡고, 그때 수렴 속도는 (κ − 1)/(κ + 1)입니다. κ = λ_max/λ_min은 조건수(condition number)이고, 9장에서 헤시안(Hessian)으로 직접 계산합니다.
#
# 모멘텀을 쓰면 한 방향이 두 값, 지금의 zᵢ와 한 걸음 전의 zᵢ를 기억하며, 매 걸음 행렬 [[1 + μ − ηλᵢ, −μ], [1, 0]]이 곱해집니다. 이 행렬의 두 고윳값이 복소수이면 크기는 *λᵢ와 상관없이* 둘 다 √μ입니다. 모멘텀은 평평한 방향과 가파른 방향에 같은 속도를 줍니다. 골짜기(η = 0.1, μ = 0.9)에서는 두 방향 모두 한 걸음에 √0.9 = 0.949배이고, SGD의 느린 방향은 0.99배입니다. η = 4/(√λ_max + √λ_min)², μ = ((√κ − 1)/(√κ + 1))²로 두면 속도는 (√κ − 1)/(√κ + 1)입니다. 경사하강법에서 κ였던 자리에 모멘텀은 √κ가 들어갑니다.

# %%
for lam in (0.1, 2.0):
    print(f"curvature λ = {lam:3}: SGD rate |1 − ηλ| = {_tasks.direction_rates(lam, 0.1):.4f}, "
          f"momentum rate = {_tasks.direction_rates(lam, 0.1, 0.9):.4f} (√0.9 = {0.9 ** 0.5:.4f})")
print(f"SGD's slow direction after 60 steps: 7 · 0.99^60 = {7 * 0.99 ** 60:.2f}; "
      f"momentum's rate^60 = {0.9 ** 30:.3f}")

measured = {}
print(f"{'κ':>5s} {'GD theory':>10s} {'measured':>9s} {'momentum theory':>16s} {'measured':>9s}")
for kappa in (5, 10, 20, 50, 100, 200):
    H = _tasks.quadratic([0.1, 0.1 * kappa])            # a turned valley, λ = 0.1 and 0.1κ
    best = _tasks.optimal_settings(0.1, 0.1 * kappa)
    gd, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["gd_lr"]))
    mom, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["momentum_lr"],
                                                         momentum=best["momentum"]))
    measured[kappa] = (gd, mom)
    print(f"{kappa:5d} {_tasks.gd_rate(kappa):10.4f} {gd:9.4f} {_tasks.momentum_rate(kappa):16.4f} "
          f"{mom:9.4f}")
display(_tasks.rates_figure(measured=measured))

# %% [markdown]
# 측정한 속도는 30° 돌린 H = QΛQᵀ에서 `optim.SGD`를 돌려 얻은 (‖w₃₀₀‖/‖w₂₀₀‖)^(1/100)입니다. 경사하강법은 이론과 네 자리까지 맞습니다. 모멘텀은 이론보다 0.4%쯤 높은데, 가장 좋은 설정에서는 두 고윳값이 겹쳐서 거리가 rᵗ가 아니라 t·rᵗ처럼 줄기 때문입니다(덧붙은 t 때문에 (300/200)^(1/100) ≈ 1.004배). κ = 100이면 오차를 10분의 1로 줄이는 데 경사하강법은 약 115걸음, 모멘텀은 약 12걸음이 듭니다. 아래에서 κ를 움직여 보세요(점선이 이론의 속도입니다).

# %%
display(_tasks.convergence_figure(20.0))
kappa_slider = _tasks.kappa_explorer(20.0)
if kappa_slider is not None:
    display(kappa_slider)

# %% [markdown]
# ## 예측하고 돌려 보기: 안장점에서 세 걸음
#
# 글 5는 안장점 f = x² − y² 위의 공을 (2, 0.001)에서 한 걸음씩 굴립니다. 돌리기 전에 먼저 예측해 보세요. η = 0.1인 보통 SGD로 세 걸음 가면 y는 얼마일까요(∂f/∂y = −2y)? 아래 셀의 첫 번째 `guess = None`에서 `None`을 예측한 숫자로 바꾸세요. 두 번째 `guess`에는 모멘텀 μ = 0.9(PyTorch 규칙: b₁ = g₁, b ← μb + g, θ ← θ − ηb)일 때의 예측을 적으세요. 셀을 실행하면 실제로 돌린 결과와 예측을 비교해 알려 줍니다("right"면 맞은 것입니다).

# %%
guess = None          # your prediction for SGD's y after 3 steps
_tasks.predict("ch4.saddle_sgd_y3", guess)
guess = None          # and for momentum's
_tasks.predict("ch4.saddle_momentum_y3", guess)

# %%
display(_course.small_multiples("saddle", ("SGD", "Momentum", "Nesterov"), lrs=(0.01, 0.05, 0.2)))

# %% [markdown]
# ## 슬라이더
#
# 학습률, 모멘텀, 걸음 수를 움직이고(학습률이 작으면 훨씬 많은 걸음이 있어야 어딘가에 닿습니다) 옵티마이저를 고르면 경로를 다시 그립니다. ipywidgets가 있는 커널에서만 움직입니다(`pip install -e ".[notebooks]"`). 위의 그림들이 정적인 버전입니다. 슬라이더 뒤의 함수는 `_course.py`에 있고 테스트됩니다.

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "Momentum", "Nesterov"), lr=0.05)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## 실제 과제: 손글씨 숫자
#
# 두 변수짜리 장난감은 원리를 보여 주고, 손글씨 숫자는 그 원리가 실제 학습에서 얼마나 차이를 내는지 보여 줍니다. 8×8 픽셀 이미지 1,797장(데모 05와 같은 scikit-learn 데이터)에서 4분의 1을 검증용으로 떼어 두고, MLP 64 → 32 → 10을 크기 32의 미니배치로 10 에폭(epoch) 학습합니다. 세 시드 각각에서 모든 옵티마이저가 *같은* 초기 가중치로 출발하고 *같은* 미니배치를 보므로, 차이는 갱신 규칙뿐입니다. SGD는 η = 0.1, 모멘텀과 네스테로프는 η = 0.05, μ = 0.9입니다(모멘텀의 걸음은 기울기 하나짜리 걸음의 약 1/(1 − μ) = 10배). 표의 숫자는 마지막 에폭의 값을 세 시드에 대해 평균 ± 표준편차로 적은 것입니다.

# %%
digits_runs = _tasks.compare_on_digits(["SGD", "Momentum", "Nesterov"])
print(_tasks.summary_table(digits_runs))
display(_tasks.plot_digits_curves(digits_runs, "digits: SGD, momentum, Nesterov (3 seeds)"))

# %% [markdown]
# 모멘텀은 10 에폭 안에 SGD(약 0.27)가 닿지 못하는 검증 손실(약 0.16)에 모든 시드에서 닿고, 네스테로프는 조금 더 낫습니다. 5장에서는 같은 표에 Adam과 AdamW를 더합니다.
#
# ## 연습 문제 4 — PyTorch의 네스테로프를 손으로
#
# `my_nesterov(theta, grads, lr, mu)`를 작성하세요. `theta`(리스트)에서 출발해 `grads`의 기울기마다 PyTorch 규칙(b₁ = g₁, 그다음 b ← μb + g; θ ← θ − lr·(g + μb))으로 한 걸음씩 가고 마지막 θ를 돌려주면 됩니다. 검사는 `optim.SGD(nesterov=True)`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
def my_nesterov(theta, grads, lr, mu):
    raise NotImplementedError   # your code


_course.check("ch4.nesterov_pytorch", my_nesterov)
