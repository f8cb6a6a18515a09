# %% [markdown]
# # 1. The chain rule and `Value` · 연쇄 법칙과 `Value`
#
# The five posts (numbered as in the table of the [course introduction](README.md)) all start
# from one update, each in its own letters: post 1 (「[Pytorch] - 경사하강법」) writes
# θ_{n+1} = θ_n − η·∂f(θ_n)/∂θ_n, post 2 (「[NN] 경사하강법」) w_new ← w_old − α∇_w𝓛, post 5
# (「Optimizer 기초부터 알아보기」) w_t = w_{t−1} − α·∂f/∂w. Everything in it is given except
# the **gradient** ∂f/∂θ. This chapter computes it the way a library does: by the 연쇄 법칙
# (chain rule), applied backwards through the computation, which is 역전파 (backpropagation).
#
# Read alongside: `tinygrad_edu/scalar/value.py` (the `Value` class) and `graph.py` (the
# order of the walk). Glossary: [`GLOSSARY.md`](../../GLOSSARY.md).

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Value

# %% [markdown]
# ## A loss by hand
#
# Take the small 손실함수 (loss function) L = tanh(a·b + c)·d. Name the pieces:
# e = a·b, f = e + c, t = tanh(f), L = t·d. The chain rule multiplies the local
# derivatives along the path from L back to each input:
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
# ## The same with `Value` and `backward()`
#
# Each `Value` operation records its inputs and its *local* derivative; `backward()` visits
# the nodes in reverse topological order and does the multiplications above.

# %%
va, vb, vc, vd = Value(a, "a"), Value(b, "b"), Value(c, "c"), Value(d, "d")
vL = (va * vb + vc).tanh() * vd
vL.backward()
library = {"a": va.grad, "b": vb.grad, "c": vc.grad, "d": vd.grad}
for name in by_hand:
    print(f"∂L/∂{name}: by hand {by_hand[name]: .12f}   backward() {library[name]: .12f}   "
          f"difference {abs(by_hand[name] - library[name]):.1e}")

# %% [markdown]
# ## The graph that `backward()` walks
#
# The same L with the same numbers, drawn by `tinygrad_edu.viz.draw_graph` (demo 11,
# `python demos/11_chain_rule_graph.py`): a box per value with its data and grad, an ellipse
# per operation. Read it from the bottom up and you are doing backpropagation by hand: each
# box's grad is the grad of the box below it times that operation's local derivative — for
# `*` the *other* input, for `+` just 1, for `tanh` 1 − t². Compare the grads in the boxes
# with the numbers printed above.
#
# ![The computation graph of L = tanh(a·b + c)·d after backward()](../images/11_chain_rule_graph.png)

# %% [markdown]
# ## A node used twice: the gradients add
#
# In b = a + a the value a reaches b along two paths, so ∂b/∂a = 1 + 1. This is why every
# backward rule *adds* (`+=`) into its inputs' gradients, and why `backward()` first orders
# the graph: a node passes its gradient on only after all its consumers have added theirs.

# %%
x = Value(3.0)
y = x * x + x * x * x          # y = x² + x³, x used five times
y.backward()
print("backward():", x.grad, "   by hand 2x + 3x² =", 2 * 3.0 + 3 * 3.0 ** 2)

# %% [markdown]
# Gradients of leaves *accumulate* across calls, as in PyTorch: a second `backward()` adds
# one more gradient. That is why a training loop resets them each step (the optimizer's
# `zero_grad()`, chapter 3).

# %%
y.backward()
print("after a second backward():", x.grad, "= 2 ×", 2 * 3.0 + 3 * 3.0 ** 2)
x.grad = 0.0

# %% [markdown]
# ## Picture: tanh and the derivative that `backward()` finds
#
# The local rule for tanh reuses the output: d tanh(s)/ds = 1 − tanh(s)². Below, the slope
# that `backward()` returns at 41 points lies on the curve 1 − tanh².

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
# ## Exercise 1-1 — the chain rule for L = (a·b + c)²
#
# Write `my_grads(a, b, c)` returning `[∂L/∂a, ∂L/∂b, ∂L/∂c]` by hand (no `Value`).
# The check compares it with `backward()` on three inputs and prints one line: "correct",
# or what differs, with a hint when the answer is a typical slip. Solutions:
# [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_grads(a, b, c):
    raise NotImplementedError   # your code: the chain rule, three lines


_course.check("ch1.chain_rule", my_grads)

# %% [markdown]
# ## Exercise 1-2 — draw the graph of L = (a·b + c)²
#
# On paper first: name the pieces e = a·b, s = e + c, L = s² and draw a box for each value
# and an arrow from each input of an operation to its result, as in the picture above. Then
# write your arrows as pairs `(from, to)`; the check compares them with the graph that
# `Value` records. (With Graphviz installed, `tinygrad_edu.viz.draw_graph(L)` draws it.)

# %%
def my_edges():
    raise NotImplementedError   # your code: a list like [("a", "e"), ...]


_course.check("ch1.graph_edges", my_edges)

# %% [markdown]
# ## Exercise 1-3 — build an operation: its local derivative, checked by `gradcheck`
#
# Every method of `Value` does two things: compute the number, and hand over its local
# derivative (`value.py` ends each method with `Value._from_op(number, name, inputs,
# local derivatives)`). Here is a new one, silu(x) = x·σ(x) with σ(x) = 1/(1 + e⁻ˣ), as one
# node. Write its local derivative `d_silu(x)` = ∂silu/∂x. The check compares your number
# with what `backward()` finds through x·σ(x) built from two library ops, then runs
# `gradcheck` — central differences against your node's backward — at three points. (The
# underscore says `_from_op` is meant for the library's own methods; calling it here is the
# shortest way to show what adding an operation takes.)

# %%
def d_silu(x):
    raise NotImplementedError   # your code: σ(x) and the product rule, one line


def silu(v):                    # the forward number and the local derivative, as in value.py
    s = 1.0 / (1.0 + math.exp(-v.data))
    return Value._from_op(v.data * s, "silu", (v,), (d_silu(v.data),))


_course.check("ch1.silu_derivative", d_silu)
