"""Demo 20 (Newton's method, exact Hessians, λmax by Hessian-vector products): its claims."""
import numpy as np
import pytest

from _demos import load_demo
from tinygrad_edu import Tensor
from tinygrad_edu.autograd.functional import hessian
from tinygrad_edu.landscapes import LANDSCAPES

demo = load_demo("20_newton.py")


def test_one_newton_step_reaches_the_minimum_of_a_quadratic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, 2))
    H = A @ A.T + 0.05 * np.eye(2)        # positive definite, condition number in the hundreds
    b = rng.standard_normal(2)

    def f(x, y):  # ½ pᵀHp + bᵀp, minimum at −H⁻¹b
        return (0.5 * (H[0, 0] * x * x + 2 * H[0, 1] * x * y + H[1, 1] * y * y)
                + b[0] * x + b[1] * y)

    path = demo.newton(f, (3.0, -4.0), steps=1)
    np.testing.assert_allclose(path[1], -np.linalg.solve(H, b), rtol=0, atol=1e-12)
    valley = LANDSCAPES["ill_conditioned"]
    assert np.abs(demo.newton(valley, valley.start, steps=1)[1]).max() < 1e-12


def test_exact_hessian_of_a_landscape_equals_the_formula():
    x, y = -1.5, 2.0   # Rosenbrock: [[2 − 400(y − 3x²), −400x], [−400x, 200]]
    _, H = demo.gradient_and_hessian(LANDSCAPES["rosenbrock"], (x, y))
    np.testing.assert_array_equal(H, [[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200]])


def test_newton_is_attracted_by_the_saddle_and_saddle_free_newton_escapes():
    saddle = LANDSCAPES["saddle"]
    plain = demo.newton(saddle, (2.0, 0.001), steps=5)
    np.testing.assert_allclose(plain[1:], 0.0, atol=1e-15)          # on the saddle, and stays
    free = demo.newton(saddle, (2.0, 0.001), steps=12, saddle_free=True)
    np.testing.assert_allclose(free[1:, 0], 0.0, atol=1e-15)        # x's minimum in one step
    np.testing.assert_allclose(free[:, 1], 0.001 * 2.0 ** np.arange(13))  # y doubles: escapes
    assert saddle(*free[-1]) < -16


def test_power_iteration_on_hvp_finds_the_largest_eigenvalue_of_a_small_model():
    model = demo.TinyMLP(points=16)
    theta = Tensor(model.initial())
    exact = np.linalg.eigvalsh(hessian(model, theta).data)
    assert exact[-1] > abs(exact[0])          # the largest in magnitude: power iteration finds it
    assert demo.power_iteration(model, theta, iterations=200) == pytest.approx(exact[-1],
                                                                              abs=1e-6)


def test_gradient_descent_converges_below_two_over_lambda_max_and_diverges_above():
    loss, X = demo.linear_regression()
    lam = np.linalg.eigvalsh(X.T @ X / len(X))[-1]
    assert demo.power_iteration(loss, Tensor(np.zeros(5)), iterations=100) == pytest.approx(
        lam, rel=1e-9)
    below, _ = demo.gradient_descent(loss, np.zeros(5), 0.9 * 2 / lam, steps=400)
    above, _ = demo.gradient_descent(loss, np.zeros(5), 1.1 * 2 / lam, steps=400)
    assert below[-1] < below[0] / 100 and np.all(np.diff(below) <= 1e-12)
    assert not np.isfinite(above[-1]) or above[-1] > 1e20


def test_demo_quick_runs_prints_its_story_and_draws(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = demo.main(["--quick", "--out", str(tmp_path)])
    assert max(result["hessian_differences"].values()) < 1e-4
    assert result["valley_newton_error"] < 1e-12
    assert result["valley_steps"]["Newton (1 step)"] == 1
    assert result["rosenbrock_steps"]["damped Newton"] <= 30
    assert result["rosenbrock_steps"]["Adam lr=0.02"] is None      # not within 300 steps
    np.testing.assert_allclose(result["saddle_newton_point"], 0.0, atol=1e-15)
    assert result["regression_lambda_power"] == pytest.approx(result["regression_lambda_exact"],
                                                              rel=1e-9)
    assert result["mlp_lambda_power"] == pytest.approx(result["mlp_lambda_exact"], abs=1e-6)
    assert result["eos_sharpness"].max() > result["eos_sharpness"][0]   # sharpening
    assert "the saddle" in capsys.readouterr().out
    assert result["image"].endswith("20_newton.png")


def test_an_mlp_trained_by_full_batch_gd_reaches_the_edge_of_stability():
    """What demo 20 reports: λmax starts well below 2/η, rises, and then hovers at 2/η."""
    lr = 0.2
    steps, sharpness, losses = demo.sharpness_during_training(demo.TinyMLP(), lr, 1500, 100,
                                                              iterations=20)
    assert sharpness[0] < 0.75 * 2 / lr
    settled = sharpness[steps >= 600]
    np.testing.assert_allclose(settled, 2 / lr, rtol=0.03)
    assert losses[-1] < losses[0] / 10
    assert np.any(np.diff(losses) > 0)       # not monotone: the loss spikes on the way
