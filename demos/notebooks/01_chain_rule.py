# %% [markdown]
# # 1. The chain rule and `Value` · 연쇄 법칙과 `Value`
#
# Every post starts from the same update, written in each post's own letters:
# θ ← θ − η·∂f/∂θ. Everything in it is given except the **gradient** ∂f/∂θ. This chapter
# computes it the way a library does: by the 연쇄 법칙 (chain rule), applied backwards
# through the computation, which is 역전파 (backpropagation).
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
# e = a·b, s = e + c, t = tanh(s), L = t·d. The chain rule multiplies the local
# derivatives along the path from L back to each input:
#
# ∂L/∂t = d, ∂L/∂s = ∂L/∂t · (1 − t²), ∂L/∂c = ∂L/∂s · 1, ∂L/∂e = ∂L/∂s,
# ∂L/∂a = ∂L/∂e · b, ∂L/∂b = ∂L/∂e · a, ∂L/∂d = t.

# %%
a, b, c, d = 2.0, -3.0, 10.0, -2.0
e = a * b; s = e + c; t = math.tanh(s); L = t * d
dL_dt = d
dL_ds = dL_dt * (1 - t ** 2)
by_hand = {"a": dL_ds * b, "b": dL_ds * a, "c": dL_ds, "d": t}
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
# ## Exercise 1 — the chain rule for L = (a·b + c)²
#
# Write `my_grads(a, b, c)` returning `[∂L/∂a, ∂L/∂b, ∂L/∂c]` by hand (no `Value`).
# The check compares it with `backward()` on three inputs. Solutions:
# [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_grads(a, b, c):
    raise NotImplementedError   # your code: the chain rule, three lines


_course.check("ch1.chain_rule", my_grads)
