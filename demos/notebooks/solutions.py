# %% [markdown]
# # Solutions to the exercises · 연습문제 풀이
#
# Try each exercise in its chapter first. Each solution below runs through the same check as
# in the chapter, so this notebook also proves that every exercise can be solved.

# %%
import math

import numpy as np

import _course

# %% [markdown]
# ## 1-1. The chain rule for L = (a·b + c)²
# With s = a·b + c: ∂L/∂s = 2s, then ∂L/∂a = 2s·b, ∂L/∂b = 2s·a, ∂L/∂c = 2s.

# %%
def my_grads(a, b, c):
    s = a * b + c
    return [2 * s * b, 2 * s * a, 2 * s]


_course.check("ch1.chain_rule", my_grads)

# %% [markdown]
# ## 1-2. The graph of L = (a·b + c)²: an arrow from each input to its result

# %%
def my_edges():
    return [("a", "e"), ("b", "e"),      # e = a·b
            ("e", "s"), ("c", "s"),      # s = e + c
            ("s", "L")]                  # L = s²


_course.check("ch1.graph_edges", my_edges)

# %% [markdown]
# ## 1-3. silu(x) = x·σ(x): the product rule, with σ′ = σ(1 − σ)
# ∂silu/∂x = 1·σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x(1 − σ(x))).

# %%
def d_silu(x):
    s = 1.0 / (1.0 + math.exp(-x))
    return s * (1.0 + x * (1.0 - s))


_course.check("ch1.silu_derivative", d_silu)

# %% [markdown]
# ## 2. The central difference

# %%
def my_central(f_name, x, h):
    f = {"cube": lambda x: 2 * x ** 3, "sin": np.sin}[f_name]
    return (f(x + h) - f(x - h)) / (2 * h)


_course.check("ch2.central_difference", my_central)

# %% [markdown]
# ## 3. Updates per epoch: ⌈n/B⌉ batches, or ⌊n/B⌋ when the last, smaller one is dropped

# %%
def my_updates(n_samples, batch_size, drop_last):
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


_course.check("ch3.updates_per_epoch", my_updates)

# %% [markdown]
# ## 4. PyTorch's Nesterov

# %%
def my_nesterov(theta, grads, lr, mu):
    theta, b = np.array(theta, dtype=float), None
    for g in grads:
        g = np.array(g, dtype=float)
        b = g.copy() if b is None else mu * b + g
        theta = theta - lr * (g + mu * b)
    return theta


_course.check("ch4.nesterov_pytorch", my_nesterov)

# %% [markdown]
# ## 5. RMSprop, ε outside the root

# %%
def my_rmsprop(theta, grads, lr, gamma, eps):
    theta = np.array(theta, dtype=float)
    h = np.zeros_like(theta)
    for g in grads:
        g = np.array(g, dtype=float)
        h = gamma * h + (1 - gamma) * g * g
        theta = theta - lr * g / (np.sqrt(h) + eps)
    return theta


_course.check("ch5.rmsprop", my_rmsprop)

# %% [markdown]
# ## 6. AdamW: decay first, then Adam's step

# %%
def my_adamw(theta, grads, lr, wd, b1=0.9, b2=0.999, eps=1e-8):
    theta = np.array(theta, dtype=float)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = np.array(g, dtype=float)
        theta = theta * (1 - lr * wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return theta


_course.check("ch6.adamw", my_adamw)

# %% [markdown]
# ## 7. Cosine annealing

# %%
def my_cosine(t, T, lr0, lr_min):
    return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * t / T)) / 2


_course.check("ch7.cosine", my_cosine)

# %% [markdown]
# ## 8. Adam's state: two moving averages

# %%
def my_adam_state(grads, b1=0.9, b2=0.999):
    m = v = 0.0
    for g in grads:
        g = np.array(g, dtype=float)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
    return [m, v]


_course.check("ch8.adam_state", my_adam_state)

# %% [markdown]
# ## 9. H = diag(2a, −2b): eigenvalues −2b and 2a, condition number max/min of their sizes

# %%
def my_hessian_facts(a, b):
    eig = sorted([2 * a, -2 * b])
    return [eig[0], eig[1], max(2 * a, 2 * b) / min(2 * a, 2 * b)]


_course.check("ch9.hessian", my_hessian_facts)


# %% [markdown]
# ## 10. The mean squared error's ∂L/∂ŷ = 2(ŷ − y)/N: the weight's gradient is xᵀ·∂L/∂ŷ, the bias's its sum

# %%
def my_compiled_linear_step(w, b, x, y, lr):
    w, x, y = np.array(w), np.array(x), np.array(y)
    grad_out = 2 * (x @ w + b - y) / len(y)
    return list(w - lr * (x.T @ grad_out)) + [b - lr * grad_out.sum()]


_course.check("ch10.compiled_step", my_compiled_linear_step)
