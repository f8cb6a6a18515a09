"""The course's experiments (``demos/notebooks/_tasks.py``) and the sliders' controls.

The chapters print what these functions return; the numbers pinned here are those printed,
with tolerances taken from the spread over seeds (or exact where the run is deterministic).
"""
import math
import pathlib
import sys

import numpy as np
import pytest

from tinygrad_edu import optim

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "demos" / "notebooks"))
import _course  # noqa: E402
import _tasks  # noqa: E402

sys.path.pop(0)

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def chapter4_5():
    return _tasks.compare_on_digits(["SGD", "Momentum", "Nesterov", "Adam", "AdamW"])


def test_digits_split_is_fixed_and_holds_out_a_quarter():
    X, y, X_val, y_val = _tasks.digits()
    assert X.shape == (1348, 64) and X_val.shape == (449, 64)
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert set(np.unique(y_val)) == set(range(10))


def test_every_optimizer_starts_from_the_same_weights_and_batches():
    a = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["SGD"], seed=1, epochs=0)["model"]
    b = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["Adam"], seed=1, epochs=0)["model"]
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    # the same optimizer with the same seed reproduces its run exactly (same batches)
    r1 = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["SGD"], seed=1, epochs=2)
    r2 = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["SGD"], seed=1, epochs=2)
    assert r1["val_loss"] == r2["val_loss"]
    r3 = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["SGD"], seed=2, epochs=2)
    assert r1["val_loss"] != r3["val_loss"]


def test_digits_comparison_matches_the_chapters_numbers(chapter4_5):
    # the printed means; tolerances ≈ 3× each row's std over the three seeds
    want = {"SGD": (0.936, 0.269), "Momentum": (0.950, 0.157), "Nesterov": (0.956, 0.147),
            "Adam": (0.961, 0.183), "AdamW": (0.960, 0.189)}
    for name, (acc, loss) in want.items():
        r = chapter4_5[name]
        assert r["val_accuracy"].shape == (3, _tasks.EPOCHS)
        assert r["val_accuracy"][:, -1].mean() == pytest.approx(acc, abs=0.03), name
        assert r["val_loss"][:, -1].mean() == pytest.approx(loss, abs=0.05), name
    # what the chapter says: momentum beats plain SGD's loss on every seed
    assert np.all(chapter4_5["Momentum"]["val_loss"][:, -1] < chapter4_5["SGD"]["val_loss"][:, -1])


def test_summary_table_prints_mean_and_std_over_seeds():
    results = {"X": {"val_accuracy": np.array([[0.5, 0.9], [0.5, 0.7]]),
                     "val_loss": np.array([[1.0, 0.2], [1.0, 0.4]])}}
    table = _tasks.summary_table(results)
    assert "over 2 seeds" in table
    row = table.splitlines()[1]
    assert "80.0% ± 10.0" in row and "0.300 ± 0.100" in row


def test_adam_family_on_digits():
    r = _tasks.compare_on_digits(["Adam", "RAdam", "Lion"])
    acc = {n: r[n]["val_accuracy"][:, -1].mean() for n in r}
    assert acc["Adam"] == pytest.approx(0.961, abs=0.02)
    assert acc["RAdam"] == pytest.approx(0.909, abs=0.02)      # its warm-up costs early epochs
    assert acc["Lion"] == pytest.approx(0.934, abs=0.03)
    assert acc["RAdam"] < acc["Adam"]


def test_a_schedule_is_stepped_once_per_epoch():
    from tinygrad_edu.optim import lr_scheduler
    r = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["Momentum"], seed=0, epochs=4,
                            schedule=lambda o, n: lr_scheduler.CosineAnnealingLR(o, T_max=n))
    want = [0.05 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(4)]
    np.testing.assert_allclose(r["learning_rates"], want, rtol=0, atol=1e-15)


def test_schedules_on_digits_the_chapters_numbers():
    from tinygrad_edu.optim import lr_scheduler
    cosine = lambda opt, epochs: lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    r = _tasks.compare_on_digits(
        ["Momentum + cosine", "Adam + cosine"], schedules={"Momentum + cosine": cosine,
                                                           "Adam + cosine": cosine},
        optimizers={"Momentum + cosine": _tasks.DIGITS_OPTIMIZERS["Momentum"],
                    "Adam + cosine": _tasks.DIGITS_OPTIMIZERS["Adam"]})
    acc = {n: r[n]["val_accuracy"][:, -1] for n in r}
    assert acc["Momentum + cosine"].mean() == pytest.approx(0.958, abs=0.015)
    assert acc["Momentum + cosine"].std() < 0.01            # the spread shrinks (± 1.2 without)
    assert acc["Adam + cosine"].mean() == pytest.approx(0.931, abs=0.015)   # it hurts Adam here


def test_exact_resume_is_zero_and_weights_only_drifts():
    r = _tasks.resume_on_digits()
    assert r["steps_before"] == 3 * 43
    exact = r["model + optimizer + loader"]
    assert np.all(exact["distance"] == 0.0)
    assert exact["val_loss"] == r["uninterrupted"]["val_loss"]
    for how in ("model + loader", "model only"):
        d = r[how]["distance"]
        assert d[0] > 1e-3 and d[-1] > 10 * d[0]             # it drifts, and keeps drifting
        # but its loss is about as good: what is lost is the run, not the quality
        assert abs(r[how]["val_loss"] - r["uninterrupted"]["val_loss"]) < 0.05


def test_resume_through_a_file_is_the_same(tmp_path):
    path = tmp_path / "digits.ckpt"
    on_disk = _tasks.resume_on_digits(epochs=4, stop_after=2, path=str(path))
    in_memory = _tasks.resume_on_digits(epochs=4, stop_after=2)
    assert path.exists()
    assert np.all(on_disk["model + optimizer + loader"]["distance"] == 0.0)
    np.testing.assert_array_equal(on_disk["model + loader"]["distance"],
                                  in_memory["model + loader"]["distance"])


def test_transfer_numbers():
    r = _tasks.transfer_on_digits(seed=0)
    assert set(r) == {"from scratch", "pre-trained, new Adam", "pre-trained, old Adam state"}
    assert r["from scratch"] == pytest.approx(0.922, abs=1e-3)
    assert r["pre-trained, new Adam"] == pytest.approx(0.900, abs=1e-3)
    means = {how: np.mean([_tasks.transfer_on_digits(s)[how] for s in (0, 1, 2)]) for how in r}
    # the chapter's honest finding: pre-training on 0–4 does not beat scratch on 5–9
    assert means["from scratch"] == pytest.approx(0.941, abs=0.005)
    assert means["pre-trained, new Adam"] <= means["from scratch"]


def test_noise_experiment_full_batch_never_leaves_its_starting_basin():
    r = _tasks.noise_experiment(batch_sizes=(None,), runs=200, steps=1500)
    assert r[None]["noise"] == 0.0
    assert r[None]["global"] == r[None]["started"]


def test_noise_experiment_the_chapters_numbers():
    constant = _tasks.noise_experiment()
    annealed = _tasks.noise_experiment(anneal=True)
    # full batch: only the runs that start in the global basin end there (11%)
    assert constant[None]["global"] == pytest.approx(0.1125)
    # noise of std 60 (batch 4) at a constant rate: about twice as many (25%)
    assert constant[4]["global"] == pytest.approx(0.25, abs=0.04)
    assert constant[4]["noise"] == 60.0
    # ... but noise also knocks runs out of the global basin: a third stay (std 60), a sixth (120)
    assert constant[None]["stayed"] == 1.0
    assert constant[4]["stayed"] == pytest.approx(0.36, abs=0.1)
    assert constant[1]["stayed"] == pytest.approx(0.16, abs=0.08)
    # the largest noise at a constant rate keeps kicking runs out: the mean loss is worst
    assert constant[1]["final_loss"] > 2 * constant[None]["final_loss"]
    # annealed, the noisiest runs end lowest on average
    assert annealed[1]["final_loss"] < annealed[None]["final_loss"] - 1.5
    # another seed (other data, other starts) tells the same story
    other = _tasks.noise_experiment(anneal=True, seed=1)
    assert other[1]["global"] > other[None]["global"]


def test_rastrigin_gradient_is_the_derivative():
    x = np.linspace(-3, 3, 13)
    h = 1e-6
    numeric = (_tasks.rastrigin(x + h) - _tasks.rastrigin(x - h)) / (2 * h)
    np.testing.assert_allclose(_tasks.rastrigin_gradient(x), numeric, atol=1e-5)
    assert _tasks.rastrigin(0.0) == 0.0


@pytest.mark.parametrize("kappa", [5.0, 20.0, 100.0])
def test_measured_rates_match_theory_at_the_best_settings(kappa):
    lam_min = 0.1
    H = _tasks.quadratic([lam_min, kappa * lam_min])
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [lam_min, kappa * lam_min])
    best = _tasks.optimal_settings(lam_min, kappa * lam_min)
    gd, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["gd_lr"]))
    mom, _ = _tasks.measured_rate(H, lambda p: optim.SGD(p, lr=best["momentum_lr"],
                                                         momentum=best["momentum"]))
    assert gd == pytest.approx(_tasks.gd_rate(kappa), abs=1e-6)
    # momentum's best point is a double eigenvalue: ‖w‖ ~ t·rᵗ, so over steps 200..300 the
    # measured rate is r·(300/200)^(1/100) ≈ r·1.004
    assert mom == pytest.approx(_tasks.momentum_rate(kappa), rel=6e-3)
    assert mom < gd


def test_direction_rates_explain_chapter_4s_valley():
    # f = x²/20 + y²: curvatures 0.1 and 2, lr 0.1
    assert _tasks.direction_rates(0.1, 0.1) == pytest.approx(0.99)
    assert _tasks.direction_rates(2.0, 0.1) == pytest.approx(0.8)
    assert 7 * 0.99 ** 60 == pytest.approx(3.83, abs=0.01)            # SGD's distance after 60
    for lam in (0.1, 2.0):                                            # complex pair: √μ
        assert _tasks.direction_rates(lam, 0.1, 0.9) == pytest.approx(math.sqrt(0.9))


def test_rate_formulas():
    assert _tasks.gd_rate(1.0) == 0.0 and _tasks.momentum_rate(1.0) == 0.0
    assert _tasks.gd_rate(100.0) == pytest.approx(99 / 101)
    assert _tasks.momentum_rate(100.0) == pytest.approx(9 / 11)
    best = _tasks.optimal_settings(1.0, 100.0)
    assert best == pytest.approx({"gd_lr": 2 / 101, "momentum_lr": 4 / 121,
                                  "momentum": (9 / 11) ** 2})


def test_figures_draw():
    figure = _tasks.rates_figure(kappas=(2, 20), measured={2: (0.33, 0.17), 20: (0.9, 0.63)})
    assert len(figure.axes[0].lines) == 4
    figure = _tasks.convergence_figure(20.0, steps=20)
    assert figure.axes[0].get_title() == "κ = 20"


def test_kappa_slider_redraws():
    pytest.importorskip("ipywidgets")
    slider = _tasks.kappa_explorer(10.0)
    assert slider.result == 10.0
    slider.children[0].value = 100.0
    assert slider.result == 100.0


@pytest.mark.parametrize("name,value", [("ch4.saddle_sgd_y3", 0.001 * 1.2 ** 3),
                                        ("ch4.saddle_momentum_y3", 0.002322),
                                        ("ch5.adam_first_step", 0.1 * 1e-3 / (1e-3 + 1e-8)),
                                        ("ch6.adamw_idle_weight", (1 - 0.001) ** 100)])
def test_predictions_have_the_right_answers(name, value, capsys):
    assert _tasks.predict(name, value) == pytest.approx(value, rel=1e-9)
    assert f"{name}: right" in capsys.readouterr().out


def test_prediction_messages(capsys):
    assert _tasks.predict("ch4.saddle_sgd_y3", None) is None
    assert "write your prediction" in capsys.readouterr().out
    _tasks.predict("ch4.saddle_sgd_y3", 0.0013)          # (1 + η) instead of (1 + 2η)
    out = capsys.readouterr().out
    assert "you said 0.0013" in out and "Hint: each SGD step multiplies y by (1 + 2η)" in out
    _tasks.predict("ch4.saddle_sgd_y3", 0.0017281)         # rounding is fine
    assert "right" in capsys.readouterr().out


def test_sliders_have_a_steps_control_and_redraw_with_none_chosen():
    pytest.importorskip("ipywidgets")
    sliders = _course.explore("saddle", names=("SGD",), lr=0.001, steps=20)
    steps = sliders.children[3]
    assert steps.description == "steps"
    steps.value = 500
    assert sliders.result["SGD"].shape == (501, 2)
    np.testing.assert_array_equal(sliders.result["SGD"],
                                  _course.optimizer_path("saddle", "SGD", 0.001, steps=500))
    sliders.children[2].value = ()                      # deselect every optimizer
    assert sliders.result == {}


def test_small_multiples_legend_sits_below_the_x_labels():
    figure = _course.small_multiples("saddle", ("SGD", "Momentum"), lrs=(0.01, 0.1), steps=10)
    assert all(ax.get_legend() is None for ax in figure.axes)
    (legend,) = figure.legends
    figure.canvas.draw() if hasattr(figure.canvas, "draw") else None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(figure).get_renderer()
    box = legend.get_window_extent(renderer)
    for ax in figure.axes:
        label = ax.xaxis.label.get_window_extent(renderer)
        assert box.y1 <= label.y0 + 1, (box, label)


def test_digits_curves_plot_the_mean_and_the_band_per_epoch():
    results = {"A": {"val_loss": np.array([[1.0, 0.5, 0.25], [3.0, 1.5, 0.75]]),
                     "val_accuracy": np.array([[0.5, 0.6, 0.7], [0.7, 0.8, 0.9]])}}
    figure = _tasks.plot_digits_curves(results, "title")
    loss_ax, acc_ax = figure.axes
    (loss_line,), (acc_line,) = loss_ax.lines, acc_ax.lines
    np.testing.assert_array_equal(loss_line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(loss_line.get_ydata(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose(acc_line.get_ydata(), [0.6, 0.7, 0.8])
    band = acc_ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.5) and band[:, 1].max() == pytest.approx(0.9)
    assert loss_ax.get_yscale() == "log" and acc_ax.get_yscale() == "linear"
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["A"]
    assert figure._suptitle.get_text() == "title"
    assert (loss_ax.get_xlabel(), acc_ax.get_ylabel()) == ("epoch", "validation accuracy")


def test_weights_only_resume_differs_by_the_batch_order_too():
    # "model only" also loses the loader's position, so its batches come in another order:
    # it drifts differently from "model + loader" (with one fixed order they would coincide)
    r = _tasks.resume_on_digits(epochs=4, stop_after=2)
    assert not np.array_equal(r["model only"]["distance"], r["model + loader"]["distance"])


def test_transfer_with_the_old_adam_state_is_a_different_run():
    r = _tasks.transfer_on_digits(seed=0)
    assert r["pre-trained, old Adam state"] == pytest.approx(0.905, abs=1e-3)
    assert r["pre-trained, old Adam state"] != r["pre-trained, new Adam"]


def test_the_quadratic_is_turned_by_thirty_degrees():
    H = _tasks.quadratic([1.0, 4.0])
    values, vectors = np.linalg.eigh(H)
    np.testing.assert_allclose(values, [1.0, 4.0])
    angle = math.degrees(math.atan2(vectors[1, 0], vectors[0, 0])) % 180
    assert angle == pytest.approx(30.0)


@pytest.mark.parametrize("lam,lr,mu", [(2.0, 0.1, 0.1), (0.5, 0.3, 0.05), (1.0, 1.5, 0.0),
                                       (0.1, 0.1, 0.9)])
def test_direction_rates_match_a_run_of_sgd_along_that_direction(lam, lr, mu):
    # real eigenvalues (small μ) as well as the complex pair: the rate is the run's
    H = np.diag([lam, lam])
    make = (lambda p: optim.SGD(p, lr=lr, momentum=mu)) if mu else (lambda p: optim.SGD(p, lr=lr))
    measured, _ = _tasks.measured_rate(H, make, steps=200, window=100)
    assert measured == pytest.approx(_tasks.direction_rates(lam, lr, mu), rel=0.02)


def test_convergence_figure_draws_the_runs_and_the_theory_from_the_same_start():
    figure = _tasks.convergence_figure(20.0, steps=30)
    ax = figure.axes[0]
    gd, mom, gd_theory, mom_theory = ax.lines
    np.testing.assert_array_equal(gd.get_xdata(), np.arange(31))
    assert gd_theory.get_ydata()[0] == gd.get_ydata()[0] == pytest.approx(math.sqrt(2))
    assert mom_theory.get_ydata()[0] == mom.get_ydata()[0]
    np.testing.assert_allclose(gd_theory.get_ydata()[1:] / gd_theory.get_ydata()[:-1],
                               _tasks.gd_rate(20.0))
    np.testing.assert_allclose(mom_theory.get_ydata()[1:] / mom_theory.get_ydata()[:-1],
                               _tasks.momentum_rate(20.0))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "distance to the minimum")
    assert ax.get_yscale() == "log"


def test_train_digits_defaults_to_seed_0():
    a = _tasks.train_digits(_tasks.DIGITS_OPTIMIZERS["SGD"], epochs=0)["model"]
    b = _tasks.new_digits_model(0)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_kappa_slider_without_ipywidgets_says_how_to_get_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)      # import ipywidgets fails
    assert _tasks.kappa_explorer() is None
    assert "pip install -e '.[notebooks]'" in capsys.readouterr().out
