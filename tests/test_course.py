"""The functions behind the course notebooks' sliders and exercise checks."""
import pathlib
import sys

import numpy as np
import pytest

from tinygrad_edu import optim
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "demos" / "notebooks"))
import _course  # noqa: E402

sys.path.pop(0)


def test_optimizer_path_is_the_library_run_with_the_slider_values():
    path = _course.optimizer_path("saddle", "Momentum", lr=0.05, momentum=0.8, steps=30)
    want = run_optimizer(LANDSCAPES["saddle"], lambda p: optim.SGD(p, lr=0.05, momentum=0.8),
                         steps=30)
    np.testing.assert_array_equal(path, want)
    assert path.shape == (31, 2)


def test_momentum_slider_changes_the_path_and_nesterov_at_zero_is_sgd():
    a = _course.optimizer_path("ill_conditioned", "Nesterov", lr=0.1, momentum=0.0, steps=20)
    b = _course.optimizer_path("ill_conditioned", "SGD", lr=0.1, steps=20)
    c = _course.optimizer_path("ill_conditioned", "Nesterov", lr=0.1, momentum=0.9, steps=20)
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 0.1


@pytest.mark.parametrize("name", sorted(_course.OPTIMIZERS))
def test_every_slider_optimizer_runs_and_escapes_the_saddle_along_y(name):
    lr = 0.002 if name == "Lion" else 0.05
    path = _course.optimizer_path("saddle", name, lr=lr, momentum=0.9, steps=200)
    assert np.isfinite(path).all()
    assert abs(path[-1, 1]) > abs(path[0, 1])          # y moves away from 0: a saddle


def test_unknown_optimizer_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Adam"):
        _course.make_optimizer("adam", 0.1)


def test_pictures_have_a_panel_per_learning_rate():
    figure = _course.small_multiples("saddle", ("SGD", "Adam"), lrs=(0.01, 0.1), steps=10)
    titled = [ax for ax in figure.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["lr = 0.01, momentum = 0.9",
                                                "lr = 0.1, momentum = 0.9"]
    assert len(titled[0].lines) >= 2


def test_sliders_redraw_the_path_for_new_values():
    pytest.importorskip("ipywidgets")
    sliders = _course.explore("saddle", names=("SGD",), lr=0.05, steps=20)
    lr, mu, chosen = sliders.children[:3]
    assert (lr.description, mu.description, chosen.description) == ("lr", "momentum", "optimizer")
    first = sliders.result["SGD"].copy()
    lr.value = 0.2                                      # moving a slider re-runs the function
    second = sliders.result["SGD"]
    np.testing.assert_array_equal(second, _course.optimizer_path("saddle", "SGD", 0.2, steps=20))
    assert not np.array_equal(first, second)
    chosen.value = ("SGD", "Adam")
    assert set(sliders.result) == {"SGD", "Adam"}


def test_check_accepts_right_answers_and_names_a_wrong_one(capsys):
    _course.check("ch7.cosine", lambda t, T, lr0, lr_min:
                  lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / T)) / 2)
    assert "ch7.cosine: correct" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="the library gives"):
        _course.check("ch7.cosine", lambda t, T, lr0, lr_min: lr0 * (1 + np.cos(np.pi * t / T)) / 2)


def test_check_says_not_done_yet_for_an_unwritten_exercise(capsys):
    def unwritten(*args):
        raise NotImplementedError
    _course.check("ch4.nesterov_pytorch", unwritten)
    assert "not done yet" in capsys.readouterr().out


def test_check_catches_the_posts_nesterov_written_in_place_of_pytorchs():
    def post_nag(theta, grads, lr, mu):            # v ← μv − lr·g; θ ← θ + v (no look-ahead)
        theta, v = np.array(theta), 0.0
        for g in grads:
            v = mu * v - lr * np.array(g)
            theta = theta + v
        return theta
    with pytest.raises(AssertionError):
        _course.check("ch4.nesterov_pytorch", post_nag)
