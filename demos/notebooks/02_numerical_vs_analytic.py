# %% [markdown]
# # 2. Numerical vs analytic gradients · 수치 미분과 해석적 미분
#
# Post 2 (「[NN] 경사하강법 (Gradient Descent)」, its section on computing gradients) names two
# ways to get a derivative. 수치 미분 (numerical differentiation) uses the definition with a
# small h, df/dx ≈ (f(x + h) − f(x))/h; 해석적 미분 (analytic differentiation) derives the
# formula, with post 2's example f(x) = 2x³ → f′(x) = 6x². A library does the second
# automatically (chapter 1) and uses the first to check it: `tinygrad_edu.gradcheck`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu import Tensor, Value
from tinygrad_edu.gradcheck import gradcheck, numerical_gradient

# %% [markdown]
# ## Post 2's forward difference, the library's central difference, the formula

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
# The library uses the *central* difference (f(x + h) − f(x − h))/2h: its error shrinks like
# h² instead of h. Both stop improving when h is so small that rounding dominates
# (f(x + h) − f(x) loses digits). Post 2 calls the analytic gradient free of error; it is
# exact up to floating-point rounding (about 1e-16 relative), which the picture shows as the
# floor.

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
# ## Why the numerical gradient is slow: count the calls
#
# Post 2 says the numerical gradient is slow because every weight needs its own calls of f.
# Count them. For n weights the forward difference calls f n + 1 times (f(x) once, shared,
# and f(x + h·eᵢ) for each i). The library's central difference needs f(x + h·eᵢ) and
# f(x − h·eᵢ) for each i, 2n calls, plus one call at x itself to learn the shape of the
# output: 2n + 1 = 201 for n = 100. One backward pass gives all n at the cost of a few
# forward passes.

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
# ## `gradcheck`: the same comparison, element by element, as a test

# %%
print(gradcheck(lambda t: (t.tanh() ** 2).sum(), Tensor(w, requires_grad=True)))

# %% [markdown]
# ## Exercise 2 — the central difference
#
# Write `my_central(f_name, x, h)` returning (f(x + h) − f(x − h))/2h for
# `f_name` "cube" (f = 2x³) or "sin". The check compares it with the library's
# `numerical_gradient` and prints one line: "correct" with the tolerance, or what differs,
# with a hint for the usual slips. Solutions: [`solutions.ipynb`](solutions.ipynb).

# %%
import _course


def my_central(f_name, x, h):
    f = {"cube": lambda x: 2 * x ** 3, "sin": np.sin}[f_name]
    raise NotImplementedError   # your code: one line


_course.check("ch2.central_difference", my_central)
