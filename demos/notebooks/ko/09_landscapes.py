# %% [markdown]
# # 9. 손실 지형: 안장점, 지역 최솟값, 헤시안, 조건수 · Landscapes: saddles, local minima, curvature
#
# 글 5 「Optimizer 기초부터 알아보기」는 첫 예제로 f(x, y) = x² − y² 위의 (2, 0.001)에 놓인
# 공을 굴립니다. ∂f/∂x = 2x, ∂f/∂y = −2y이고 갱신 규칙은 w_t = w_{t−1} − α·∂f/∂w입니다.
# 글 2 「[NN] 경사하강법 (Gradient Descent)」는 SGD의 문제점을 나열하면서, 경사하강법 (gradient descent)이 느리게
# 지그재그로 내려가는 이유를 헤시안 (Hessian)과 그 조건수 (condition number)로 설명하고, 두 가지
# 함정으로 지역 최솟값 (local minimum)과 안장점 (saddle point)을 꼽습니다. 글 3 「[딥러닝
# 알아듣기] 3.7」도 3.7.1절을 지역 최적점과 전역 최적점 그림으로 시작합니다. 글 번호는
# [강의 소개](README.md)의 표를 따릅니다.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import _course
from tinygrad_edu import Tensor, optim
from tinygrad_edu.autograd.functional import hessian
from tinygrad_edu.gradcheck import numerical_hessian
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

saddle = LANDSCAPES["saddle"]

# %% [markdown]
# ## 직접 확인해 보기: α = 1로 안장점을 손으로 계산하기
#
# (2, 0.001)에서 기울기는 (4, −0.002)이고, α = 1로 한 걸음 가면 (−2, 0.003)입니다. 글 5의 SGD
# 부분도 여기까지는 맞습니다. 그런데 글은 두 번째 걸음에서 y = 0.005라고 적었습니다.
# y = 0.003에서 기울기는 −0.006이므로 y는 0.003 + 0.006 = 0.009가 되어야 합니다. y 방향으로는
# 한 걸음마다 (1 + 2α) = 3배가 됩니다.

# %%
def by_hand(alpha, steps, point=(2.0, 0.001)):
    x, y = point
    rows = [(x, y)]
    for _ in range(steps):
        x, y = x - alpha * 2 * x, y - alpha * (-2 * y)   # w ← w − α∂f/∂w
        rows.append((x, y))
    return np.array(rows)


def with_library(alpha, steps):
    return run_optimizer(saddle, lambda p: optim.SGD(p, lr=alpha), steps=steps)


for alpha in (1.0, 0.001):
    hand, lib = by_hand(alpha, 2), with_library(alpha, 2)
    for k in range(3):
        print(f"α = {alpha}: step {k}: by hand (x, y) = ({hand[k, 0]:.6g}, {hand[k, 1]:.6g})   "
              f"optim.SGD ({lib[k, 0]:.6g}, {lib[k, 1]:.6g})")
    print(f"          largest difference {np.max(np.abs(hand - lib)):.1e}")

# %% [markdown]
# ## 직접 확인해 보기: α = 0.001이면 y는 0에서 *멀어진다*
#
# 글 5는 이어서 α = 0.001로 바꾸면 점이 (1.996, 0.000999)로 가서 y도 0에 가까워진다고
# 설명합니다. 하지만 y 방향의 한 걸음은 −α·(−2y) = +2αy이므로, 위에 출력된 것처럼 y는
# 0.001002로 *커집니다*. x² − y²에서 y 방향은 0에서 멀어질수록 내리막입니다(y 방향으로는
# 극대점). 원점이 안장점인 이유가 바로 이것이고, 어떤 옵티마이저든 결국 y 방향으로 빠져나갑니다.
# 다만 미는 힘이 아주 작은 y에 비례하기 때문에 천천히 빠져나갑니다. 한 걸음마다 x는 (1 − 2α)배로
# 줄고 y는 (1 + 2α)배로 늘어납니다.

# %%
path = with_library(0.001, 2000)
for k in (0, 500, 1000, 2000):
    print(f"step {k:4d}: x = {path[k, 0]:.4f}  y = {path[k, 1]:.6f}   "
          f"(1 + 2α)^k·0.001 = {0.001 * 1.002 ** k:.6f}")

# %% [markdown]
# ## 안장점을 3차원으로 보기
#
# 같은 걸음을 곡면 z = x² − y² 위에 그렸습니다. 40걸음 안에 움직임이 보이도록 α = 0.1을
# 썼습니다. 공은 먼저 x 방향으로 골짜기 바닥 x = 0을 향해 굴러 내려오고(한 걸음마다 1 − 2α = 0.8배),
# 그다음 y 방향으로 능선 y = 0에서 굴러떨어집니다(한 걸음마다 1 + 2α = 1.2배). 안장점 근처는 곡면이 평평해서
# 기울기가 아주 작습니다. 빠져나오는 데 걸음이 많이 드는 이유입니다.

# %%
walk = with_library(0.1, 40)
inside = np.flatnonzero(np.abs(walk).max(axis=1) > 2.5)
walk = walk[: inside[0]] if inside.size else walk          # up to where it leaves the picture
grid_x, grid_y = np.meshgrid(np.linspace(-2.5, 2.5, 50), np.linspace(-2.5, 2.5, 50))
fig = plt.figure(figsize=(6.4, 4.6))
ax = fig.add_subplot(projection="3d", computed_zorder=False)
ax.plot_surface(grid_x, grid_y, grid_x ** 2 - grid_y ** 2, cmap="Greys", alpha=0.55,
                linewidth=0.2, edgecolor="white", zorder=1)
ax.plot(walk[:, 0], walk[:, 1], walk[:, 0] ** 2 - walk[:, 1] ** 2 + 0.05, "o-",
        color="tab:blue", markersize=2.5, label="SGD, α = 0.1", zorder=5)
ax.scatter(2.0, 0.001, 4.0, color="black", s=30, label="start (2, 0.001)", zorder=6)
ax.set_xlabel("x"); ax.set_ylabel("y"); ax.set_zlabel("f(x, y)")
ax.view_init(elev=28, azim=-60)
ax.legend(loc="upper left", fontsize=8)
plt.show()
print(f"after {len(walk) - 1} steps: (x, y) = ({walk[-1, 0]:.2e}, {walk[-1, 1]:.3f}), "
      f"f = {walk[-1, 0] ** 2 - walk[-1, 1] ** 2:.3f}")

# %% [markdown]
# ## 헤시안은 안장점과 최솟값을 구별한다
#
# 기울기 (2x, −2y)는 (0, 0)에서 0이 됩니다. 최솟값이든 최댓값이든 안장점이든 마찬가지입니다.
# 이를 가려 주는 것이 헤시안 H = [[∂²f/∂x², ∂²f/∂x∂y], [∂²f/∂y∂x, ∂²f/∂y²]]입니다. 고윳값(eigenvalue)이
# 모두 양수이면 최솟값이고, 부호가 섞여 있으면 안장점입니다. 손으로 구하면
# H = [[2, 0], [0, −2]]입니다. 라이브러리는 이것을 두 가지 방법으로 구합니다. 기울기를 한 번 더
# 미분해서 정확하게 구하는 `autograd.functional.hessian`(`torch.autograd.functional.hessian`과
# 같습니다)과, 중앙 차분을 두 번 겹쳐 근사하는 `gradcheck.numerical_hessian`입니다.

# %%
f = lambda v: v[0] ** 2 - v[1] ** 2
H = hessian(f, Tensor(np.array([2.0, 0.001]))).data           # exact, at the start point
H_num = numerical_hessian(f, np.array([2.0, 0.001]))
print(H)
print("eigenvalues:", np.linalg.eigvalsh(H), "→ mixed signs: a saddle")
print(f"exact vs [[2, 0], [0, −2]]: {np.max(np.abs(H - np.diag([2.0, -2.0]))):.1e};  "
      f"numerical vs exact: {np.max(np.abs(H_num - H)):.1e}")

# %% [markdown]
# ## 조건수와 지그재그
#
# 글 2는 조건수를 가장 큰 특잇값과 가장 작은 특잇값의 비로 정의합니다. 대칭 행렬 H에서는
# 특잇값이 고윳값의 절댓값입니다. 골짜기 x²/20 + y²의 헤시안은 H = diag(0.1, 2)이므로 κ = 20입니다.
# 경사하강법은 α < 2/λ_max = 1일 때만 안정적이고, 그때도 완만한 방향은 한
# 걸음에 |1 − 0.1α|배밖에 줄지 않습니다. 고정된 α 중 가장 좋은 α = 2/(λ_max + λ_min)을 골라도
# 오차는 한 걸음에 (κ − 1)/(κ + 1)배로만 줄어듭니다. κ가 클수록 느려집니다.
#
# 모멘텀 (momentum)은 이 속도가 κ에 의존하는 방식 자체를 바꿉니다. 학습률 (learning rate)과 μ를 가장 좋게 고르면 오차가
# 한 걸음에 (√κ − 1)/(√κ + 1)배로 줄어서, κ가 크면 필요한 걸음 수가 대략 √κ분의 1로 줄어듭니다.
# 4장은 같은 고윳값에서 이 속도를 유도하고(H의 고유 방향 하나하나가 따로 떨어진 1차원 문제가
# 됩니다) 실제로 재어 봅니다([모멘텀의 이론](04_momentum_nesterov.ipynb#momentum-theory)). 아래 표에서 두 속도를
# 나란히 비교합니다.

# %%
valley = LANDSCAPES["ill_conditioned"]
Hv = hessian(lambda v: valley(v[0], v[1]), Tensor(np.array(valley.start))).data
eig = np.linalg.eigvalsh(Hv)
print(f"eigenvalues {np.round(eig, 6)}, condition number {eig.max() / eig.min():.2f}, "
      f"numpy's cond {np.linalg.cond(Hv):.2f}")
for kappa in (2, 5, 20, 100):
    rate = (kappa - 1) / (kappa + 1)    # per-step shrink at the best fixed α = 2/(λ_max + λ_min)
    fast = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)     # momentum at its best α and μ
    print(f"κ = {kappa:3d}: gradient descent {rate:.3f} per step, "
          f"{int(np.ceil(np.log(1e-3) / np.log(rate))):4d} steps for 1000×;  momentum "
          f"{fast:.3f}, {int(np.ceil(np.log(1e-3) / np.log(fast))):3d} steps")

paths = {n: _course.optimizer_path("ill_conditioned", n, lr=0.9, momentum=0.9, steps=40)
         for n in ("SGD", "Momentum", "Adam")}
display(_course.draw_paths("ill_conditioned", paths, title="κ = 20, lr = 0.9: SGD zig-zags"))

# %% [markdown]
# ## 지역 최솟값: 라스트리긴 함수의 웅덩이들
#
# 라스트리긴(Rastrigin) 함수 20 + x² − 10cos(2πx) + y² − 10cos(2πy)는 좌표가 정수인 점 근처마다 지역 최솟값
# (local minimum)이 있습니다. 3장의 1차원 지형을 2차원으로 넓힌 것입니다. 학습률 η가 작고 모멘텀이 없는 SGD는 처음 만난 웅덩이에 멈추고,
# 모멘텀은 그중 몇 개를 타고 넘기도 합니다. (글 1이 말하는 것처럼 확률적 기울기의
# *잡음*이 웅덩이를 빠져나가는 데 도움이 되는지는 3장에서 여러 시드로 실험했습니다.)

# %%
ras = LANDSCAPES["rastrigin"]
for start in ((4.5, 4.5), (3.2, 2.6)):
    for name, mk in (("SGD", lambda p: optim.SGD(p, lr=0.002)),
                     ("Momentum", lambda p: optim.SGD(p, lr=0.002, momentum=0.95))):
        end = run_optimizer(ras, mk, steps=300, start=start)[-1]
        print(f"{name:9s} from {start}: ends at ({end[0]:.3f}, {end[1]:.3f}), "
              f"f = {ras(float(end[0]), float(end[1])):.3f}")
print("(the global minimum is f = 0 at (0, 0); momentum rolls over shallow bumps, not all)")

# %% [markdown]
# ## 직접 확인해 보기: 차원이 높으면 안장점이 최솟값보다 훨씬 많다
#
# 글 2는 고차원에서는 지역 최솟값보다 안장점이 훨씬 흔하다고 말합니다. 간단한 모형으로 확인해
# 봅시다. 기울기가 0인 점, 곧 임계점(critical point)에서 헤시안을 무작위 대칭 행렬이라고 하면, 그 점이 최솟값이려면 n개의
# 고윳값이 *모두* 양수여야 합니다. 차원 n이 커질수록 그 비율이 얼마나 빨리 줄어드는지 보세요.

# %%
rng = np.random.default_rng(0)
for n in (1, 2, 3, 5, 8):
    A = rng.standard_normal((4000, n, n))
    eigs = np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2)
    print(f"n = {n}: fraction of random Hessians with all eigenvalues > 0: "
          f"{np.mean((eigs > 0).all(axis=1)):.4f}")

# %% [markdown]
# ## 그림과 슬라이더: 안장점과 골짜기

# %%
display(_course.small_multiples("saddle", ("SGD", "Momentum", "Adam"), lrs=(0.01, 0.1, 0.4)))

# %%
for name in ("saddle", "ill_conditioned"):
    sliders = _course.explore(name, names=("SGD", "Momentum", "Adam"), lr=0.1)
    if sliders is not None:
        display(sliders)

# %% [markdown]
# ## 연습 문제 9 — 헤시안과 조건수
#
# f = a·x² − b·y² (a, b > 0)에 대해, 헤시안의 `[가장 작은 고윳값, 가장 큰 고윳값, 조건수]`를
# 돌려주는 `my_hessian_facts(a, b)`를 작성하세요. 검사 셀은 `autograd.functional.hessian`과
# `numpy.linalg.eigvalsh`로 구한 값과 비교해 한 줄로 알려 주고, 흔한 실수에는 힌트를 덧붙입니다.
# 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
def my_hessian_facts(a, b):
    raise NotImplementedError   # your code


_course.check("ch9.hessian", my_hessian_facts)
