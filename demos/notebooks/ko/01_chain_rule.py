# %% [markdown]
# # 1. 연쇄 법칙과 `Value` · The chain rule and `Value`
#
# 다섯 편의 글(번호는 [강의 소개](README.md)의 표를 따릅니다)은 모두 같은 갱신 규칙에서
# 출발합니다. 쓰는 기호만 조금씩 다릅니다. 글 1 「[Pytorch] - 경사하강법」은
# θ_{n+1} = θ_n − η·∂f(θ_n)/∂θ_n, 글 2 「[NN] 경사하강법」은 w_new ← w_old − α∇_w𝓛,
# 글 5 「Optimizer 기초부터 알아보기」는 w_t = w_{t−1} − α·∂f/∂w라고 씁니다. 이 식에서 우리가
# 직접 구해야 하는 것은 **기울기**(gradient, 글에 따라 그라디언트·그래디언트라고도 씁니다)
# ∂f/∂θ 하나뿐입니다. 이 장에서는 라이브러리가 기울기를 구하는
# 방법을 그대로 따라가 봅니다. 계산을 거꾸로 거슬러 올라가며 연쇄 법칙 (chain rule)을 적용하는
# 것, 이것이 역전파 (backpropagation)입니다.
#
# 함께 읽을 코드는 `tinygrad_edu/scalar/value.py`(`Value` 클래스)와 `graph.py`(노드를 방문하는
# 순서)입니다. 용어는 [`GLOSSARY.md`](../../../GLOSSARY.md)에 정리해 두었습니다.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Value

# %% [markdown]
# ## 손으로 미분해 보기
#
# 작은 손실함수 (loss function) L = tanh(a·b + c)·d를 예로 들겠습니다. 중간값에 이름을 붙이면
# e = a·b, f = e + c, t = tanh(f), L = t·d입니다. 연쇄 법칙은 L에서 각 입력까지 거슬러 가는
# 경로를 따라 국소 미분(local derivative)을 곱하는 것입니다.
#
# ∂L/∂t = d, ∂L/∂f = ∂L/∂t · (1 − t²), ∂L/∂c = ∂L/∂f · 1, ∂L/∂e = ∂L/∂f,
# ∂L/∂a = ∂L/∂e · b, ∂L/∂b = ∂L/∂e · a, ∂L/∂d = t.

# %%
a, b, c, d = 2.0, -1.5, 3.5, -2.0
e = a * b; f = e + c; t = math.tanh(f); L = t * d
dL_dt = d
dL_df = dL_dt * (1 - t ** 2)
by_hand = {"a": dL_df * b, "b": dL_df * a, "c": dL_df, "d": t}
print(f"L = {L:.6f}")
print(by_hand)

# %% [markdown]
# ## 같은 계산을 `Value`와 `backward()`로
#
# `Value`의 연산은 결과를 만들 때마다 입력이 무엇이었는지와 그 연산의 *국소* 미분을 함께
# 기록합니다. `backward()`는 노드를 위상 정렬의 역순으로 방문하면서 위에서 손으로 한 곱셈을
# 그대로 합니다. 두 결과의 차이를 출력해 보면 0입니다.

# %%
va, vb, vc, vd = Value(a, "a"), Value(b, "b"), Value(c, "c"), Value(d, "d")
vL = (va * vb + vc).tanh() * vd
vL.backward()
library = {"a": va.grad, "b": vb.grad, "c": vc.grad, "d": vd.grad}
for name in by_hand:
    print(f"∂L/∂{name}: by hand {by_hand[name]: .12f}   backward() {library[name]: .12f}   "
          f"difference {abs(by_hand[name] - library[name]):.1e}")

# %% [markdown]
# ## `backward()`가 따라가는 그래프
#
# 같은 L을 같은 숫자로 `tinygrad_edu.viz.draw_graph`가 그린 그림입니다(데모 11,
# `python demos/11_chain_rule_graph.py`). 값마다 상자가 하나 있고 그 안에 값(data)과
# 기울기(grad)가 들어 있으며, 연산은 타원으로 그렸습니다. 아래에서 위로 읽어 올라가면 손으로
# 하는 역전파가 됩니다. 어떤 상자의 grad는 바로 아래 상자의 grad에 그 연산의 국소 미분을 곱한
# 값입니다. `*`라면 *다른 쪽* 입력을, `+`라면 1을, `tanh`라면 1 − t²을 곱합니다. 상자 속
# grad가 위 셀에서 출력한 숫자와 같은지 맞춰 보세요.
#
# ![backward() 뒤의 L = tanh(a·b + c)·d 계산 그래프](../../images/11_chain_rule_graph.png)

# %% [markdown]
# ## 두 번 쓰인 노드: 기울기는 더해진다
#
# b = a + a에서 a는 두 갈래 길로 b에 닿으므로 ∂b/∂a = 1 + 1입니다. 그래서 연산마다 있는 역전파 규칙(backward)은
# 모두 입력의 기울기에 값을 *더하고*(`+=`), `backward()`는 먼저 그래프를 정렬합니다. 어떤 노드는
# 자기를 쓰는 노드들이 기울기를 모두 보태 준 뒤에야 자기 기울기를 입력 쪽으로 넘길 수 있기
# 때문입니다.

# %%
x = Value(3.0)
y = x * x + x * x * x          # y = x² + x³, x used five times
y.backward()
print("backward():", x.grad, "   by hand 2x + 3x² =", 2 * 3.0 + 3 * 3.0 ** 2)

# %% [markdown]
# 잎 노드(leaf)의 기울기는 PyTorch와 마찬가지로 호출할 때마다 *쌓입니다*. `backward()`를 한 번 더
# 부르면 같은 기울기가 한 번 더 더해집니다. 학습 루프가 걸음(step)마다 기울기를 0으로 되돌리는
# (옵티마이저의 `zero_grad()`, 3장) 이유가 여기에 있습니다.

# %%
y.backward()
print("after a second backward():", x.grad, "= 2 ×", 2 * 3.0 + 3 * 3.0 ** 2)
x.grad = 0.0

# %% [markdown]
# ## 그림: tanh와 `backward()`가 찾은 미분
#
# tanh의 국소 미분에는 순전파(forward pass)의 출력이 그대로 다시 쓰입니다. d tanh(s)/ds = 1 − tanh(s)²이기
# 때문입니다. 아래 그림에서
# `backward()`가 41개 점에서 돌려준 기울기가 1 − tanh² 곡선 위에 정확히 놓이는 것을 볼 수
# 있습니다.

# %%
points = np.linspace(-3, 3, 41)
slopes = []
for p in points:
    v = Value(p)
    v.tanh().backward()
    slopes.append(v.grad)
fig, ax = plt.subplots(figsize=(6, 3.2))
grid = np.linspace(-3, 3, 300)
ax.plot(grid, np.tanh(grid), label="tanh(s)")
ax.plot(grid, 1 - np.tanh(grid) ** 2, label="1 − tanh(s)²")
ax.plot(points, slopes, "o", markersize=3, label="backward() at 41 points")
ax.set_xlabel("s"); ax.legend(loc="upper left", fontsize=8); ax.grid(alpha=0.3)
plt.show()
print("largest difference from 1 − tanh²:",
      f"{np.max(np.abs(np.array(slopes) - (1 - np.tanh(points) ** 2))):.1e}")

# %% [markdown]
# ## 연습 문제 1-1 — L = (a·b + c)²의 연쇄 법칙
#
# `Value`를 쓰지 않고 손으로 `[∂L/∂a, ∂L/∂b, ∂L/∂c]`를 돌려주는 `my_grads(a, b, c)`를
# 작성하세요. 검사 셀은 세 가지 입력에서 `backward()`와 결과를 비교하고 한 줄로 알려 줍니다.
# 맞으면 "correct"(정답)와 허용 오차를, 틀리면 무엇이 다른지를, 흔한 실수라면 힌트까지 보여
# 줍니다. 검사 셀의 안내문은 두 판이 같은 코드를 쓰기 때문에 영어로 나옵니다. "not done yet"은
# 아직 함수를 작성하지 않았다는 뜻이고, "not right yet"은 값이 틀렸다는 뜻, "Hint" 뒤가 힌트입니다. 안내문
# 전체의 뜻은 [강의 소개](README.md#검사-셀의-영어-안내문-읽기)에 표로 정리해 두었습니다.
# 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
import _course


def my_grads(a, b, c):
    raise NotImplementedError   # your code: the chain rule, three lines


_course.check("ch1.chain_rule", my_grads)

# %% [markdown]
# ## 연습 문제 1-2 — L = (a·b + c)²의 그래프 그리기
#
# 먼저 종이에 그려 보세요. 중간값을 e = a·b, s = e + c, L = s²이라 하고, 값마다 상자를 하나씩,
# 연산의 입력에서 결과로 화살표를 하나씩 그립니다. 위의 그림과 같은 방식입니다. 다 그렸으면
# 화살표를 `(출발, 도착)` 쌍의 목록으로 적으세요. 노드 이름은 `"a"`, `"b"`, `"c"`, `"e"`,
# `"s"`, `"L"`을 쓰고, 같은 화살표는 한 번만 적습니다(순서는 상관없습니다). 검사 셀이 `Value`가 실제로 기록한 그래프와
# 비교합니다. (Graphviz가 설치되어 있다면 `tinygrad_edu.viz.draw_graph(L)`로 그림을 직접
# 그려 볼 수도 있습니다.)

# %%
def my_edges():
    raise NotImplementedError   # your code: a list like [("a", "e"), ...]


_course.check("ch1.graph_edges", my_edges)

# %% [markdown]
# ## 연습 문제 1-3 — 연산 하나 만들기: 국소 미분을 쓰고 `gradcheck`로 확인하기
#
# `Value`의 메서드는 모두 두 가지 일을 합니다. 값을 계산하고, 그 국소 미분을 넘겨줍니다
# (`value.py`의 메서드는 모두 `Value._from_op(값, 이름, 입력들, 국소 미분들)`로 끝납니다).
# 여기 새 연산 silu(x) = x·σ(x)를 노드 하나로 만들어 두었습니다(σ(x) = 1/(1 + e⁻ˣ)). 빠진 것은
# 국소 미분 `d_silu(x)` = ∂silu/∂x입니다. 이것을 작성하세요. 검사 셀은 먼저 라이브러리 연산 두
# 개로 만든 x·σ(x)에서 `backward()`가 찾은 값과 여러분의 값을 비교하고, 이어서 세 점에서
# `gradcheck`를 돌려 여러분이 만든 노드의 역전파 결과를 중앙 차분(central difference, 2장)과 맞대 봅니다. (밑줄로 시작하는
# `_from_op`은 원래 라이브러리 안에서 쓰는 도구입니다. 연산 하나를 더하는 과정을 가장 짧게
# 보여 주려고 여기서만 직접 불렀습니다.)

# %%
def d_silu(x):
    raise NotImplementedError   # your code: σ(x) and the product rule, one line


def silu(v):                    # the forward number and the local derivative, as in value.py
    s = 1.0 / (1.0 + math.exp(-v.data))
    return Value._from_op(v.data * s, "silu", (v,), (d_silu(v.data),))


_course.check("ch1.silu_derivative", d_silu)
