# %% [markdown]
# # 연습 문제 풀이 · Solutions to the exercises
#
# 먼저 각 장에서 직접 풀어 본 뒤에 보세요. 아래 풀이는 모두 장에서 쓰는 것과 같은 검사를
# 통과하므로, 이 노트북은 모든 연습 문제가 풀 수 있는 문제라는 증명이기도 합니다.

# %%
import math

import numpy as np

import _course

# %% [markdown]
# ## 1장 연습 문제 1-1. L = (a·b + c)²의 연쇄 법칙
# s = a·b + c라고 두면 ∂L/∂s = 2s이고, 여기서 ∂L/∂a = 2s·b, ∂L/∂b = 2s·a, ∂L/∂c = 2s가 나옵니다.

# %%
def my_grads(a, b, c):
    s = a * b + c
    return [2 * s * b, 2 * s * a, 2 * s]


_course.check("ch1.chain_rule", my_grads)

# %% [markdown]
# ## 1장 연습 문제 1-2. L = (a·b + c)²의 그래프: 연산의 입력마다 결과로 가는 화살표 하나

# %%
def my_edges():
    return [("a", "e"), ("b", "e"),      # e = a·b
            ("e", "s"), ("c", "s"),      # s = e + c
            ("s", "L")]                  # L = s²


_course.check("ch1.graph_edges", my_edges)

# %% [markdown]
# ## 1장 연습 문제 1-3. silu(x) = x·σ(x): 곱의 미분법과 σ′ = σ(1 − σ)
# ∂silu/∂x = 1·σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x(1 − σ(x)))입니다.

# %%
def d_silu(x):
    s = 1.0 / (1.0 + math.exp(-x))
    return s * (1.0 + x * (1.0 - s))


_course.check("ch1.silu_derivative", d_silu)

# %% [markdown]
# ## 2장 연습 문제 2. 중앙 차분

# %%
def my_central(f_name, x, h):
    f = {"cube": lambda x: 2 * x ** 3, "sin": np.sin}[f_name]
    return (f(x + h) - f(x - h)) / (2 * h)


_course.check("ch2.central_difference", my_central)

# %% [markdown]
# ## 3장 연습 문제 3. 에폭당 갱신 횟수: 배치 ⌈n/B⌉개, 마지막의 작은 배치를 버리면 ⌊n/B⌋개

# %%
def my_updates(n_samples, batch_size, drop_last):
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


_course.check("ch3.updates_per_epoch", my_updates)

# %% [markdown]
# ## 4장 연습 문제 4. PyTorch의 네스테로프

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
# ## 5장 연습 문제 5. RMSprop: ε은 제곱근 바깥에

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
# ## 6장 연습 문제 6. AdamW: 먼저 감쇠하고, 그다음 Adam의 한 걸음

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
# ## 7장 연습 문제 7. 코사인 어닐링

# %%
def my_cosine(t, T, lr0, lr_min):
    return lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * t / T)) / 2


_course.check("ch7.cosine", my_cosine)

# %% [markdown]
# ## 8장 연습 문제 8. Adam의 상태: 두 개의 이동평균

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
# ## 9장 연습 문제 9. H = diag(2a, −2b): 고윳값은 −2b와 2a, 조건수는 두 절댓값 중 큰 것을 작은 것으로 나눈 값

# %%
def my_hessian_facts(a, b):
    eig = sorted([2 * a, -2 * b])
    return [eig[0], eig[1], max(2 * a, 2 * b) / min(2 * a, 2 * b)]


_course.check("ch9.hessian", my_hessian_facts)


# %% [markdown]
# ## 10장 연습 문제 10. 평균 제곱 오차의 ∂L/∂ŷ = 2(ŷ − y)/N: 가중치의 기울기는 xᵀ·∂L/∂ŷ, 편향의 기울기는 그 합

# %%
def my_compiled_linear_step(w, b, x, y, lr):
    w, x, y = np.array(w), np.array(x), np.array(y)
    grad_out = 2 * (x @ w + b - y) / len(y)
    return list(w - lr * (x.T @ grad_out)) + [b - lr * grad_out.sum()]


_course.check("ch10.compiled_step", my_compiled_linear_step)
