"""Landscapes (values, gradients, float/Value/Tensor agreement) and run_optimizer.

The optimizer paths are compared with PyTorch's, stored in tests/reference/landscapes.npz by
tests/reference/make_landscape_reference.py (run it with torch to regenerate).
"""
import json
import math
import os

import numpy as np
import pytest

from tinygrad_edu import Value
from tinygrad_edu.gradcheck import gradcheck, numerical_gradient
from tinygrad_edu.landscapes import LANDSCAPES, Landscape, run_optimizer

REQUIRED = ["saddle", "ill_conditioned", "rosenbrock", "beale", "himmelblau", "rastrigin"]

# Values worked out by hand from the textbook definitions (not from our code).
KNOWN_VALUES = [
    ("saddle", (2.0, 1.0), 3.0),
    ("ill_conditioned", (-7.0, 2.0), 49 / 20 + 4),
    ("rosenbrock", (-1.5, 2.0), 2.5 ** 2 + 100 * 0.25 ** 2),
    ("rosenbrock", (0.0, 0.0), 1.0),
    ("beale", (0.0, 0.0), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2),
    ("beale", (1.0, 1.0), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2),  # x·y^k − x = 0 at (1, 1)
    ("himmelblau", (0.0, 0.0), 11 ** 2 + 7 ** 2),
    ("rastrigin", (0.5, 0.5), 20 + 0.25 + 10 + 0.25 + 10),   # cos(π) = −1
    ("rastrigin", (1.0, -2.0), 1.0 + 4.0),                    # cos(2πk) = 1
]

# Gradients by hand: (name, point, (∂f/∂x, ∂f/∂y)).
KNOWN_GRADIENTS = [
    ("saddle", (2.0, 0.001), (4.0, -0.002)),
    ("ill_conditioned", (-7.0, 2.0), (-0.7, 4.0)),
    ("rosenbrock", (-1.5, 2.0), (-2 * 2.5 - 400 * -1.5 * -0.25, 200 * -0.25)),
    ("himmelblau", (0.0, 0.0), (2 * -7.0, 2 * -11.0)),
    ("rastrigin", (0.25, 0.0), (0.5 + 20 * math.pi, 0.0)),   # 2x + 20π sin(2πx)
]


def test_the_contract_landscapes_exist_with_their_attributes():
    for name in REQUIRED:
        f = LANDSCAPES[name]
        assert isinstance(f, Landscape) and f.name == name
        assert len(f.start) == 2 and all(isinstance(c, float) for c in f.start)
        (xmin, xmax), (ymin, ymax) = f.bounds
        assert xmin < xmax and ymin < ymax
        for (x, y) in [f.start] + f.minima:
            assert xmin <= x <= xmax and ymin <= y <= ymax, (name, x, y)
        assert f.__doc__ and f.formula in f.__doc__ and len(f.description) > 40
    assert LANDSCAPES["saddle"].start == (2.0, 0.001)
    assert LANDSCAPES["ill_conditioned"].start == (-7.0, 2.0)
    assert LANDSCAPES["rosenbrock"].start == (-1.5, 2.0)
    assert LANDSCAPES["saddle"].minima == []
    assert len(LANDSCAPES["himmelblau"].minima) == 4
    assert LANDSCAPES["rosenbrock"].minima == [(1.0, 1.0)]
    assert LANDSCAPES["beale"].minima == [(3.0, 0.5)]
    assert LANDSCAPES["rastrigin"].minima == [(0.0, 0.0)]


@pytest.mark.parametrize("name,point,expected", KNOWN_VALUES)
def test_values_match_the_textbook_definitions(name, point, expected):
    assert LANDSCAPES[name](*point) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name,point,expected", KNOWN_GRADIENTS)
def test_autograd_gradient_matches_hand_derivative(name, point, expected):
    np.testing.assert_allclose(LANDSCAPES[name].gradient(*point), expected,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in REQUIRED if LANDSCAPES[n].minima])
def test_minima_have_value_zero_and_vanishing_gradient(name):
    f = LANDSCAPES[name]
    for x, y in f.minima:
        assert abs(f(x, y)) < 1e-12
        xv, yv = Value(x), Value(y)
        f(xv, yv).backward()                      # the gradient by autograd
        assert abs(xv.grad) < 1e-9 and abs(yv.grad) < 1e-9, (name, x, y, xv.grad, yv.grad)


def test_saddle_point_has_zero_gradient_but_is_not_a_minimum():
    f = LANDSCAPES["saddle"]
    np.testing.assert_array_equal(f.gradient(0.0, 0.0), [0.0, 0.0])
    assert f(0.0, 0.1) < f(0.0, 0.0) < f(0.1, 0.0)


def _points(name, n=5):
    (xmin, xmax), (ymin, ymax) = LANDSCAPES[name].bounds
    rng = np.random.default_rng(sum(map(ord, name)))
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


@pytest.mark.parametrize("name", REQUIRED)
def test_value_gradient_agrees_with_central_differences(name):
    f = LANDSCAPES[name]
    for x, y in _points(name):
        numeric = numerical_gradient(lambda p: f(float(p[0]), float(p[1])), np.array([x, y]))
        np.testing.assert_allclose(f.gradient(x, y), numeric, rtol=1e-5, atol=1e-5)
        assert gradcheck(lambda a, b: f(a, b), Value(x), Value(y))


@pytest.mark.parametrize("name", REQUIRED)
def test_float_value_numpy_and_tensor_agree(name):
    from tinygrad_edu import Tensor

    f = LANDSCAPES[name]
    points = _points(name)
    grid = f(points[:, 0], points[:, 1])                  # NumPy arrays, element-wise
    for (x, y), on_grid in zip(points, grid):
        as_float = f(float(x), float(y))
        xv, yv = Value(x), Value(y)
        as_value = f(xv, yv)
        as_value.backward()
        xt = Tensor(np.array(x), requires_grad=True)
        yt = Tensor(np.array(y), requires_grad=True)
        as_tensor = f(xt, yt)
        as_tensor.backward()
        assert isinstance(as_float, float)
        np.testing.assert_allclose([as_value.data, as_tensor.item(), on_grid], as_float,
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose([float(xt.grad), float(yt.grad)], [xv.grad, yv.grad],
                                   rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------- run_optimizer
def _reference():
    path = os.path.join(os.path.dirname(__file__), "reference", "landscapes.npz")
    with np.load(path, allow_pickle=False) as data:
        config = json.loads(str(data["config"]))
        return config, {name: data[name] for name in config}


REFERENCE_CONFIG, REFERENCE_PATHS = _reference()


@pytest.mark.parametrize("case", sorted(REFERENCE_CONFIG))
def test_run_optimizer_matches_pytorch_paths(case):
    from tinygrad_edu import optim

    cfg = REFERENCE_CONFIG[case]
    cls = getattr(optim, cfg["optimizer"])
    path = run_optimizer(LANDSCAPES[cfg["landscape"]], lambda p: cls(p, **cfg["kwargs"]),
                         steps=cfg["steps"])
    expected = REFERENCE_PATHS[case]
    assert path.shape == expected.shape == (cfg["steps"] + 1, 2)
    # Same rows NaN (a diverging run stops at the same step as PyTorch's) ...
    np.testing.assert_array_equal(np.isnan(path), np.isnan(expected))
    # ... and the same points, step for step.
    np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_the_reference_includes_a_diverging_run():
    expected = REFERENCE_PATHS["sgd_diverges"]
    finite = np.isfinite(expected).all(axis=1)
    assert finite[0] and not finite[-1]
    first_bad = int(np.argmin(finite))
    assert finite[:first_bad].all() and np.isnan(expected[first_bad:]).all()


class GradientDescent:
    """The smallest optimizer run_optimizer can drive: p ← p − lr·∂f/∂p, recording what it sees."""

    def __init__(self, params, lr):
        self.params, self.lr = params, lr
        self.calls = []
        self.grads_seen = []

    def zero_grad(self):
        self.calls.append("zero_grad")
        for p in self.params:
            p.grad = 0.0

    def step(self):
        self.calls.append("step")
        self.grads_seen.append([p.grad for p in self.params])
        for p in self.params:
            p.data -= self.lr * p.grad


def test_run_optimizer_path_is_plain_gradient_descent():
    f = LANDSCAPES["ill_conditioned"]
    made = []
    path = run_optimizer(f, lambda p: made.append(GradientDescent(p, 0.1)) or made[-1], steps=20)
    assert path.shape == (21, 2)
    point = np.array(f.start)
    for k in range(21):                       # the same recurrence written out independently
        np.testing.assert_allclose(path[k], point, rtol=1e-13)
        point = point - 0.1 * np.array([point[0] / 10, 2 * point[1]])
    (optimizer,) = made
    assert optimizer.calls == ["zero_grad", "step"] * 20
    assert all(type(p).__name__ == "Value" for p in optimizer.params)
    assert len(optimizer.params) == 2


def test_gradients_do_not_accumulate_between_steps():
    f = LANDSCAPES["rosenbrock"]
    made = []
    run_optimizer(f, lambda p: made.append(GradientDescent(p, 0.0)) or made[-1], steps=3)
    # lr = 0: the point never moves, so each step must see the same, fresh gradient.
    np.testing.assert_allclose(made[0].grads_seen, [f.gradient(*f.start)] * 3)


def test_start_can_be_overridden_and_zero_steps_returns_the_start():
    f = LANDSCAPES["himmelblau"]
    path = run_optimizer(f, lambda p: GradientDescent(p, 0.01), steps=0, start=(1, -1))
    np.testing.assert_array_equal(path, [[1.0, -1.0]])
    path = run_optimizer(f, lambda p: GradientDescent(p, 0.01), steps=400, start=(1, -1))
    assert np.allclose(path[-1], (3.5844283403304917, -1.8481265269644034), atol=1e-6)


def test_divergence_stops_early_and_fills_nan():
    # lr = 2 on y²: y ← y − 2·2y = −3y, so |y| grows ×3 per step until it overflows to inf.
    f = LANDSCAPES["ill_conditioned"]
    path = run_optimizer(f, lambda p: GradientDescent(p, 2.0), steps=1000)
    finite = np.isfinite(path).all(axis=1)
    first_bad = int(np.argmin(finite))
    assert 600 < first_bad < 700                  # 3^k · 2 overflows float64 near k = 646
    assert finite[:first_bad].all()
    assert np.isnan(path[first_bad:]).all()       # NaN, never inf, after the stop
    np.testing.assert_allclose(path[:5, 1], [2, -6, 18, -54, 162])


def test_overflow_error_counts_as_divergence():
    class CubicStep(GradientDescent):   # float ** raises OverflowError instead of giving inf
        def step(self):
            for p in self.params:
                p.data -= self.lr * p.grad ** 3

    path = run_optimizer(LANDSCAPES["saddle"], lambda p: CubicStep(p, 1.0), steps=50)
    assert np.isfinite(path[:2]).all() and np.isnan(path[-1]).all()
    first_bad = int(np.argmin(np.isfinite(path).all(axis=1)))
    assert np.isnan(path[first_bad:]).all()


def test_run_optimizer_rejects_bad_arguments():
    f = LANDSCAPES["saddle"]
    with pytest.raises(ValueError, match="steps"):
        run_optimizer(f, lambda p: GradientDescent(p, 0.1), steps=-1)
    with pytest.raises(ValueError, match="start"):
        run_optimizer(f, lambda p: GradientDescent(p, 0.1), start=(1.0, float("nan")))
    with pytest.raises(ValueError, match="start"):
        run_optimizer(f, lambda p: GradientDescent(p, 0.1), start=(1.0, 2.0, 3.0))
