"""The functions behind the course notebooks' sliders and exercise checks."""
import pathlib
import sys

import numpy as np
import pytest

from tinygrad_edu import Value, optim
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


# ------------------------------------------------------------------- the exercise checker
MISTAKES = [(name, i) for name, ex in _course.EXERCISES.items() for i in range(len(ex.mistakes))]


@pytest.mark.parametrize("name, index", MISTAKES, ids=[f"{n}-{i}" for n, i in MISTAKES])
def test_every_typical_mistake_is_caught_with_its_hint(name, index):
    hint, wrong = _course.EXERCISES[name].mistakes[index]
    ok, message = _course.verdict(name, wrong)
    assert ok is False
    assert message.startswith(f"{name}: not right yet")
    assert message.endswith(f"Hint: {hint}"), message
    assert "\n" not in message


def test_check_prints_one_line_for_a_wrong_answer_and_raises_nothing(capsys):
    _course.check("ch7.cosine", lambda t, T, lr0, lr_min: lr0 * (1 + np.cos(np.pi * t / T)) / 2)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out
    assert "the library gives 0.001" in out and "tolerance 1e-12" in out
    assert "Hint: lr_min is missing" in out


def test_a_correct_answer_shows_the_largest_difference_and_the_tolerance(capsys):
    _course.check("ch7.cosine", lambda t, T, lr0, lr_min:
                  lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / T)) / 2)
    out = capsys.readouterr().out
    assert out.startswith("ch7.cosine: correct on 4 cases (largest difference ")
    assert out.rstrip().endswith("tolerance 1e-12)")


def test_epsilon_inside_the_root_is_named_not_passed_off_as_rounding():
    ok, message = _course.verdict("ch5.rmsprop", lambda *case: _rmsprop_by_hand(*case,
                                                                                inside=True))
    assert ok is False
    assert "off by 4.68e-08, more than the tolerance 1e-12" in message
    assert "ε inside the root" in message


def test_a_function_that_returns_nothing_is_told_so():
    def forgot_return(a, b, c):
        [2 * (a * b + c) * b, 2 * (a * b + c) * a, 2 * (a * b + c)]
    ok, message = _course.verdict("ch1.chain_rule", forgot_return)
    assert ok is False
    assert "your function returned nothing (None)" in message and "shape ()" not in message


def test_a_function_that_raises_is_reported_in_one_line():
    ok, message = _course.verdict("ch9.hessian", lambda a, b: [1, 2, 3][5])
    assert ok is False
    assert message == "ch9.hessian: your function raised IndexError: list index out of range " \
                      "(for input (1, 1))"


@pytest.mark.parametrize("answer, words", [
    (lambda a, b, c: [1.0, 2.0], "you returned shape (2,) ([1, 2]), the library gives shape (3,)"),
    (lambda a, b, c: "30, -20, -10", "you returned '30, -20, -10' (str), not numbers"),
    (lambda a, b, c: [np.nan, 0.0, 0.0], "which is not finite"),
])
def test_answers_of_the_wrong_kind_are_described(answer, words):
    ok, message = _course.verdict("ch1.chain_rule", answer)
    assert ok is False and words in message, message
    assert "Hint" not in message


def test_a_wrong_answer_that_is_no_typical_mistake_gets_no_hint():
    ok, message = _course.verdict("ch1.chain_rule", lambda a, b, c: [0.0, 0.0, 0.0])
    assert ok is False and "off by 30" in message and "Hint" not in message


def test_check_says_not_done_yet_for_an_unwritten_exercise(capsys):
    def unwritten(*args):
        raise NotImplementedError
    _course.check("ch4.nesterov_pytorch", unwritten)
    assert capsys.readouterr().out == ("ch4.nesterov_pytorch: not done yet — write the function "
                                       "above and run this cell again\n")


def test_the_graph_exercise_compares_edges_as_sets():
    right = [("a", "e"), ("b", "e"), ("e", "s"), ("c", "s"), ("s", "L")]
    assert _course.verdict("ch1.graph_edges", lambda: list(reversed(right)))[0] is True
    ok, message = _course.verdict("ch1.graph_edges", lambda: right[:-1] + [("e", "L")])
    assert ok is False
    assert "missing [('s', 'L')]; not in the graph [('e', 'L')]" in message
    ok, message = _course.verdict("ch1.graph_edges", lambda: 7)
    assert ok is False and "not a list of pairs" in message


def test_the_silu_exercise_runs_gradcheck_on_the_learners_node():
    sig = lambda x: 1 / (1 + np.exp(-x))
    right = lambda x: sig(x) * (1 + x * (1 - sig(x)))
    ok, message = _course.verdict("ch1.silu_derivative", right)
    assert ok is True and message.endswith("gradcheck of your silu node at x = -2, 0.7, 3: passes")
    assert _course._gradcheck_silu(sig).endswith("FAILS")
    silu = _course.silu_op(right)(Value(0.7))
    silu.backward()
    assert silu.op == "silu" and abs(silu.data - 0.7 * sig(0.7)) < 1e-15


def test_an_exercise_in_the_plain_tuple_form_still_works(monkeypatch):
    monkeypatch.setitem(_course.EXERCISES, "chX.square", (lambda x: x * x, [(2.0,), (3.0,)], 0))
    assert _course.verdict("chX.square", lambda x: x ** 2) == \
        (True, "chX.square: correct on 2 cases (largest difference 0.0e+00, tolerance 0)")
    assert _course.verdict("chX.square", lambda x: 2 * x)[0] is False


def test_the_posts_nesterov_is_caught():
    def post_nag(theta, grads, lr, mu):            # v ← μv − lr·g; θ ← θ + v (no look-ahead)
        theta, v = np.array(theta), 0.0
        for g in grads:
            v = mu * v - lr * np.array(g)
            theta = theta + v
        return theta
    ok, message = _course.verdict("ch4.nesterov_pytorch", post_nag)
    assert ok is False and "post 3's NAG" in message


def test_an_unknown_exercise_name_lists_the_exercises():
    with pytest.raises(KeyError, match=r"no exercise named 'ch1.chain'; the exercises are .*"
                                       r"'ch1.chain_rule'"):
        _course.verdict("ch1.chain", lambda: None)


# The learner's side, written here independently of _course.py: a right answer for each
# exercise, and each typical mistake as a learner would write it (so a change to the
# library's reference or to a mistake's formula in _course.py is noticed).
def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _cube_or_sin(name):
    return {"cube": lambda x: 2 * x ** 3, "sin": np.sin}[name]


def _nesterov_by_hand(theta, grads, lr, mu, look_ahead=True, momentum=True):
    theta, b = np.array(theta, dtype=float), None
    for g in map(np.array, grads):
        b = g if b is None else mu * b + g
        step = (g + mu * b if look_ahead else b) if momentum else g
        theta = theta - lr * step
    return theta


def _rmsprop_by_hand(theta, grads, lr, gamma, eps, inside=False, old=None, new=None):
    theta, h = np.array(theta, dtype=float), 0.0
    old = gamma if old is None else old
    new = 1 - gamma if new is None else new
    for g in map(np.array, grads):
        h = old * h + new * g * g
        theta = theta - lr * g / (np.sqrt(h + eps) if inside else np.sqrt(h) + eps)
    return theta


def _adam_by_hand(theta, grads, lr, wd, mode="adamw", correct=True, b1=0.9, b2=0.999,
                  eps=1e-8):
    theta, m, v = np.array(theta, dtype=float), 0.0, 0.0
    for t, g in enumerate(map(np.array, grads), start=1):
        if mode == "l2":
            g = g + wd * theta
        elif mode == "adamw":
            theta = theta - lr * wd * theta
        else:                                   # "wd": decays by wd, not lr·wd
            theta = theta * (1 - wd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if correct else (m, v)
        theta = theta - lr * mh / (np.sqrt(vh) + eps)
    return theta


def _adam_state_by_hand(grads, corrected=False, square=True):
    m = v = 0.0
    for g in map(np.array, grads):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * (g * g if square else g)
    t = len(grads)
    return [m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)] if corrected else [m, v]


RIGHT = {
    "ch1.chain_rule": lambda a, b, c: [2 * (a * b + c) * b, 2 * (a * b + c) * a, 2 * (a * b + c)],
    "ch1.graph_edges": lambda: [("a", "e"), ("b", "e"), ("e", "s"), ("c", "s"), ("s", "L")],
    "ch1.silu_derivative": lambda x: _sig(x) * (1 + x * (1 - _sig(x))),
    "ch2.central_difference": lambda n, x, h: (_cube_or_sin(n)(x + h)
                                               - _cube_or_sin(n)(x - h)) / (2 * h),
    "ch3.updates_per_epoch": lambda n, b, drop: n // b if drop else -(-n // b),
    "ch4.nesterov_pytorch": _nesterov_by_hand,
    "ch5.rmsprop": _rmsprop_by_hand,
    "ch6.adamw": _adam_by_hand,
    "ch7.cosine": lambda t, T, lr0, lo: lo + (lr0 - lo) * (1 + np.cos(np.pi * t / T)) / 2,
    "ch8.adam_state": _adam_state_by_hand,
    "ch9.hessian": lambda a, b: [-2 * b, 2 * a, max(a, b) / min(a, b)],
}

WRONG = [
    ("ch1.chain_rule", "outer derivative is missing", lambda a, b, c: [b, a, 1]),
    ("ch1.chain_rule", "factor 2 is missing",
     lambda a, b, c: [(a * b + c) * b, (a * b + c) * a, a * b + c]),
    ("ch1.chain_rule", "a and b swapped",
     lambda a, b, c: [2 * (a * b + c) * a, 2 * (a * b + c) * b, 2 * (a * b + c)]),
    ("ch1.graph_edges", "arrows point the wrong way",
     lambda: [("e", "a"), ("e", "b"), ("s", "e"), ("s", "c"), ("L", "s")]),
    ("ch1.silu_derivative", "that is σ(x) alone", _sig),
    ("ch1.silu_derivative", "that is x·σ′(x) alone", lambda x: x * _sig(x) * (1 - _sig(x))),
    ("ch1.silu_derivative", "tanh's rule", lambda x: _sig(x) + x * (1 - _sig(x) ** 2)),
    ("ch2.central_difference", "forward difference",
     lambda n, x, h: (_cube_or_sin(n)(x + h) - _cube_or_sin(n)(x)) / h),
    ("ch2.central_difference", "divide by 2h",
     lambda n, x, h: (_cube_or_sin(n)(x + h) - _cube_or_sin(n)(x - h)) / h),
    ("ch2.central_difference", "exact derivative",
     lambda n, x, h: 6 * x * x if n == "cube" else np.cos(x)),
    ("ch3.updates_per_epoch", "not a whole number", lambda n, b, drop: n / b),
    ("ch3.updates_per_epoch", "drop_last=True", lambda n, b, drop: -(-n // b)),
    ("ch3.updates_per_epoch", "still a step", lambda n, b, drop: n // b),
    ("ch4.nesterov_pytorch", "plain momentum",
     lambda *a: _nesterov_by_hand(*a, look_ahead=False)),
    ("ch4.nesterov_pytorch", "plain SGD", lambda *a: _nesterov_by_hand(*a, momentum=False)),
    ("ch5.rmsprop", "ε inside the root", lambda *a: _rmsprop_by_hand(*a, inside=True)),
    ("ch5.rmsprop", "γ and 1 − γ swapped",
     lambda th, gs, lr, gm, eps: _rmsprop_by_hand(th, gs, lr, gm, eps, old=1 - gm, new=gm)),
    ("ch5.rmsprop", "(1 − γ) is missing", lambda *a: _rmsprop_by_hand(*a, new=1.0)),
    ("ch6.adamw", "Adam with L2", lambda *a: _adam_by_hand(*a, mode="l2")),
    ("ch6.adamw", "lr·wd, not wd", lambda *a: _adam_by_hand(*a, mode="wd")),
    ("ch6.adamw", "bias correction is missing", lambda *a: _adam_by_hand(*a, correct=False)),
    ("ch7.cosine", "lr_min is missing",
     lambda t, T, lr0, lo: lr0 * (1 + np.cos(np.pi * t / T)) / 2),
    ("ch7.cosine", "π·t/T", lambda t, T, lr0, lo: lo + (lr0 - lo) * (1 + np.cos(t / T)) / 2),
    ("ch8.adam_state", "bias-corrected", lambda g: _adam_state_by_hand(g, corrected=True)),
    ("ch8.adam_state", "averages g², not g", lambda g: _adam_state_by_hand(g, square=False)),
    ("ch9.hessian", "differentiate twice", lambda a, b: [-b, a, max(a, b) / min(a, b)]),
    ("ch9.hessian", "compares sizes", lambda a, b: [-2 * b, 2 * a, -a / b]),
    ("ch9.hessian", "smallest eigenvalue first",
     lambda a, b: [2 * a, -2 * b, max(a, b) / min(a, b)]),
]


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_written_independently_is_correct(name):
    ok, message = _course.verdict(name, RIGHT[name])
    assert ok is True, message


@pytest.mark.parametrize("name, words, wrong", WRONG, ids=[f"{n}-{w}" for n, w, _ in WRONG])
def test_each_typical_mistake_as_a_learner_writes_it_gets_its_hint(name, words, wrong):
    ok, message = _course.verdict(name, wrong)
    assert ok is False
    assert "Hint: " in message and words in message.split("Hint: ")[1], message


def test_every_typical_mistake_has_a_learner_written_test():
    tested = {(name, words) for name, words, _ in WRONG}
    for name, exercise in _course.EXERCISES.items():
        for hint, _ in getattr(exercise, "mistakes", ()):
            if name in RIGHT:
                assert any(n == name and w in hint for n, w in tested), (name, hint)
