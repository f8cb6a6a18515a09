# %% [markdown]
# # 10. Compiling a training step: trace once, replay as NumPy · 컴파일
#
# Every chapter so far ran *eagerly*: each `Tensor` operation builds a graph node, checks its
# inputs, and only then asks NumPy to compute. For a big matrix product that bookkeeping is
# noise; for a small network it is most of the time. Real frameworks answer with a compiler:
# `torch.compile`, `jax.jit` (whose recording, the *jaxpr*, you can print), tinygrad's
# `TinyJit`. They all do the same first thing: **run the step once while recording what it
# does, then replay the recording.** `tinygrad_edu.compile` does exactly that, and its recording
# is a Python function you can read.

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
# ## The recording
#
# A small MLP 4-5-3 and one step of SGD. The first call of the compiled step runs eagerly
# while every array operation of the forward pass, the backward pass (역전파,
# backpropagation) and the optimizer's update is written down; the second call (the first
# with the optimizer's state in place) is traced the same way, and from then on the program
# runs. (`fast.plain()` keeps the engine's speed tricks out of the recording, so the program
# shows the textbook formulas.)

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
# Read it from the top. **read**: the arguments, each parameter's array (named from the model:
# `layer0_weight` is `model`'s `0.weight`) and the optimizer's hyper-parameters, read on
# every call — so a scheduler's new learning rate (학습률, learning rate) reaches the program.
# **guards**: what the program was traced for; a call that differs traces a new program.
# **numbers**: what the optimizer computes from hyper-parameters (SGD: only its `if`s).
# **made once**: arrays that depend on nothing a call can change (`np.arange(32)`, the
# loss's starting gradient `np.ones(())`), computed when traced and shown as comments.
# **arrays**: the forward pass (`Linear`, `Relu`), the class-index check of `cross_entropy`
# (a guard: bad labels make the call run eagerly and raise the library's error), the loss
# function (손실함수, loss function), then each op's backward, then `sgd_update`. `Relu
# backward` is `np.where(out != 0, grad, 0)` written as a product of integers (the gradient's
# bits times the mask's 0 or 1, through `view`s): the same numbers without a branch per
# element, ~10× faster at batch 256; `Relu` forward is `np.maximum` against an array of zeros,
# which NumPy runs ~4× faster than against the number 0 (`tinygrad_edu/fast/select.py` says
# why).
# **write back**: the new gradients into `.grad`, the parameters' versions moved on, as
# eager execution leaves them.
#
# No `Tensor`, no graph, no dispatch: one NumPy call a line. Arrays that never leave the step
# are written into buffers made once (`out=..._buffer`); gradients, which a user may keep,
# are new arrays each call, as eagerly.

# %% [markdown]
# ## Beside the step written by hand
#
# The same network's step with NumPy alone, the way the bench's "numpy by hand" floor is
# written. Run both for five steps from the same weights: the parameters agree.

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
# Not zero but tiny (~1e-17): the hand-written step divides the softmax by N after subtracting the
# one-hot, the library's fused cross-entropy multiplies by 1/N first — the same numbers in
# another order. Against *eager* tinygrad_edu, the compiled step is equal bit for bit (it runs
# the very NumPy calls eager execution ran):

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
# ## Where the eager step's time goes
#
# Time one step three ways — eager, compiled, by hand — on the bench's MLP 784-256-128-10
# (float32, batch 32) and on a tiny 4-4-4-2 network at batch 2, where arrays hold a few
# numbers and NumPy's arithmetic costs nearly nothing. On the tiny network the eager step's
# time is almost all Python: graph nodes, checks, dispatch — what compiling removes. On the
# big one most of the time is BLAS's matrix products, the same in all three, so the
# bookkeeping is a smaller share. (Times vary from machine to machine and run to run, so
# this chapter draws them rather than printing them; `python -m tinygrad_edu.bench tensor`
# prints the tables.)

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
# ## What real compilers add
#
# This compiler stops at the recording. The ones you will meet go further:
#
# * **Fusion.** `h = np.maximum(x @ W.T + b, 0)` is three passes over memory here (product,
#   add, max). XLA, Inductor (behind `torch.compile`) and tinygrad *fuse* the element-wise
#   steps into one generated kernel that reads each number once — on big arrays, memory
#   traffic, not arithmetic, is the cost.
# * **Devices.** The recording is compiled for a GPU or TPU: kernels in CUDA, Triton or
#   Metal, launched without Python in between (CUDA graphs replay a whole step in one call).
# * **Dynamic shapes.** Here every new batch size traces a new program (and says so, once).
#   `torch.compile` can mark a dimension dynamic and emit one program for all its sizes.
# * **Graph breaks.** Where `torch.compile` meets Python it cannot record, it splits the step
#   and runs that piece eagerly; `jax.jit` refuses (a concretization error). Here, reading a
#   traced value in Python is a warning and the value is frozen — the same choice as
#   `torch.jit.trace`, shown next.

# %% [markdown]
# ## The limit: a decision made in Python
#
# This step halves the loss when it is high — decided by Python, on a number read from a
# traced tensor. The trace sees only which branch was taken, so the program keeps it, and
# says so with a `UserWarning` naming the line.

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
# Now labels the network already predicts well give a loss below 1, and eager execution takes
# the other branch — the program does not:

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
# The fix is to keep data-dependent decisions out of the compiled function (decide outside,
# between calls), or to write them as array operations — `tinygrad_edu.where(loss > 1,
# loss * 0.5, loss)` is recorded like any other operation and follows the data.

# %% [markdown]
# ## Exercise 10 — the program of a linear model, by hand
#
# Write `my_compiled_linear_step(w, b, x, y, lr)`: one step of gradient descent
# (경사하강법, gradient descent) on the mean squared error of `x @ w + b` against `y`, as the
# compiled program of
#
#     opt.zero_grad(); F.mse_loss(x @ w + b, y).backward(); opt.step()   # opt = SGD(lr)
#
# would compute it, returning `[new w..., new b]` as one flat list. The check runs that
# compiled step in the library. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
def my_compiled_linear_step(w, b, x, y, lr):
    raise NotImplementedError   # your code


_course.check("ch10.compiled_step", my_compiled_linear_step)
