# %% [markdown]
# # 5. AdaGrad, RMSprop, 지수이동평균, Adam: 적응적 학습률과 편향 보정
#
# 적응적(adaptive) 방법들은 좌표마다 걸음을 최근 기울기의 크기로 나눕니다. 글들의 기호로 적으면 다음과 같습니다(g = ∂L/∂W, ⊙는 원소별 곱, 글 번호는 [강의 소개](README.md)의 표).
#
# * AdaGrad(글 3 「[딥러닝 알아듣기] 3.7」, 3.7.5): h ← h + g⊙g; W ← W − η·g/√h
# * RMSprop(글 3, 3.7.6): h ← γh + (1 − γ)·g⊙g; W ← W − η·g/√h (글 2 「[NN] 경사하강법」은 √(h + ε))
# * Adam(글 3, 3.7.7): m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ); W ← W − α·m̂/√(v̂ + ε) (글 2는 m̂/(√v̂ + ε))
#
# PyTorch는 클래스 이름을 `Adagrad`, `RMSprop`으로 씁니다(`tinygrad_edu.optim`도 마찬가지입니다).

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import _course
import _tasks
from tinygrad_edu import Tensor, optim
from tinygrad_edu.landscapes import LANDSCAPES

valley = LANDSCAPES["ill_conditioned"]
grad = lambda w: np.array(valley.gradient(*w))


def run_library(make_opt, steps, start=valley.start):
    w = Tensor(np.array(start), requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        w.grad = grad(w.data)
        opt.step()
    return w.data.copy()

# %% [markdown]
# ## 손으로 쓴 AdaGrad와 `optim.Adagrad`
#
# 이 라이브러리는 PyTorch처럼 ε = 1e-10을 제곱근 *바깥에* 더합니다. W ← W − η·g/(√h + ε)입니다. 아래에서 손으로 쓴 글 3의 식에는
# ε이 없으므로, 출력에 보이는 아주 작은 차이(2.2e-10)는 이 ε에서 옵니다.

# %%
eta, steps = 0.5, 50
W, h = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    g = grad(W)
    h = h + g * g                                # h ← h + g⊙g
    W = W - eta * g / np.sqrt(h)                 # W ← W − η·g/√h
lib = run_library(lambda p: optim.Adagrad(p, lr=eta), steps)
print("post 3's AdaGrad:", W)
print("optim.Adagrad  :", lib)
print(f"difference     : {np.max(np.abs(W - lib)):.1e}")

# %% [markdown]
# ## 직접 확인해 보기: h는 커지기만 한다
#
# 글 4 「Optimizer」(velog)는 최적점에서 아직 먼 파라미터는 누적값 h가 *작아서* 큰 걸음을 걷고, 충분히 학습한 파라미터는 h가 크다고 추론합니다. 거꾸로입니다. h는 기울기 제곱의 합이라 커지기만 하고, 기울기가 큰 곳에서 가장 빨리 커집니다. 가파른 비탈에서 최적점과 멀리 떨어진 파라미터는 기울기가 크니, h가 가장 빨리 커지고 걸음 η/√h는 가장 빨리 줄어듭니다. 최적점까지의 거리는 식에 들어 있지 않고, 기울기의 크기만 들어 있습니다. 여기서는 y(곡률 2)가 더 큰 기울기로 출발합니다.

# %%
W, h = np.array(valley.start), np.zeros(2)
for t in range(1, 6):
    g = grad(W)
    h = h + g * g
    W = W - eta * g / np.sqrt(h)
    print(f"t={t}: |g| = {np.abs(g).round(4)}, h = {h.round(4)}, step size η/√h = "
          f"{(eta / np.sqrt(h)).round(4)}")

# %% [markdown]
# 글 4의 규칙에 대한 반례를 f = x²/20 + 5y²에서 봅시다. x는 최적점에서 멀리(10만큼, 완만한 비탈), y는 가까이(0.5만큼, 가파른 비탈) 출발합니다. 20걸음 뒤 먼 좌표의 h가 *더 작고* 걸음은 더 큽니다. 가까운 좌표의 h가 더 큽니다.

# %%
W, h = np.array([10.0, 0.5]), np.zeros(2)
for t in range(20):
    g = np.array([W[0] / 10, 10 * W[1]])
    h = h + g * g
    W = W - eta * g / np.sqrt(h)
print(f"start: x is 10 from its optimum, y 0.5;  after 20 steps h = {h.round(3)}, "
      f"step size η/√h = {(eta / np.sqrt(h)).round(4)}")

# %% [markdown]
# ## 지수이동평균(exponential moving average)
#
# 글 3의 형태 s_{n+1} = α·xₙ + (1 − α)·sₙ은 *새* 값에 가중치 α를 줍니다. RMSprop의 h ← γh + (1 − γ)g²는 *예전* 평균에 γ를 주므로 γ = 1 − α입니다(`RMSprop(alpha=γ)`: PyTorch의 `alpha`는 글 3의 γ이지 지수이동평균의 α가 아닙니다). 과거의 가중치는 γᵏ로 줄어드니 평균은 대략 최근 1/(1 − γ)개의 값을 덮습니다. 0에서 출발하면 그만큼의 걸음 동안 0 쪽으로 치우치는데, Adam의 편향 보정(bias correction)이 없애는 것이 바로 이 치우침입니다. 아래는 평균이 1인 값들에 γ = 0.9를 쓴 예입니다. 값 세 개를 본 뒤 그 평균은 1.106인데, 0에서 출발한 지수이동평균은 0.302에 머물고 1 − γ³ = 0.271로 나눈 보정값은 1.115로 평균에 가깝습니다.

# %%
rng = np.random.default_rng(0)
series = 1.0 + 0.5 * rng.standard_normal(60)
gamma = 0.9
s, ema, corrected = 0.0, [], []
for t, x in enumerate(series, start=1):
    s = gamma * s + (1 - gamma) * x
    ema.append(s); corrected.append(s / (1 - gamma ** t))
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(series, ".", color="gray", label="values")
ax.plot(ema, label="EMA from 0 (γ = 0.9)")
ax.plot(corrected, label="EMA / (1 − γᵗ): bias-corrected")
ax.axhline(1.0, color="black", lw=0.6, ls=":")
ax.set_xlabel("n"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
plt.show()
print(f"after 3 values: EMA {ema[2]:.3f}, corrected {corrected[2]:.3f}, mean of the values "
      f"{series[:3].mean():.3f}")

# %% [markdown]
# ## RMSprop: ε을 제곱근 안에 둘까, 밖에 둘까

# %%
gamma, eps, eta = 0.9, 1e-8, 0.05
W, h = np.array(valley.start), np.zeros(2)
for _ in range(steps):
    g = grad(W)
    h = gamma * h + (1 - gamma) * g * g
    W = W - eta * g / np.sqrt(h + eps)           # post 2's √(h + ε)
lib = run_library(lambda p: optim.RMSprop(p, lr=eta, alpha=gamma, eps=eps), steps)
print("post 2's RMSprop, ε inside:", W)
print("optim.RMSprop, ε outside  :", lib)
print(f"difference                : {np.max(np.abs(W - lib)):.1e}")

# %% [markdown]
# 기울기가 보통 크기이면 ε은 거의 상관없습니다. 기울기가 아주 작으면 ε이 걸음을 좌우합니다. 일정한 기울기 g에 대해 h ≈ g²일 때 √(h + ε)와 √h + ε을 비교해 봅시다.

# %%
for g in (1.0, 1e-3, 1e-4, 1e-5, 1e-6):
    inside = g / np.sqrt(g * g + 1e-8)
    outside = g / (np.sqrt(g * g) + 1e-8)
    print(f"g = {g:7.0e}: step/η with ε inside {inside:.4f}, outside {outside:.4f}, "
          f"ratio outside/inside {outside / inside:6.1f}")

# %% [markdown]
# g = 1e-5에서 글 2의 형태는 10배 덜 걷습니다. PyTorch(그리고 Adam 논문의 알고리즘 1)는 ε을 제곱근 밖에 더합니다. 그러면 ε은 0으로 나누는 것만 막고, 기울기가 ε보다 크기만 하면 걸음은 ≈ η·sign(g)로 유지됩니다. 제곱근 안에 두면 ε = 1e-8이 기울기의 하한 1e-4처럼 작동합니다.
#
# ## 직접 확인해 보기: RMSprop은 초반에 발산하나?
#
# 글 3(3.7.6)은 h가 0에서 출발하기 때문에 RMSprop이 초반에 잘 내려가지 못하고 심지어 발산하기도 한다고 씁니다. 절반만 맞습니다. h가 0 근처에서 출발하니 첫 걸음들은 작은 게 아니라 *큽니다*. 하지만 한계가 있습니다. 한 걸음 뒤에는 언제나 h ≥ (1 − γ)g²이므로, 좌표마다 |걸음| = η|g|/√h ≤ η/√(1 − γ)입니다. 기울기가 얼마든 γ = 0.9이면 3.16η, PyTorch 기본값 0.99이면 10η를 넘지 못합니다. 크기가 묶인 걸음으로는 학습률(learning rate)이 너무 큰 SGD처럼 폭주할 수 없습니다(SGD의 걸음은 η 곱하기 기울기라서, 발산할수록 기울기와 함께 커집니다). 기울기가 늘 1이고 γ = 0.99일 때를 봅시다.

# %%
h = 0.0
sizes = []
for t in range(1, 301):
    h = 0.99 * h + 0.01 * 1.0
    sizes.append(1.0 / np.sqrt(h))                        # the step in units of η
print("step / η at t = 1, 2, 5, 20, 100, 300:", np.round([sizes[i - 1] for i in
                                                          (1, 2, 5, 20, 100, 300)], 3))
far = run_library(lambda p: optim.RMSprop(p, lr=0.5, alpha=0.99), 200, start=(-7.0, 2.0))
sgd = run_library(lambda p: optim.SGD(p, lr=1.1), 20)
print(f"valley, RMSprop lr 0.5 (α = 0.99): after 200 steps |w| = {np.abs(far).max():.3f} "
      f"(bounded steps);  SGD lr 1.1: after 20 steps |y| = {abs(sgd[1]):.3g} (diverges)")

# %% [markdown]
# 초반의 최대 10η짜리 걸음은 최솟값을 지나쳐 지그재그로 흔들립니다. Adam의 편향 보정이 없애는 것은 발산이 아니라 이 지나침입니다.
#
# ## 손으로 쓴 Adam과 `optim.Adam`

# %%
def adam_post(steps, alpha=0.1, b1=0.9, b2=0.999, eps=1e-8, eps_inside=False):
    W, m, v = np.array(valley.start), np.zeros(2), np.zeros(2)
    for t in range(1, steps + 1):
        g = grad(W)
        m = b1 * m + (1 - b1) * g                  # m_t = β₁m_{t−1} + (1 − β₁)g_t
        v = b2 * v + (1 - b2) * g * g              # v_t = β₂v_{t−1} + (1 − β₂)g_t²
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        W = W - alpha * m_hat / denom
    return W


lib = run_library(lambda p: optim.Adam(p, lr=0.1), steps)
print("post 3's Adam, ε outside:", adam_post(steps), f"  difference "
      f"{np.max(np.abs(adam_post(steps) - lib)):.1e}")
print("post 3's Adam, ε inside :", adam_post(steps, eps_inside=True), f"  difference "
      f"{np.max(np.abs(adam_post(steps, eps_inside=True) - lib)):.1e}")
print("optim.Adam              :", lib)

# %% [markdown]
# ## 직접 확인해 보기: 편향 보정은 1로 줄어든다
#
# 글 3(3.7.7)은 학습이 진행될수록 분모 1 − βᵗ가 *작아져서* m̂와 v̂도 작아진다고 씁니다. 분모는 1을 향해 커집니다. 보정 계수 1/(1 − βᵗ)는 크게 시작해서(β₁ = 0.9이면 10, β₂ = 0.999이면 1000) 1로 떨어집니다.

# %%
for t in (1, 2, 5, 10, 100, 1000, 10000):
    print(f"t = {t:5d}: 1 − β₁ᵗ = {1 - 0.9 ** t:.4f} (factor {1 / (1 - 0.9 ** t):8.3f}),   "
          f"1 − β₂ᵗ = {1 - 0.999 ** t:.4f} (factor {1 / (1 - 0.999 ** t):8.3f})")

# %% [markdown]
# ## 직접 확인해 보기: 걸음을 줄이는 것은 어느 모멘트인가?
#
# 글 3(3.7.7)은 처음에는 Adam의 갱신을 맞게 설명합니다(2차 모멘트(second moment) v̂가 클수록 걸음이 작아진다). 그런데 정리하면서 "1차 모멘트(first moment)가 클수록 학습률을 낮춘다"고 씁니다. 2차 모멘트가 맞습니다. 걸음은 α·m̂/(√v̂ + ε)이므로 m̂가 크면 걸음이 *커지고*, v̂가 크면 작아집니다. 같은 상태에서 기울기의 크기만 바꿔 Adam을 돌려 숫자로 확인해 봅시다.

# %%
def one_adam_step(grads):
    p = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    for g in grads:
        p.grad = np.array([g]); opt.step()
    state = opt.state_dict()["state"][0]
    return -p.data[0], state["exp_avg"][0], state["exp_avg_sq"][0]


for label, grads in [("g = 1, 1, 1        ", [1.0, 1.0, 1.0]),
                     ("g = 100, 100, 100  ", [100.0] * 3),
                     ("g = 1, 1, 10 (v̂ ↑)", [1.0, 1.0, 10.0]),
                     ("g = 1, 1, −1 (m̂ ↓)", [1.0, 1.0, -1.0])]:
    moved, m, v = one_adam_step(grads)
    print(f"{label}: m = exp_avg {m:8.4f}, v = exp_avg_sq {v:10.5f}, total move {moved:.4f}")

# %% [markdown]
# 모든 기울기를 100배 하면 m은 100배, v는 10⁴배가 되어 움직인 거리는 그대로입니다. 셋째 줄은 m이 첫 줄의 4배인데도 Adam이 *덜* 움직입니다. v가 34배 커졌기 때문입니다. 마지막 줄은 v가 첫 줄과 같고 m이 작아서 덜 움직입니다. m̂가 크다고 걸음이 줄어드는 일은 없고, v̂가 커야 줄어듭니다.
#
# ## 직접 확인해 보기: `betas(0.9, 0.999)`
#
# 글 3이 Adam을 부르는 PyTorch 코드는 `Adam(model.parameters(), lr=0.001, betas(0.9, 0.999), eps=1e-8)`로, `betas` 뒤의 `=`가 빠져 있습니다. 파이썬은 `betas(0.9, 0.999)`를 키워드 인자 뒤에 놓인 함수 `betas` 호출로 읽고, 실행하기도 전에 그 줄을 거부합니다.

# %%
line = "optim.Adam(params, lr=0.001, betas(0.9, 0.999), eps=1e-8)"
try:
    compile(line, "post 3", "eval")
except SyntaxError as error:
    print(f"SyntaxError: {error.msg}")
params = [Tensor(np.zeros(2), requires_grad=True)]
print("with betas=(0.9, 0.999):", optim.Adam(params, lr=0.001, betas=(0.9, 0.999),
                                             eps=1e-8).param_groups[0]["betas"])

# %% [markdown]
# ## 예측하고 돌려 보기: Adam의 첫 걸음
#
# 0에 있는 파라미터 하나가 기울기 g = 0.001을 받을 때, `Adam(lr=0.1)`은 첫 걸음에서 얼마나 움직일까요? (편향 보정 뒤의 m̂₁, v̂₁을 구한 다음 갱신식에 넣어 보세요.) 예측한 걸음의 크기를 아래 셀의 `guess`에 적고 실행하세요.

# %%
guess = None          # your prediction: the size of the first step
_tasks.predict("ch5.adam_first_step", guess)

# %% [markdown]
# ## 직접 확인해 보기: 글 2의 Adam에 적힌 β
#
# 글 2는 m_{t+1} = β₁mₜ + (1 − β₂)∇f, v_{t+1} = β₁vₜ + (1 − β₂)(∇f)²로 쓰고, 걸음에는 m̂ₜ, v̂ₜ(이전 걸음의 값)를 씁니다. 적힌 그대로 돌리면 Adam과 전혀 다른 곳에 닿습니다. 올바른 식에서는 m의 새 값에 (1 − β₁)을 곱하고, v의 예전 값에 β₂를 곱하며, 걸음에는 방금 갱신한 m̂ₜ₊₁, v̂ₜ₊₁을 씁니다.

# %%
W, m, v = np.array(valley.start), np.zeros(2), np.zeros(2)
b1, b2 = 0.9, 0.999
m_hat = v_hat = np.zeros(2)
for t in range(steps):                             # t = 0, 1, ...: post 2's indices
    W = W - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)  # uses m̂ₜ, v̂ₜ
    g = grad(W)
    m = b1 * m + (1 - b2) * g
    v = b1 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
print("as written :", W)
print("optim.Adam :", lib, "  (β₁ in m's weight, β₂ in v's decay, and the new m̂, v̂)")

# %% [markdown]
# ## 그림과 슬라이더
#
# 골짜기에서 적응적 방법들은 좌표마다 크기를 다시 맞추므로 두 방향이 비슷한 속도로 줄어듭니다. 안장점(saddle point)에서는 SGD보다 훨씬 일찍 y 방향으로 빠져나갑니다. 아주 작은 y 기울기를 그 자신의 작은 크기로 나누기 때문입니다.

# %%
names = ("SGD", "AdaGrad", "RMSprop", "Adam")
paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.3, momentum=0.9, steps=60)
         for n in names}
display(_course.draw_paths("ill_conditioned", paths, title="valley: lr = 0.3"))
display(_course.small_multiples("saddle", names, lrs=(0.01, 0.05, 0.2)))
for n in names:
    p = _course.optimizer_path("saddle", n, lr=0.05, steps=60)
    print(f"{n:8s} on the saddle, lr 0.05: y after 60 steps = {p[-1, 1]: .3e}")

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "RMSprop", "Adam"), lr=0.05)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## 손글씨 숫자: SGD, 모멘텀(momentum), 네스테로프 모멘텀(Nesterov momentum), Adam, AdamW
#
# 4장의 과제에 적응적 방법을 더합니다. 같은 세 시드, 같은 초기 가중치와 미니배치이고, Adam은 η = 3e-3, AdamW는 η = 3e-3에 가중치 감쇠(weight decay) 0.05입니다.

# %%
digits_runs = _tasks.compare_on_digits(["SGD", "Momentum", "Nesterov", "Adam", "AdamW"])
print(_tasks.summary_table(digits_runs))
display(_tasks.plot_digits_curves(digits_runs, "digits: five optimizers (3 seeds)"))

# %% [markdown]
# 정확도는 Adam이 가장 높고(약 96%), 시드에 따른 흔들림도 훨씬 작습니다(± 0.1, 모멘텀은 ± 1.2). √v̂로 나누기 때문에 초기 가중치의 크기에 덜 민감합니다. 하지만 검증 손실(약 0.18)은 가장 낮지 않습니다. 네스테로프(약 0.15)가 더 낮으니, 무엇이 "가장 좋은지"는 무엇을 재느냐에 달려 있습니다. AdamW의 감쇠는 10 에폭(epoch) 안에서는 별 차이를 내지 않습니다.
#
# ## 연습 문제 5 — PyTorch가 쓰는 RMSprop
#
# `my_rmsprop(theta, grads, lr, gamma, eps)`를 작성하세요. h는 0에서 출발하고, 기울기마다 h ← γh + (1 − γ)g², θ ← θ − lr·g/(√h + ε)를 한 뒤 θ를 돌려주면 됩니다. 검사는 `optim.RMSprop(alpha=gamma)`와 비교합니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
def my_rmsprop(theta, grads, lr, gamma, eps):
    raise NotImplementedError   # your code


_course.check("ch5.rmsprop", my_rmsprop)
