# %% [markdown]
# # 2. 수치 미분과 해석적 미분 · Numerical vs analytic gradients
#
# 글 2 「[NN] 경사하강법 (Gradient Descent)」는 기울기(글에서는 그라디언트)를 계산하는 부분에서
# 미분을 구하는 두 가지 방법을 소개합니다. 수치 미분 (numerical differentiation)은 미분의 정의에 작은 h를 넣어
# df/dx ≈ (f(x + h) − f(x))/h로 근삿값을 구하고, 해석적 미분 (analytic differentiation)은
# 공식을 유도해서 씁니다. 글의 예는 f(x) = 2x³ → f′(x) = 6x²입니다. 라이브러리는 두 번째
# 방법을 자동으로 수행하고(1장), 첫 번째 방법으로 그 결과를 검사합니다. 그 검사 도구가
# `tinygrad_edu.gradcheck`입니다.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Tensor, Value
from tinygrad_edu.gradcheck import gradcheck, numerical_gradient

# %% [markdown]
# ## 글 2의 전방 차분, 라이브러리의 중앙 차분, 그리고 공식

# %%
def f(x):
    return 2 * x ** 3


x0, h = 1.5, 1e-4
forward = (f(x0 + h) - f(x0)) / h                # post 2's definition with a finite h
central = numerical_gradient(lambda v: f(v[0]), np.array([x0]), eps=h)[0]
analytic = 6 * x0 ** 2
v = Value(x0); f(v).backward()                   # autograd: the analytic rule, automatically
print(f"forward difference  {forward:.12f}   error {abs(forward - analytic):.1e}")
print(f"central difference  {central:.12f}   error {abs(central - analytic):.1e}")
print(f"6x² (by hand)       {analytic:.12f}")
print(f"Value.backward()    {v.grad:.12f}   error {abs(v.grad - analytic):.1e}")

# %% [markdown]
# 글 2의 식은 x에서 앞으로(+h) 한 번만 움직이는 전방 차분(forward difference)이고, 라이브러리는
# 양쪽으로 움직이는 *중앙* 차분(central difference) (f(x + h) − f(x − h))/2h를 씁니다. 전방 차분의 오차는 h에
# 비례해 줄어들지만 중앙 차분의 오차는 h²에 비례해 줄어듭니다. 다만 h가 너무 작아지면 두 방법 모두
# 더 이상 좋아지지 않습니다. f(x + h) − f(x)처럼 아주 가까운 두 수를 빼면 유효숫자를 잃는데, 이 반올림 오차가
# 더 커지기 때문입니다. 글 2는 해석적 미분에 오차가 없다고 하는데, 정확히 말하면 부동소수점
# 반올림(상대 오차 약 1e-16)만큼의 오차는 남습니다. 그림의 점선이 그 바닥입니다.

# %%
hs = np.logspace(-14, -1, 60)
err_fwd = [abs((f(x0 + h) - f(x0)) / h - analytic) for h in hs]
err_cen = [abs((f(x0 + h) - f(x0 - h)) / (2 * h) - analytic) for h in hs]
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.loglog(hs, err_fwd, label="forward (f(x+h) − f(x))/h: error ∝ h")
ax.loglog(hs, err_cen, label="central (f(x+h) − f(x−h))/2h: error ∝ h²")
ax.axhline(np.finfo(float).eps * analytic, color="gray", ls=":", label="rounding of 6x²")
ax.set_xlabel("h"); ax.set_ylabel("|error| at x = 1.5"); ax.legend(fontsize=7)
ax.grid(alpha=0.3, which="both")
plt.show()
print(f"best forward error {min(err_fwd):.1e} at h = {hs[int(np.argmin(err_fwd))]:.0e}; "
      f"best central error {min(err_cen):.1e} at h = {hs[int(np.argmin(err_cen))]:.0e}")

# %% [markdown]
# ## 수치 미분은 왜 느린가: 호출 횟수 세기
#
# 글 2는 가중치마다 f를 따로 불러야 해서 수치 미분이 느리다고 설명합니다. 실제로 세어
# 봅시다. 가중치가 n개일 때 전방 차분은 f를 n + 1번 부릅니다(모두가 같이 쓰는 f(x) 한 번과
# i마다 f(x + h·eᵢ) 한 번). 라이브러리의 중앙 차분은 i마다 f(x + h·eᵢ)와 f(x − h·eᵢ)를 불러
# 2n번, 여기에 출력의 모양을 알아내려고 x에서 한 번 더 불러서 2n + 1번입니다. n = 100이면
# 201번입니다. 반면 역전파 (backpropagation)는 순전파 몇 번 정도의 비용으로 n개를 한꺼번에 구합니다.

# %%
calls = 0


def loss(w):
    global calls
    calls += 1
    return float(np.sum(np.tanh(w) ** 2))


w = np.linspace(-1, 1, 100)
h = 1e-6
base = loss(w)                                   # the forward difference: f(x) once,
forward_grad = np.array([(loss(w + h * e_i) - base) / h for e_i in np.eye(w.size)])  # + n
print(f"n = {w.size} weights: forward differences called the loss {calls} times (n + 1)")
calls = 0
central_grad = numerical_gradient(loss, w)
print(f"n = {w.size} weights: central differences called the loss {calls} times (2n + 1)")
t = Tensor(w, requires_grad=True)
(t.tanh() ** 2).sum().backward()                 # one forward and one backward pass
print(f"largest |backward − central| = {np.max(np.abs(t.grad - central_grad)):.1e}, "
      f"|backward − forward| = {np.max(np.abs(t.grad - forward_grad)):.1e}")

# %% [markdown]
# ## `gradcheck`: 같은 비교를 원소마다, 테스트로
#
# `gradcheck`는 위의 비교를 입력의 원소마다 해서, 해석적 미분과 중앙 차분이 모두 허용 오차 안에서
# 맞으면 `True`를 돌려줍니다. 이 라이브러리의 테스트는 모든 연산의 역전파를 이것으로 검사합니다.

# %%
print(gradcheck(lambda t: (t.tanh() ** 2).sum(), Tensor(w, requires_grad=True)))

# %% [markdown]
# ## 연습 문제 2 — 중앙 차분
#
# `f_name`이 "cube"(f = 2x³)이거나 "sin"(f = sin x)일 때 (f(x + h) − f(x − h))/2h를 돌려주는
# `my_central(f_name, x, h)`를 작성하세요. 검사 셀은 라이브러리의 `numerical_gradient`와 비교해
# 한 줄로 알려 줍니다. 맞으면 "correct"와 허용 오차를, 틀리면 무엇이 다른지와 흔한 실수에 대한
# 힌트를 보여 줍니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_central(f_name, x, h):
    f = {"cube": lambda x: 2 * x ** 3, "sin": np.sin}[f_name]
    raise NotImplementedError   # your code: one line


_course.check("ch2.central_difference", my_central)
