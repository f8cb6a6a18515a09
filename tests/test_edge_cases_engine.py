"""Edge cases of the two engines that no other test reached, found by mutation testing
(``python tools/mutate.py``, see tools/README.md): each test here fails under a small change
to the code (an operator, a comparison, a constant, a deleted line) that the rest of the
suite let through. The behaviour checked is PyTorch's (numbers worked out by hand below)."""
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, enable_grad, no_grad
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.nn import functional as F


# --------------------------------------------------------------------------- Value
def test_value_x_to_the_zero_is_flat_even_at_zero():
    # d(x⁰)/dx = 0·x⁻¹ would be 0·inf = nan at x = 0; x⁰ = 1 is flat everywhere (PyTorch: 0)
    for start in (0.0, 2.0, -3.0):
        x = Value(start)
        y = x ** 0
        y.backward()
        assert y.data == 1.0 and x.grad == 0.0


# --------------------------------------------------------------------------- Tensor
def test_pow_exponent_gradient_at_base_zero_is_zero_for_nonnegative_exponents():
    # ∂(aᵇ)/∂b = aᵇ·ln a; at a = 0 PyTorch gives 0 for b ≥ 0 (0·ln 0 would be nan) and keeps
    # the formula for b < 0: 0⁻¹·ln 0 = inf·(−inf) = −inf.
    a = Tensor([0.0, 0.0, 0.0, 2.0])
    b = Tensor([2.0, 0.0, -1.0, 3.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        (a ** b).backward(np.ones(4))
    np.testing.assert_array_equal(b.grad[:3], [0.0, 0.0, -np.inf])
    assert b.grad[3] == pytest.approx(8.0 * math.log(2.0))


def test_matmul_of_a_matrix_and_a_stack_sums_the_matrix_gradient_over_the_stack():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal((4, 3, 5)), requires_grad=True)
    g = rng.standard_normal((4, 2, 5))
    (a @ b).backward(g)
    # a is used once per matrix of the stack: ∂L/∂a = Σ_k g_k b_kᵀ; ∂L/∂b_k = aᵀ g_k
    np.testing.assert_allclose(a.grad, np.einsum("kij,klj->il", g, b.data))
    np.testing.assert_allclose(b.grad, np.einsum("il,kij->klj", a.data, g))
    assert gradcheck(lambda x, y: x @ y, a, b)


def test_a_number_at_matmul_is_refused_with_the_fix():
    t = Tensor(np.ones((2, 2)))
    for make in (lambda: 2.0 @ t, lambda: t @ 2.0):
        with pytest.raises(ValueError, match=r"at least one dimension; use \* to scale"):
            make()


def test_weight_gradient_through_a_transpose_is_row_major_like_the_weight():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((5, 3)))
    W = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    (x @ W.T).sum().backward()
    assert W.grad.flags.c_contiguous                     # the layout API §2 promises
    np.testing.assert_allclose(W.grad, np.ones((4, 5)) @ x.data)
    # and for an untransposed product too
    V = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    (x @ V).sum().backward()
    assert V.grad.flags.c_contiguous
    np.testing.assert_allclose(V.grad, x.data.T @ np.ones((5, 4)))


def test_a_size_one_axis_broadcast_against_a_size_zero_axis_gets_a_zero_gradient():
    a = Tensor(np.ones((3, 1)), requires_grad=True)
    b = Tensor(np.ones((3, 0)), requires_grad=True)
    out = a * b
    assert out.shape == (3, 0)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.zeros((3, 1)))
    assert b.grad.shape == (3, 0)


# --------------------------------------------------------------------------- functional
def test_linear_refuses_a_weight_that_is_not_a_matrix_and_a_0d_input():
    with pytest.raises(ValueError, match="weight has shape"):
        F.linear(np.ones((2, 3)), np.ones((4, 3, 3)))       # the last dims would match
    with pytest.raises(ValueError, match="weight has shape"):
        F.linear(np.ones(3), np.ones(3))                    # a 1-D weight
    with pytest.raises(ValueError, match=r"input of shape \(\)"):
        F.linear(np.float64(2.0), np.ones((1, 1)))


def test_bce_with_logits_accepts_python_lists():
    loss = F.binary_cross_entropy_with_logits([0.0, 2.0], [1.0, 0.0])
    # ℓ = log(1 + e^{−x}) for t = 1 and log(1 + e^{x}) for t = 0
    expected = (math.log(2.0) + math.log1p(math.exp(2.0))) / 2
    assert loss.item() == pytest.approx(expected)
    per_element = F.binary_cross_entropy_with_logits([0.0, 2.0], [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(per_element.data, [math.log(2.0), math.log1p(math.exp(2.0))])


def test_bce_backward_with_a_plain_target_gives_only_the_prediction_gradient():
    # ∂ℓ/∂p = (p − t) / (p(1 − p)); the target needs no gradient, so none is made for it
    p = Tensor([0.25, 0.5, 0.9], requires_grad=True)
    t = np.array([1.0, 0.0, 1.0])
    plain = Tensor(t)
    for target in (plain, t, t.tolist()):
        p.grad = None
        F.binary_cross_entropy(p, target, reduction="sum").backward()
        np.testing.assert_allclose(p.grad, (p.data - t) / (p.data * (1 - p.data)))
    assert plain.grad is None


# --------------------------------------------------------------------------- autograd
@pytest.mark.parametrize("mode", [no_grad, enable_grad])
def test_an_exception_inside_a_grad_mode_block_propagates(mode):
    with pytest.raises(KeyError, match="inside"):
        with mode():
            raise KeyError("inside")
    x = Value(2.0)
    y = x * x                 # the mode was restored on the way out
    y.backward()
    assert x.grad == 4.0


def test_an_exception_inside_a_no_grad_decorated_function_propagates():
    @no_grad()
    def failing():
        raise ZeroDivisionError("from the function")

    with pytest.raises(ZeroDivisionError, match="from the function"):
        failing()


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_every_broadcasting_op_explains_broadcasting_in_its_shape_error(op):
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones(4))
    with pytest.raises(ValueError, match="Broadcasting compares shapes from the right"):
        eval(f"a {op} b")


def test_value_of_a_value_is_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"got a Value; use the Value itself, or Value\(v.data\)"):
        Value(Value(2.0))


def test_value_subtraction_from_an_unsupported_type_raises_type_error():
    for bad in ("a", [1.0], None):
        with pytest.raises(TypeError):
            bad - Value(1.0)


def test_value_fractional_power_at_zero_is_zero_with_infinite_slope():
    x = Value(0.0)
    y = x ** 0.5                  # allowed: only a negative base needs an integer power
    y.backward()
    assert y.data == 0.0 and x.grad == math.inf      # d√x/dx = 1/(2√x), as PyTorch


def test_value_power_overflow_has_the_sign_of_the_exact_result():
    assert (Value(0.5) ** -2001).data == math.inf     # a positive base: +inf, any exponent
    assert (Value(-10.0) ** 400).data == math.inf     # a negative base, even power
    assert (Value(-10.0) ** 401).data == -math.inf    # odd power


def test_anomaly_mode_is_reported_inside_and_restored_outside():
    from tinygrad_edu.autograd import detect_anomaly, is_anomaly_enabled
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_value_division_by_an_unsupported_type_raises_type_error():
    with pytest.raises(TypeError):
        Value(1.0) / "a"


def test_value_dot_names_the_element_that_is_not_a_number():
    with pytest.raises(TypeError, match="dot: every element must be a Value or a real number, "
                                        "got str: 'x'"):
        Value.dot([Value(1.0), Value(2.0)], [Value(3.0), "x"])
