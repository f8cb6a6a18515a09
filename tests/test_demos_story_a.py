"""The story demos 11-15 in quick mode: they run, draw pictures of the promised size, and the
numbers they return show what their text claims (checked against theory, not their output)."""
import math
import os

import numpy as np
import pytest

from _demos import load_demo


def image_size(path):
    """(width, height) of a PNG/GIF that exists and is not empty."""
    Image = pytest.importorskip("PIL.Image")
    assert os.path.getsize(path) > 1000, path
    with Image.open(path) as image:
        return image.size


# ----------------------------------------------------------------------------- 11
def test_chain_rule_demo_matches_the_hand_derivation_and_draws_both_graphs(tmp_path, capsys):
    pytest.importorskip("graphviz")
    result = load_demo("11_chain_rule_graph.py").main(["--quick", "--out", str(tmp_path)])
    a, b, c, d = 2.0, -1.5, 3.5, -2.0
    t = math.tanh(a * b + c)
    assert result["L"] == pytest.approx(t * d, abs=1e-15)
    # ∂L/∂a = d·(1 − t²)·b, independently of the demo's own hand derivation
    assert result["grads"]["a"]["autograd"] == pytest.approx(d * (1 - t * t) * b, abs=1e-12)
    assert result["grads"]["b"]["autograd"] == pytest.approx(d * (1 - t * t) * a, abs=1e-12)
    assert result["grads"]["d"]["autograd"] == pytest.approx(t, abs=1e-12)
    assert result["max_difference"] < 1e-12
    before = (tmp_path / "11_graph_before_backward.gv").read_text()
    after = (tmp_path / "11_graph_after_backward.gv").read_text()
    assert "not computed yet" in before and "not computed yet" not in after
    assert f"grad {d * (1 - t * t) * b:.4f}" in after       # a's box shows its gradient
    out = capsys.readouterr().out
    assert "graph after backward() written to" in out
    if result["rendered"]:                                   # the `dot` program is installed
        width, height = image_size(tmp_path / "11_graph_after_backward.png")
        assert width > 2 * height                            # laid out left to right


def test_chain_rule_demo_without_dot_prints_the_install_hint_and_continues(
        tmp_path, capsys, monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", "")                           # no `dot` to be found
    result = load_demo("11_chain_rule_graph.py").main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert result["rendered"] is False
    assert "apt-get install graphviz" in out
    assert (tmp_path / "11_graph_after_backward.gv").exists()
    assert not (tmp_path / "11_graph_after_backward.png").exists()


# ----------------------------------------------------------------------------- 12
def test_numerical_vs_analytic_demo_shows_the_error_slopes_and_agreeing_gradients(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("12_numerical_vs_analytic.py").main(["--quick", "--out", str(tmp_path)])
    assert result["central_error_at_1e-4"] < result["forward_error_at_1e-4"] / 1000
    # truncation error: forward ~ ε·f''/2 with f''(1) = 2e·cos 1; central ~ ε²·f'''/6
    assert result["forward_error_at_1e-4"] == pytest.approx(1e-4 * math.e * math.cos(1), rel=0.01)
    assert result["forward_slope"] == pytest.approx(1.0, abs=0.05)
    assert result["central_slope"] == pytest.approx(2.0, abs=0.05)
    assert result["roundoff_slope"] < -0.7                    # the rise at small ε
    assert 1e-10 <= result["best_eps_forward"] <= 1e-6
    assert 1e-7 <= result["best_eps_central"] <= 1e-3
    assert [r["n"] for r in result["timings"]] == [10, 30, 100]
    assert all(r["max_difference"] < 1e-6 for r in result["timings"])
    assert image_size(result["image"]) == (1300, 500)


# ----------------------------------------------------------------------------- 13
def test_batch_vs_sgd_demo_full_batch_reaches_the_least_squares_line(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("13_batch_vs_sgd.py").main(["--quick", "--out", str(tmp_path)])
    runs, best = result["runs"], result["least_squares_loss"]
    assert best == pytest.approx(result["noise_variance"], rel=0.25)   # noise 0.5 → MSE ≈ 0.25
    full = runs["full batch"]
    assert full["final_loss"] < 1.03 * best
    assert full["weight"] == pytest.approx(result["true_weight"], abs=0.1)
    assert full["bias"] == pytest.approx(result["true_bias"], abs=0.1)
    # updates per epoch: 1, n and ceil(n / 16), over the 25 quick epochs
    assert [runs[k]["updates"] for k in runs] == [25, 2500, 25 * 7]
    # after one epoch the small batches are much further along than the single full step
    assert runs["stochastic (batch 1)"]["per_epoch"][1] < full["per_epoch"][1] / 5
    # full-batch GD on a convex quadratic with η below 2/curvature: every update lowers the
    # loss; batch 1 never settles: a single point's gradient raises the full loss often
    assert np.all(np.diff(full["per_update"]) <= 1e-12)
    rises = np.diff(runs["stochastic (batch 1)"]["per_update"][-500:]) > 0
    assert rises.mean() > 0.2
    assert image_size(result["image"]) == (1300, 500)


def test_batch_vs_sgd_demo_stops_clearly_when_the_loss_overflows(tmp_path):
    with pytest.raises(SystemExit, match="learning rate 50.0 is too large"):
        with np.errstate(over="ignore", invalid="ignore"):
            load_demo("13_batch_vs_sgd.py").main(["--quick", "--lr", "50", "--out",
                                                  str(tmp_path)])


# ----------------------------------------------------------------------------- 14
def test_learning_rate_demo_too_small_right_too_large(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo("14_learning_rate.py").main(["--quick", "--out", str(tmp_path)])
    parabola = result["parabola"]
    for run in parabola.values():   # x_k = (1 − 2η)^k · x₀ exactly (up to rounding)
        k = np.arange(len(run["path"]))
        expected = (1 - 2 * run["lr"]) ** k * run["path"][0]
        np.testing.assert_allclose(run["path"], expected, rtol=1e-12, atol=1e-300)
    assert not parabola["too small"]["diverged"] and parabola["too small"]["final_abs_x"] > 1
    assert parabola["about right"]["final_abs_x"] < 1e-6
    assert parabola["too large"]["diverged"]
    mlp = result["mlp"]
    assert mlp["too large"]["diverged_at"] is not None
    assert "is too large" in mlp["too large"]["message"]
    assert all(math.isfinite(v) for v in mlp["too large"]["losses"])   # drawn up to there
    assert mlp["too small"]["message"] is None and mlp["about right"]["message"] is None
    small, right = mlp["too small"]["losses"], mlp["about right"]["losses"]
    assert small[0] == right[0]                                        # same start
    assert right[-1] < small[-1] < small[0]
    out = capsys.readouterr().out
    assert "the learning rate 2.0 is too large" in out
    assert image_size(result["image"]) == (1300, 460)


# ----------------------------------------------------------------------------- 15
def test_optimizer_race_demo_draws_every_landscape_and_momentum_leaves_the_saddle_first(
        tmp_path):
    pytest.importorskip("matplotlib")
    demo = load_demo("15_optimizer_race.py")
    result = demo.main(["--quick", "--out", str(tmp_path)])
    steps = demo.QUICK_STEPS
    assert set(result["paths"]) == {"saddle", "ill_conditioned", "rosenbrock"}
    for name, paths in result["paths"].items():
        assert len(paths) == 9
        for path in paths.values():
            assert path.shape == (steps + 1, 2) and np.isfinite(path).all()
    saddle = result["tables"]["saddle"]
    # y grows by (1 + 2η) per SGD step; momentum accelerates, Adam normalises the tiny gradient
    assert saddle["SGD"]["abs_y"] == pytest.approx(0.001 * 1.1 ** steps, rel=1e-9)
    assert saddle["Momentum"]["abs_y"] > saddle["SGD"]["abs_y"]
    assert saddle["Adam"]["abs_y"] > 10 * saddle["SGD"]["abs_y"]
    assert image_size(result["image"]) == (1200, 1150)
    assert image_size(result["surface_image"]) == (700, 550)
    for name in result["paths"]:
        assert image_size(result["images"][name]) == (600, 560)
        assert image_size(result["gifs"][name]) == (600, 560)


def test_optimizer_race_small_multiples_keep_every_path_distinct_and_legends_off_the_data():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex
    demo = load_demo("15_optimizer_race.py")
    paths = {name: {opt: np.zeros((2, 2)) + LANDSCAPES_START[name] for opt in demo.OPTIMIZERS}
             for name in demo.RACES}
    figure = demo.plot_race(paths, plt)
    panels = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 9 and len(figure.axes) == 9 + 3     # a colour bar per landscape row
    colour_of = {}
    for ax in panels:
        drawn = {line.get_label(): to_hex(line.get_color()) for line in ax.lines
                 if line.get_label() in demo.OPTIMIZERS}
        assert 1 <= len(drawn) <= 3                           # a family per panel
        assert len(set(drawn.values())) == len(drawn)         # distinct within the panel
        for name, colour in drawn.items():                    # one colour per optimizer
            assert colour_of.setdefault(name, colour) == colour
    assert len(set(colour_of.values())) == 9                  # ... and all nine differ
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    for ax in panels:
        if ax.get_legend() is not None:                       # above the top row
            assert ax.get_legend().get_window_extent(renderer).y0 \
                >= ax.get_window_extent(renderer).y1
    plt.close(figure)


LANDSCAPES_START = {"saddle": (2.0, 0.001), "ill_conditioned": (-7.0, 2.0),
                    "rosenbrock": (-1.5, 2.0)}


@pytest.mark.parametrize("name", ["saddle", "rosenbrock"])
def test_optimizer_race_full_length_characters(name):
    """The claims of the docstring at full length (no pictures: runs only, ~0.3 s)."""
    from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer
    demo = load_demo("15_optimizer_race.py")
    steps, rates = demo.RACES[name]
    rows = {opt: demo.summarise(LANDSCAPES[name],
                                run_optimizer(LANDSCAPES[name], demo.OPTIMIZERS[opt](lr), steps))
            for opt, lr in rates.items()}
    if name == "saddle":   # SGD lingers on the ridge longest; momentum and Adam leave sooner
        assert rows["SGD"]["escape_step"] > 2 * rows["Momentum"]["escape_step"]
        assert rows["SGD"]["escape_step"] > 2 * rows["Adam"]["escape_step"]
    else:                  # momentum and Adam reach (1, 1); SGD and AdaGrad are still crawling
        for fast in ["Momentum", "Nesterov", "Adam", "AdaBelief"]:
            assert rows[fast]["distance"] < 0.1, fast
        for slow in ["SGD", "AdaGrad"]:
            assert rows[slow]["distance"] > 1.0, slow
        assert 0.3 < rows["AdamW"]["distance"]   # weight decay moved its resting point
