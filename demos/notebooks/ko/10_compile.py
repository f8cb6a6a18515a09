# %% [markdown]
# # 10. 학습 단계 컴파일: 한 번 기록하고 NumPy로 다시 실행하기 · Compiling a training step
#
# 지금까지 아홉 장의 코드는 모두 *즉시 실행*(eager execution) 방식으로 돌았습니다. `Tensor` 연산을
# 하나 부를 때마다 그래프에 노드를 달고, 입력을 검사하고, 그다음에야 NumPy에게 계산을 넘깁니다.
# 이런 부가 작업, 곧 오버헤드(overhead)는 큰 행렬곱에서는 티도 나지 않지만, 작은 신경망에서는
# 오히려 시간의 대부분을 차지합니다. 실제 프레임워크들은 이 문제를 컴파일러로 풉니다.
# `torch.compile`, `jax.jit`(기록한 내용인 *jaxpr*를 출력해 볼 수 있습니다), tinygrad의
# `TinyJit`이 그렇습니다. 이름은 달라도 첫 단계는 같습니다. **학습 단계를 한 번 돌리면서
# 무엇을 했는지 기록해 두고, 그다음부터는 그 기록을 다시 실행합니다.** `tinygrad_edu.compile`이
# 하는 일이 정확히 이것이고, 기록한 결과는 사람이 읽을 수 있는 파이썬 함수입니다.
#
# 여기서 말하는 학습 단계는 글 1 「[Pytorch] - 경사하강법(Gradient Descent)」의 학습 루프가
# 배치마다 한 바퀴씩 되풀이하는 부분입니다. 예측과 손실 계산, `optimizer.zero_grad()`,
# `loss.backward()`, `optimizer.step()`을 함수 하나로 묶은 것이죠. 아래 `make_step`이 그런 함수를
# 만듭니다. (글 번호는 [강의 소개](README.md)의 표를 따릅니다.)

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
# ## 기록하기
#
# 입력 4개, 은닉 뉴런 5개, 출력 3개인 작은 다층 퍼셉트론(MLP 4-5-3)으로 SGD 한 걸음을 밟아
# 봅시다. 컴파일된 함수를 처음 부르면 평소처럼 즉시 실행으로 돌면서, 순전파와 역전파
# (backpropagation), 옵티마이저 갱신에서 일어나는 배열 연산을 빠짐없이 적어 둡니다. 두 번째
# 호출도 같은 식으로 기록합니다. 옵티마이저 상태는 첫 걸음이 끝나야 자리를 잡으므로, 상태가
# 갖춰진 채로 부르는 첫 호출이 바로 두 번째 호출이기 때문입니다. 그 뒤로는 기록된 프로그램이
# 대신 실행됩니다. (`fast.plain()`은 엔진이 속도를 내려고 쓰는 요령들을 기록에서 빼 줍니다.
# 그래서 프로그램이 교과서의 공식 그대로 보입니다.)

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
# 위에서부터 차례로 읽어 봅시다.
#
# * **read**: 호출할 때마다 인자, 파라미터 배열, 옵티마이저의 하이퍼파라미터를 새로 읽어 옵니다.
#   배열 이름은 모델에서 따옵니다(`layer0_weight`는 `model`의 `0.weight`). 하이퍼파라미터를 매번
#   읽으므로 스케줄러가 바꾼 학습률(learning rate)도 프로그램에 그대로 반영됩니다.
# * **guards**: 이 프로그램이 어떤 조건에서 기록되었는지 확인하는 가드(guard)입니다. 조건이 하나라도
#   다른 호출이 오면 프로그램을 새로 기록합니다.
# * **numbers**: 옵티마이저가 하이퍼파라미터만으로 계산하는 수입니다. SGD에서는 `if` 조건 몇
#   개가 전부입니다.
# * **made once**: 호출마다 달라질 수 없는 것에만 기대는 배열입니다(`np.arange(32)`, 손실의
#   시작 기울기 `np.ones(())`). 기록할 때 한 번 계산해 두고, 코드에는 주석으로만 보여 줍니다.
# * **arrays**: 순전파(`Linear`, `Relu`), `cross_entropy`의 정답 번호 검사, 손실함수(loss
#   function), 각 연산의 역전파, 마지막으로 `sgd_update`가 이어집니다. `Relu backward`는
#   `np.where(out != 0, grad, 0)`을 정수 곱셈으로 쓴 것입니다. 기울기의 비트를 `view`로 정수로
#   읽고 마스크의 0 또는 1을 곱합니다. 결과는 똑같고, 원소마다 분기하지 않아서 배치 256에서 약
#   10배 빠릅니다. `Relu` 순전파의 `np.maximum`은 숫자 0 대신 0으로 채운 배열과 비교합니다.
#   NumPy는 이쪽을 벡터 루프로 돌려서 약 4배 빠릅니다(이유는 `tinygrad_edu/fast/select.py`에
#   있습니다). 정답 번호 검사도
#   가드입니다. 범위를 벗어난 번호처럼 잘못된 정답이 들어오면 그 호출은 즉시 실행으로 돌아가서
#   라이브러리의 원래 오류 메시지를 냅니다.
# * **write back**: 새 기울기를 `.grad`에 넣고 파라미터의 버전 번호를 올립니다. 즉시 실행을
#   마쳤을 때와 똑같은 상태를 남기기 위해서입니다.
#
# 프로그램 어디에도 `Tensor`, 그래프, 디스패치(dispatch, 연산마다 알맞은 구현을 찾아 부르는 일)가
# 없습니다. 한 줄에 NumPy 호출 하나씩입니다. 학습 단계 밖으로 나가지 않는 중간 배열은 처음에 한
# 번 만들어 둔 버퍼에 덮어씁니다(`out=..._buffer`). 반면 기울기는 사용자가 따로 붙잡아 둘 수
# 있으므로, 즉시 실행과 마찬가지로 호출마다 새 배열로 만듭니다.

# %% [markdown]
# ## 손으로 쓴 학습 단계와 나란히 놓기
#
# 같은 신경망의 학습 단계를 NumPy만으로 직접 써 보았습니다. 벤치마크의 "numpy by hand" 기준선도
# 이렇게 쓰여 있습니다. 같은 가중치에서 출발해 둘 다 다섯 걸음씩 돌리면 파라미터가 일치합니다.

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
# 차이가 0은 아니지만 아주 작습니다(1e-17 안팎). 손으로 쓴 쪽은 소프트맥스에서 원-핫 벡터를 뺀
# 다음 N으로 나누고, 라이브러리가 하나로 합쳐 둔 교차 엔트로피는 1/N을 먼저 곱합니다. 같은 값을
# 순서만 바꿔 계산했기 때문에 반올림 오차만큼 어긋나는 것입니다. 반면 *즉시 실행*하는
# tinygrad_edu와 비교하면 컴파일된 학습 단계는 비트 하나까지 같습니다. 즉시 실행이 불렀던 바로
# 그 NumPy 호출들을 그대로 다시 실행하기 때문입니다.

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
# ## 즉시 실행은 시간을 어디에 쓰는가
#
# 학습 단계 하나를 즉시 실행, 컴파일, 손으로 쓴 NumPy의 세 가지 방식으로 재어 봅니다. 신경망은
# 두 가지입니다. 하나는 벤치마크에 쓰는 MLP 784-256-128-10(float32, 배치 크기 32)이고, 다른
# 하나는 배치 크기 2로 돌리는 아주 작은 4-4-4-2 신경망입니다. 작은 쪽은 배열마다 수가 몇 개뿐이라
# NumPy의 산술 자체는 거의 공짜입니다. 그러니 작은 신경망에서 즉시 실행이 쓰는 시간은 거의 전부
# 파이썬에서 나옵니다. 그래프 노드를 만들고, 입력을 검사하고, 디스패치하는 시간입니다. 컴파일이
# 없애는 것이 바로 이 부분입니다. 큰 신경망에서는 시간 대부분이 BLAS의 행렬곱에 들어가고 이
# 부분은 세 방식이 똑같으므로, 오버헤드가 차지하는 몫은 작아집니다. (시간은 컴퓨터마다, 실행할
# 때마다 달라지므로 이 장은 숫자를 출력하지 않고 그림으로 보여 줍니다. 숫자 표는
# `python -m tinygrad_edu.bench tensor`를 실행하면 볼 수 있습니다.)

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
# ## 실제 컴파일러는 무엇을 더 하는가
#
# 이 컴파일러는 기록하는 데서 멈춥니다. 앞으로 만날 컴파일러들은 여기서 더 나아갑니다.
#
# * **융합(fusion).** `h = np.maximum(x @ W.T + b, 0)`은 여기서 메모리를 세 번 훑습니다(행렬곱,
#   덧셈, 최댓값). XLA, `torch.compile` 뒤에서 도는 Inductor, tinygrad는 원소별 연산들을 커널
#   하나로 *융합*해서 각 수를 한 번만 읽게 만듭니다. 큰 배열에서는 산술보다 메모리를 오가는
#   비용이 더 크기 때문입니다.
# * **장치(device).** 기록을 GPU나 TPU용으로 컴파일합니다. CUDA, Triton, Metal로 만든 커널이
#   중간에 파이썬을 거치지 않고 실행됩니다(CUDA 그래프를 쓰면 학습 단계 전체를 호출 한 번으로
#   다시 실행합니다).
# * **동적 형태(dynamic shape).** 여기서는 배치 크기가 바뀔 때마다 프로그램을 새로 기록합니다(그렇게
#   했다는 사실을 한 번 알려 줍니다). `torch.compile`은 한 차원을 동적이라고 표시해 두고, 그 차원이
#   어떤 크기이든 쓸 수 있는 프로그램 하나를 만들 수 있습니다.
# * **그래프 끊김(graph break).** `torch.compile`은 기록할 수 없는 파이썬 코드를 만나면 학습
#   단계를 거기서 나누고 그 부분만 즉시 실행합니다. `jax.jit`은 아예 거부합니다(concretization
#   오류). 여기서는 기록 중인 값을 파이썬이 읽으면 경고를 내고 그 값을 고정해 버립니다.
#   `torch.jit.trace`와 같은 선택이며, 다음 절에서 직접 확인합니다.

# %% [markdown]
# ## 한계: 파이썬이 내리는 결정
#
# 아래 학습 단계는 손실이 1보다 크면 손실을 절반으로 줄입니다. 이 결정은 파이썬이 내리고, 그
# 근거는 기록 중인 텐서에서 꺼내 읽은 수입니다. 기록에는 어느 분기로 갔는지만 남으므로
# 프로그램은 그 분기를 계속 따라갑니다. 대신 문제가 된 줄을 짚는 `UserWarning`으로 알려 줍니다.

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
# 이번에는 신경망이 이미 잘 맞히는 정답을 줍니다. 손실이 1보다 작으니 즉시 실행은 다른 분기로
# 갑니다. 하지만 컴파일된 프로그램은 기록할 때 갔던 분기를 그대로 따릅니다.

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
# 해결책은 두 가지입니다. 데이터에 따라 달라지는 결정을 컴파일된 함수 밖으로 빼서 호출과 호출
# 사이에서 내리거나, 그 결정을 배열 연산으로 쓰는 것입니다.
# `tinygrad_edu.where(loss > 1, loss * 0.5, loss)`는 다른 연산처럼 기록되므로, 데이터가 바뀌면
# 결과도 따라 바뀝니다.

# %% [markdown]
# ## 연습 문제 10 — 선형 모델의 프로그램을 손으로 쓰기
#
# `my_compiled_linear_step(w, b, x, y, lr)`를 작성하세요. `x @ w + b`와 `y` 사이의 평균 제곱
# 오차에 경사하강법(gradient descent)을 한 걸음 적용하는데, 아래 학습 단계를 컴파일한 프로그램이
# 계산하는 그대로 계산하면 됩니다. 돌려줄 값은 새 `w`의 원소들 뒤에 새 `b`를 붙인 리스트 하나,
# 곧 `[새 w..., 새 b]`입니다.
#
#     opt.zero_grad(); F.mse_loss(x @ w + b, y).backward(); opt.step()   # opt = SGD(lr)
#
# 검사 셀은 이 학습 단계를 라이브러리에서 컴파일해 돌린 결과와 비교하고, 흔한 실수에는 힌트를
# 덧붙입니다. 풀이는 [`solutions.ipynb`](solutions.ipynb)에 있습니다.

# %%
def my_compiled_linear_step(w, b, x, y, lr):
    raise NotImplementedError   # your code


_course.check("ch10.compiled_step", my_compiled_linear_step)
