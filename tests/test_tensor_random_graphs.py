"""Random expression graphs on Tensors agree with numerical gradients (full Jacobian).

Each hypothesis example is a small program over a pool of three inputs of broadcastable
shapes, (2, 3), (3,) and (2, 1). Every step takes one or two pool entries (so nodes get
reused: several users, and broadcasting in both directions) and appends the result. The
program's outputs, summed with weights so every one of them matters, are checked by
gradcheck element by element against central differences.
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import gradcheck

# Smooth operations only (no relu/abs/max kinks, where finite differences are not exact).
UNARY = [
    lambda t: t.tanh(),
    lambda t: t.sin(),
    lambda t: t.sigmoid(),
    lambda t: t.tanh().exp(),
    lambda t: (t * t + 1).log(),
    lambda t: (t * t + 0.5).sqrt(),
    lambda t: t ** 2,
    lambda t: -t,
    lambda t: t.softmax(axis=-1),
    lambda t: t.log_softmax(axis=-1),
    lambda t: t - t.mean(axis=-1, keepdims=True),
    lambda t: t * t.sum(axis=0, keepdims=True),
    lambda t: t.reshape(-1).reshape(t.shape),
    lambda t: t.T.T,
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (1 + b * b),
    lambda a, b: (a * a + 1) ** b.tanh(),
]

program = st.lists(st.tuples(st.booleans(), st.integers(0, len(UNARY) - 1),
                             st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=8)


def run(steps, inputs):
    pool = list(inputs)
    for is_binary, op, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(BINARY[op % len(BINARY)](a, b) if is_binary else UNARY[op](a))
    return pool[-1] + 0.5 * pool[-2]


@settings(max_examples=40, deadline=None)
@given(program, st.integers(0, 2 ** 32 - 1))
def test_random_tensor_graphs_match_numerical_gradients(steps, seed):
    rng = np.random.default_rng(seed)
    inputs = [Tensor(rng.uniform(-1.5, 1.5, shape), requires_grad=True)
              for shape in [(2, 3), (3,), (2, 1)]]
    assert gradcheck(lambda *xs: run(steps, xs), *inputs, rtol=1e-4, atol=1e-6)
