"""Story demos 16-19: each runs in-process, writes its picture, and shows what it claims."""
import math
import os

import numpy as np
import pytest

from _demos import load_demo


def image_size(path):
    """Pixel size of a written PNG (it must exist and not be empty)."""
    Image = pytest.importorskip("PIL.Image")
    assert os.path.getsize(path) > 5_000, path
    with Image.open(path) as image:
        return image.size


def test_local_minima_momentum_escapes_dimples_that_trap_sgd(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    demo = load_demo("16_local_minima.py")
    result = demo.main(["--out", str(tmp_path)])           # the full run takes ~0.5 s
    assert image_size(result["image"]) == (880, 416)
    assert os.path.dirname(result["image"]) == str(tmp_path)
    # plain SGD only goes downhill: every run ends in the dimple it started in ...
    assert result["stuck"]["SGD"] == 9
    # ... momentum escapes most of them (not the start low in its dimple)
    assert result["stuck"]["SGD momentum"] <= 2 < result["stuck"]["SGD"]
    assert result["mean_f"]["SGD momentum"] < result["mean_f"]["SGD"] / 3
    for row in result["runs"]:
        for name in ("SGD", "SGD momentum"):
            end = row[name]["end"]
            # settled in a local minimum: f as recorded, the gradient ~0 (curvature ~400 there)
            assert math.isclose(row[name]["f"], demo.LANDSCAPES["rastrigin"](*end))
            gradient = demo.LANDSCAPES["rastrigin"].gradient(*end)
            assert np.abs(gradient).max() < 1e-2          # it is ~40 at 0.1 from a minimum
    out = capsys.readouterr().out
    assert "9/9 runs stayed" in out and str(result["image"]) in out


@pytest.mark.parametrize("seed", [1, 2])
def test_local_minima_counts_do_not_depend_on_the_jitter(tmp_path, seed):
    pytest.importorskip("matplotlib")
    result = load_demo("16_local_minima.py").main(["--out", str(tmp_path), "--seed", str(seed)])
    assert result["stuck"]["SGD"] == 9 and result["stuck"]["SGD momentum"] <= 2


def test_local_minima_quick(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("16_local_minima.py").main(["--quick", "--out", str(tmp_path)])
    assert result["steps"] == 60 and image_size(result["image"]) == (880, 416)


def test_curvature_hessians_eigenvalues_and_runs(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo("17_curvature.py").main(["--out", str(tmp_path)])
    assert image_size(result["image"]) == (1120, 384)
    # exact Hessians (double backprop), with the finite-difference one as the check
    np.testing.assert_array_equal(result["saddle_hessian"], [[2, 0], [0, -2]])
    np.testing.assert_array_equal(result["valley_hessian"], [[0.1, 0], [0, 2]])
    assert 0 < result["hessian_check"] < 1e-6
    np.testing.assert_allclose(result["saddle_eigenvalues"], [-2, 2], atol=1e-5)
    np.testing.assert_allclose(np.abs(result["escape_direction"]), [0, 1], atol=1e-6)
    np.testing.assert_allclose(result["valley_eigenvalues"], [0.1, 2], atol=1e-5)
    assert result["condition_number"] == pytest.approx(20, rel=1e-4)
    assert result["lr_limit"] == pytest.approx(1.0, rel=1e-4)
    assert result["lr_sgd"] < result["lr_limit"]
    # Polyak's momentum from κ = 20: μ = ((√20 − 1)/(√20 + 1))², lr = 4/(√2 + √0.1)²
    assert result["momentum"] == pytest.approx(((20 ** 0.5 - 1) / (20 ** 0.5 + 1)) ** 2, rel=1e-4)
    assert result["lr_momentum"] == pytest.approx(4 / (2 ** 0.5 + 0.1 ** 0.5) ** 2, rel=1e-4)
    steps = result["valley_steps_to_tolerance"]
    sgd, momentum = (steps[k] for k in steps)          # inserted in this order
    assert momentum is not None and sgd is not None and momentum < sgd / 2
    # just above 2/λ_max plain SGD diverges: |y| grows from 2 by 1.1× per step
    assert abs(result["diverged_y"]) == pytest.approx(2 * 1.1 ** 20, rel=1e-4)
    # momentum escapes the saddle sooner than plain SGD
    escape = list(result["saddle_escape_steps"].values())
    assert escape[1] < escape[0]
    assert "condition number κ = 20.00" in capsys.readouterr().out


def test_curvature_quick(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("17_curvature.py").main(["--quick", "--out", str(tmp_path)])
    assert image_size(result["image"]) == (1120, 384)


@pytest.mark.parametrize("quick", [True, False])
def test_lr_range_test_suggests_a_rate_in_range_and_restores_the_weights(tmp_path, quick):
    pytest.importorskip("matplotlib")
    argv = ["--out", str(tmp_path)] + (["--quick"] if quick else [])
    result = load_demo("18_lr_range_test.py").main(argv)
    assert image_size(result["image"]) == (880, 336)
    assert result["start_lr"] <= result["suggestion"] <= result["end_lr"]
    assert result["suggestion"] in result["lrs"]
    assert result["restored_max_abs_diff"] == 0.0
    assert result["rates"]["suggestion x 10"] == pytest.approx(10 * result["suggestion"])
    if not quick:
        # the default seed's sweep: the suggestion beats ten times less and ten times more
        assert result["best"] == "suggestion"
        final = result["final_loss"]
        assert final["suggestion"] < 0.8 * min(final["suggestion / 10"],
                                               final["suggestion x 10"])


def test_optimizer_state_resume_exact_with_state_and_different_without(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    demo = load_demo("19_optimizer_state.py")
    result = demo.main(["--out", str(tmp_path)])
    assert image_size(result["image"]) == (640, 360)
    diff = result["max_abs_diff"]
    assert diff["(a) weights + optimizer state"] == 0.0
    assert diff["(b) weights only, fresh Adam"] > 1e-2
    curves = result["curves"]
    assert curves["(a) weights + optimizer state"] == curves["uninterrupted"]
    # the fresh Adam's first step (≈ lr per weight) makes the loss jump
    assert result["jump"] > 0 and curves["(b) weights only, fresh Adam"][result["stop"] + 1] \
        > 5 * curves["uninterrupted"][result["stop"] + 1]
    assert "0.0" in capsys.readouterr().out


def test_optimizer_state_quick(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("19_optimizer_state.py").main(["--quick", "--out", str(tmp_path)])
    assert result["steps"] == 20 and result["max_abs_diff"]["(a) weights + optimizer state"] == 0.0
    assert result["max_abs_diff"]["(b) weights only, fresh Adam"] > 0
    assert image_size(result["image"]) == (640, 360)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # the overflow we provoke on purpose
def test_optimizer_state_stops_with_a_message_on_non_finite_loss(tmp_path, monkeypatch):
    demo = load_demo("19_optimizer_state.py")
    monkeypatch.setattr(demo, "LR", 1e300)
    with pytest.raises(SystemExit, match="lower the learning rate"):
        demo.main(["--quick", "--out", str(tmp_path)])
