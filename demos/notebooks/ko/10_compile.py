# %% [markdown]
# # 10. 학습 단계 컴파일: 한 번 기록하고 NumPy로 다시 실행하기 · Compiling a training step
#
# 지금까지의 모든 장은 *즉시 실행* (eager) 방식이었습니다. `Tensor` 연산 하나하나가 그래프 노드를
# 만들고, 입력을 검사한 뒤에야 NumPy에게 계산을 맡깁니다. 큰 행렬곱에서는 이 장부 정리가
# 미미하지만, 작은 신경망에서는 시간의 대부분을 차지합니다. 실제 프레임워크는 컴파일러로
# 답합니다: `torch.compile`, `jax.jit` (그 기록인 *jaxpr*는 출력해 볼 수 있습니다), tinygrad의
# `TinyJit`. 모두 첫 단계는 같습니다. **학습 단계를 한 번 실행하면서 한 일을 기록하고, 그
# 다음부터는 기록을 다시 실행합니다.** `tinygrad_edu.compile`이 바로 그 일을 하며, 그 기록은 읽을
# 수 있는 파이썬 함수입니다.

# %%
# %matplotlib inline
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np

import _course
import tinygrad_edu
from tinygrad_edu import Tensor, fast, nn, optim
from tinygrad_edu.nn import functional as F


def mlp(sizes, seed=0, dtype=np.float64):
    tinygrad_edu.manual_seed(seed)
    saved = tinygrad_edu.get_default_dtype()
    tinygrad_edu.set_default_dtype(dtype)
    try:
        return nn.MLP(list(sizes))
    finally:
        tinygrad_edu.set_default_dtype(saved)


def make_step(model, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step

# %% [markdown]
# ## 기록
#
# 작은 다층 퍼셉트론 4-5-3과 SGD 한 걸음입니다. 컴파일된 함수를 처음 부르면 즉시 실행 방식으로
# 돌면서 순전파, 역전파 (backpropagation), 옵티마이저 갱신의 모든 배열 연산을 적어 둡니다. 두
# 번째 호출(옵티마이저 상태가 생긴 뒤의 첫 호출)도 같은 방식으로 기록되고, 그 뒤로는 기록된
# 프로그램이 실행됩니다. (`fast.plain()`은 엔진의 속도 기교를 기록에서 빼서, 프로그램이 교과서의
# 공식 그대로 보이게 합니다.)

# %%
rng = np.random.default_rng(0)
x_small, y_small = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
model = mlp((4, 5, 3))
compiled = tinygrad_edu.compile(make_step(model, optim.SGD(model.parameters(), lr=0.1)))
with fast.plain():
    compiled(x_small, y_small)
    compiled(x_small, y_small)
print(compiled.code)

# %% [markdown]
# 위에서부터 읽어 봅시다. **read**: 인자, 각 매개변수의 배열(이름은 모델에서 가져옵니다:
# `layer0_weight`는 `model`의 `0.weight`), 옵티마이저의 하이퍼파라미터를 호출마다 새로
# 읽습니다. 그래서 스케줄러가 바꾼 학습률 (learning rate)도 프로그램에 그대로 전해집니다.
# **guards**: 프로그램이 어떤 조건에서 기록되었는지입니다. 조건이 다른 호출은 새 프로그램을
# 기록합니다. **numbers**: 옵티마이저가 하이퍼파라미터로 계산하는 수(SGD에서는 조건문뿐)입니다.
# **arrays**: 순전파(`Linear`, `Relu`), `cross_entropy`의 클래스 번호 검사(가드입니다: 잘못된
# 정답이 들어오면 그 호출은 즉시 실행 방식으로 돌고 라이브러리의 오류를 냅니다), 손실함수
# (loss function), 각 연산의 역전파, 그리고 `sgd_update`입니다. **write back**: 새 기울기를
# `.grad`에 넣고 매개변수의 버전을 올려, 즉시 실행이 남기는 상태와 똑같이 만듭니다.
#
# `Tensor`도, 그래프도, 연산 분배도 없습니다. 한 줄에 NumPy 호출 하나입니다. 학습 단계 밖으로
# 나가지 않는 배열은 한 번 만들어 둔 버퍼에 씁니다(`out=..._buffer`). 사용자가 붙잡아 둘 수 있는
# 기울기는 즉시 실행처럼 호출마다 새 배열입니다.

# %% [markdown]
# ## 손으로 쓴 학습 단계와 나란히
#
# 같은 신경망의 학습 단계를 NumPy만으로 쓴 것입니다. 벤치마크의 "numpy by hand" 기준선과 같은
# 방식입니다. 같은 가중치에서 다섯 걸음씩 돌리면 매개변수가 일치합니다.

# %%
def hand_written(weights, x, y, lr=0.1):
    (w1, b1), (w2, b2) = weights
    rows = np.arange(len(y))
    h = np.maximum(x @ w1.T + b1, 0)                  # Linear, ReLU
    logits = h @ w2.T + b2                            # Linear
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    d_logits = probs.copy()
    d_logits[rows, y] -= 1                            # ∂loss/∂logits = (softmax − onehot)/N
    d_logits /= len(y)
    d_h = (d_logits @ w2) * (h > 0)
    grads = [(d_h.T @ x, d_h.sum(0)), (d_logits.T @ h, d_logits.sum(0))]
    for (w, b), (gw, gb) in zip(weights, grads):
        w -= lr * gw
        b -= lr * gb


by_hand = mlp((4, 5, 3))
weights = [(by_hand.parameters()[i].data.copy(), by_hand.parameters()[i + 1].data.copy())
           for i in (0, 2)]
model = mlp((4, 5, 3))
compiled = tinygrad_edu.compile(make_step(model, optim.SGD(model.parameters(), lr=0.1)))
for _ in range(5):
    hand_written(weights, x_small, y_small)
    compiled(x_small, y_small)
ours = model.parameters()
print("largest difference after 5 steps:",
      max(float(np.abs(w - p.data).max()) for w, p in zip(
          [a for pair in weights for a in pair], ours)))

# %% [markdown]
# 0은 아니지만 아주 작습니다(약 1e-17). 손으로 쓴 단계는 원-핫을 뺀 뒤 N으로 나누고,
# 라이브러리의 합쳐진 교차 엔트로피는 먼저 1/N을 곱합니다. 같은 수를 다른 순서로 계산한
# 것입니다. *즉시 실행* tinygrad_edu와 비교하면 컴파일된 단계는 비트 단위로 같습니다(즉시 실행이
# 부른 바로 그 NumPy 호출들을 실행하기 때문입니다).

# %%
eager_model, compiled_model = mlp((4, 5, 3)), mlp((4, 5, 3))
eager = make_step(eager_model, optim.Adam(eager_model.parameters(), lr=0.01))
compiled = tinygrad_edu.compile(make_step(compiled_model,
                                          optim.Adam(compiled_model.parameters(), lr=0.01)))
losses = [(eager(x_small, y_small).item(), compiled(x_small, y_small).item()) for _ in range(20)]
print("20 Adam steps, eager == compiled for every loss:", all(a == b for a, b in losses))
print("parameters equal bit for bit:", all(np.array_equal(a.data, b.data) for a, b in
                                           zip(eager_model.parameters(),
                                               compiled_model.parameters())))

# %% [markdown]
# ## 즉시 실행의 시간은 어디에 쓰이나
#
# 학습 단계 한 번을 세 가지로 잽니다: 즉시 실행, 컴파일, 손으로 쓴 NumPy. 벤치마크의 다층
# 퍼셉트론 784-256-128-10(float32, 배치 32)과, 배열에 수가 몇 개뿐이라 NumPy의 산술이 거의
# 공짜인 작은 4-4-4-2 신경망(배치 2)에서입니다. 작은 신경망에서 즉시 실행의 시간은 거의 전부
# 파이썬입니다: 그래프 노드, 검사, 분배. 컴파일이 없애는 것이 바로 이것입니다. 큰 신경망에서는
# 대부분의 시간이 세 방식 모두 같은 BLAS 행렬곱이라, 장부 정리의 비중이 작습니다. (시간은
# 기계마다, 실행마다 달라서 이 장은 숫자를 출력하지 않고 그림으로 그립니다. 표는
# `python -m tinygrad_edu.bench tensor`가 출력합니다.)

# %%
def hand_step_fn(weights, x, y, lr):
    (w1, b1), (w2, b2), (w3, b3) = weights
    rows = np.arange(len(y))

    def step():
        h1 = np.maximum(x @ w1.T + b1, 0)
        h2 = np.maximum(h1 @ w2.T + b2, 0)
        logits = h2 @ w3.T + b3
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        d3 = e / e.sum(axis=1, keepdims=True)
        d3[rows, y] -= 1
        d3 /= len(y)
        d2 = (d3 @ w3) * (h2 > 0)
        d1 = (d2 @ w2) * (h1 > 0)
        for p, g in ((w1, d1.T @ x), (b1, d1.sum(0)), (w2, d2.T @ h1), (b2, d2.sum(0)),
                     (w3, d3.T @ h2), (b3, d3.sum(0))):
            p -= lr * g
    return step


def three_ways(sizes, batch, rounds=7, per_block=20):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    models = [mlp(sizes, dtype=np.float32) for _ in range(3)]
    eager = make_step(models[0], optim.SGD(models[0].parameters(), lr=0.01))
    compiled = tinygrad_edu.compile(make_step(models[1], optim.SGD(models[1].parameters(),
                                                                   lr=0.01)))
    p = [q.data.copy() for q in models[2].parameters()]
    steps = {"eager": lambda: eager(x, y), "compiled": lambda: compiled(x, y),
             "by hand": hand_step_fn([(p[0], p[1]), (p[2], p[3]), (p[4], p[5])], x, y, 0.01)}
    times = {name: [] for name in steps}
    for fn in steps.values():
        for _ in range(3):
            fn()
    for r in range(rounds):
        for name, fn in (steps.items() if r % 2 == 0 else list(steps.items())[::-1]):
            start = time.perf_counter()
            for _ in range(per_block):
                fn()
            times[name].append((time.perf_counter() - start) / per_block * 1e6)
    return {name: float(np.median(t)) for name, t in times.items()}


big, tiny = three_ways((784, 256, 128, 10), 32), three_ways((4, 4, 4, 2), 2, rounds=9)
figure, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for ax, times, title in ((axes[0], big, "MLP 784-256-128-10, batch 32"),
                         (axes[1], tiny, "MLP 4-4-4-2, batch 2: nearly all Python")):
    bars = ax.bar(list(times), list(times.values()), color=["#1f77b4", "#d62728", "#7f7f7f"])
    for bar, value in zip(bars, times.values()):
        ax.annotate(f"{value:.0f} µs", (bar.get_x() + bar.get_width() / 2, value),
                    ha="center", va="bottom", fontsize=9)
    ax.set(title=title, ylabel="µs per step (median)")
plt.show()

# %% [markdown]
# ## 실제 컴파일러가 더하는 것
#
# 이 컴파일러는 기록에서 멈춥니다. 앞으로 만날 컴파일러들은 더 나아갑니다.
#
# * **융합.** `h = np.maximum(x @ W.T + b, 0)`은 여기서 메모리를 세 번 훑습니다(곱, 덧셈,
#   최댓값). XLA, `torch.compile` 뒤의 Inductor, tinygrad는 원소별 연산들을 하나의 커널로
#   *융합*해서 각 수를 한 번만 읽습니다. 큰 배열에서는 산술보다 메모리 이동이 비용입니다.
# * **장치.** 기록은 GPU나 TPU용으로 컴파일됩니다. CUDA, Triton, Metal 커널이 중간에 파이썬 없이
#   실행됩니다(CUDA 그래프는 학습 단계 전체를 한 번의 호출로 다시 실행합니다).
# * **동적 모양.** 여기서는 배치 크기가 바뀔 때마다 새 프로그램을 기록합니다(한 번 알려 줍니다).
#   `torch.compile`은 한 차원을 동적으로 표시하고 모든 크기에 하나의 프로그램을 만들 수 있습니다.
# * **그래프 끊김.** `torch.compile`은 기록할 수 없는 파이썬을 만나면 단계를 나누고 그 부분을
#   즉시 실행합니다. `jax.jit`은 거부합니다(구체화 오류). 여기서는 추적 중인 값을 파이썬에서 읽으면
#   경고를 내고 그 값을 고정합니다. `torch.jit.trace`와 같은 선택이며, 다음 절에서 봅니다.

# %% [markdown]
# ## 한계: 파이썬이 내리는 결정
#
# 이 학습 단계는 손실이 크면 그것을 반으로 줄입니다. 추적 중인 텐서에서 읽은 수로 파이썬이
# 결정합니다. 기록은 어느 쪽 분기로 갔는지만 보므로 프로그램은 그 분기를 계속 따르고, 그 줄을
# 가리키는 `UserWarning`으로 알려 줍니다.

# %%
def make_branching_step(model, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if loss.item() > 1.0:        # Python reads the data: the trace freezes this branch
            loss = loss * 0.5
        loss.backward()
        opt.step()
        return loss
    return step


model = mlp((4, 5, 3))
branching = tinygrad_edu.compile(make_branching_step(model, optim.SGD(model.parameters(), lr=0.1)))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    branching(x_small, y_small)
print(f"line {caught[0].lineno} of the cell: {str(caught[0].message)[:230]}...")

# %% [markdown]
# 이제 신경망이 이미 잘 맞히는 정답을 주면 손실이 1보다 작아서, 즉시 실행은 다른 분기로 갑니다.
# 프로그램은 그렇지 않습니다.

# %%
eager_model, compiled_model = mlp((4, 5, 3)), mlp((4, 5, 3))
eager = make_branching_step(eager_model, optim.SGD(eager_model.parameters(), lr=0.0))
frozen = tinygrad_edu.compile(make_branching_step(compiled_model,
                                                  optim.SGD(compiled_model.parameters(), lr=0.0)))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    frozen(x_small, y_small)                 # traced on the high-loss batch: branch taken
    frozen(x_small, y_small)
easy_y = eager_model(x_small).data.argmax(axis=1)     # the labels it already predicts
print(f"eager loss    {eager(x_small, easy_y).item():.6f}")
print(f"compiled loss {frozen(x_small, easy_y).item():.6f}   (still halved: the frozen branch)")

# %% [markdown]
# 해결책은 데이터에 따른 결정을 컴파일된 함수 밖에 두거나(호출과 호출 사이에서 결정), 배열
# 연산으로 쓰는 것입니다. `tinygrad_edu.where(loss > 1, loss * 0.5, loss)`는 다른 연산처럼
# 기록되고 데이터를 따라갑니다.

# %% [markdown]
# ## 연습 문제 10 — 선형 모델의 프로그램을 손으로
#
# `my_compiled_linear_step(w, b, x, y, lr)`를 작성하세요. `x @ w + b`와 `y`의 평균 제곱 오차에
# 대한 경사하강법 (gradient descent) 한 걸음을, 아래 학습 단계의 컴파일된 프로그램이 계산하듯이
# 계산하고 `[새 w..., 새 b]`를 한 줄의 리스트로 돌려줍니다.
#
#     opt.zero_grad(); F.mse_loss(x @ w + b, y).backward(); opt.step()   # opt = SGD(lr)
#
# 검사 셀은 그 컴파일된 단계를 라이브러리에서 실행해 비교하고, 흔한 실수에는 힌트를 덧붙입니다.
# 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
def my_compiled_linear_step(w, b, x, y, lr):
    raise NotImplementedError   # your code


_course.check("ch10.compiled_step", my_compiled_linear_step)
