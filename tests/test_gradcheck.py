"""Finite differences against closed forms, and gradcheck's contract."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, Value
from tinygrad_edu.gradcheck import (GradcheckError, gradcheck, gradgradcheck, numerical_gradient,
                                    numerical_hessian, numerical_jacobian)

RNG = np.random.default_rng(42)
A = RNG.normal(size=(4, 4))
B = RNG.normal(size=(3, 4))
X0 = RNG.normal(size=4)


def test_numerical_gradient_of_a_quadratic_form():
    # f(x) = xᵀAx  →  ∇f = (A + Aᵀ)x
    grad = numerical_gradient(lambda x: x @ A @ x, X0)
    np.testing.assert_allclose(grad, (A + A.T) @ X0, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_of_nonlinear_functions():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x),
                               rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.exp(v).prod(), x),
                               np.exp(x).prod() * np.ones_like(x), rtol=1e-7)


def test_numerical_jacobian_of_a_linear_map_and_its_shape():
    np.testing.assert_allclose(numerical_jacobian(lambda x: B @ x, X0), B, rtol=1e-8, atol=1e-9)
    x = RNG.normal(size=(2, 3))
    jac = numerical_jacobian(lambda v: np.tanh(v), x)
    assert jac.shape == (2, 3, 2, 3)
    expected = np.zeros((6, 6))
    np.fill_diagonal(expected, 1 - np.tanh(x.reshape(-1)) ** 2)
    np.testing.assert_allclose(jac.reshape(6, 6), expected, atol=1e-9)


def test_numerical_hessian_of_quadratic_and_rosenbrock():
    np.testing.assert_allclose(numerical_hessian(lambda x: x @ A @ x, X0), A + A.T,
                               rtol=1e-6, atol=1e-6)
    x, y = -1.2, 1.0  # Rosenbrock (1-x)² + 100(y-x²)², Hessian by hand
    hessian = numerical_hessian(lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2,
                                np.array([x, y]))
    expected = np.array([[2 - 400 * (y - x ** 2) + 800 * x ** 2, -400 * x], [-400 * x, 200.0]])
    np.testing.assert_allclose(hessian, expected, rtol=1e-5)
    assert np.array_equal(hessian, hessian.T)


def test_inputs_are_left_unchanged_even_when_f_mutates_nothing_back():
    x = X0.copy()
    numerical_gradient(lambda v: (v ** 3).sum(), x)
    numerical_jacobian(lambda v: v ** 2, x)
    numerical_hessian(lambda v: (v ** 2).sum(), x)
    assert np.array_equal(x, X0)


def test_central_differences_beat_forward_differences():
    # Central error ~ ε², forward error ~ ε: at ε = 1e-4 the central estimate is far closer.
    f, x, exact = np.exp, 1.0, np.exp(1.0)
    central = numerical_gradient(lambda v: f(v).sum(), np.array([x]), eps=1e-4)[0]
    forward = (f(x + 1e-4) - f(x)) / 1e-4
    assert abs(central - exact) < abs(forward - exact) / 1000


def test_numerical_gradient_accepts_library_scalars():
    grad = numerical_gradient(lambda v: Tensor(v).tanh().sum(), X0)
    np.testing.assert_allclose(grad, 1 - np.tanh(X0) ** 2, rtol=1e-7)


def test_numerical_gradient_rejects_non_scalar_functions():
    with pytest.raises(ValueError, match="numerical_jacobian"):
        numerical_gradient(lambda v: v * 2, X0)


def test_gradcheck_mixed_tensor_inputs_and_constants():
    a = Tensor(RNG.normal(size=(3, 2)), requires_grad=True)
    b = Tensor(RNG.normal(size=(2,)))  # no grad: a constant, not checked
    assert gradcheck(lambda a, b: (a * b).tanh(), a, b)


def test_gradcheck_needs_something_to_check_and_a_graph_output():
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(lambda t: t * 2, Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="must return a Value or a Tensor"):
        gradcheck(lambda v: 3.0, Value(1.0))


def test_gradcheck_restores_float32_data_and_grads():
    data = np.array([0.5, -1.0], dtype=np.float32)
    t = Tensor(data, requires_grad=True)
    original = t.data
    t.grad = np.array([9.0, 9.0], dtype=np.float32)
    assert gradcheck(lambda t: t.sin(), t)
    assert np.shares_memory(t.data, original) and np.array_equal(original, data) and t.data.dtype == np.float32
    assert np.array_equal(t.grad, [9.0, 9.0])


def test_float32_inputs_are_checked_in_float64_by_both_checks():
    """As documented: a float32 finite difference is too coarse to tell a bug from round-off,
    so every pass of fn, analytic and numerical, sees the input as float64."""
    for check in (gradcheck, gradgradcheck):
        t = Tensor(np.array([0.5, -1.0], dtype=np.float32), requires_grad=True)
        seen = set()

        def fn(t):
            seen.add(t.data.dtype)
            return (t * t).tanh()

        assert check(fn, t)
        assert seen == {np.dtype(np.float64)}, check.__name__
        assert t.data.dtype == np.float32  # and the input is given back as it was


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)
