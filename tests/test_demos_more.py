"""Demos 21-24 (schedules, transfer learning, the adaptive optimizers' insides, saddles in
high dimensions): each runs in-process, writes its picture, and its numbers show its claims —
checked against formulas worked out here, not against the demo's own printout."""
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


# ----------------------------------------------------------------------------- 21
def test_lr_schedules_quick_rates_follow_their_formulas(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo("21_lr_schedules.py").main(["--quick", "--out", str(tmp_path)])
    runs, T, lr = result["runs"], result["epochs"], result["base_lr"]
    t = np.arange(T)
    np.testing.assert_allclose(runs["constant"]["lrs"], lr)
    np.testing.assert_allclose(runs["StepLR"]["lrs"], lr * 0.3 ** (t // (T // 3)))
    np.testing.assert_allclose(runs["MultiStepLR"]["lrs"],
                               lr * 0.1 ** ((t >= T // 2).astype(int) + (t >= 3 * T // 4)))
    np.testing.assert_allclose(runs["ExponentialLR"]["lrs"], lr * 0.9 ** t)
    np.testing.assert_allclose(runs["CosineAnnealingLR"]["lrs"],
                               lr * (1 + np.cos(np.pi * t / T)) / 2, atol=1e-12)
    np.testing.assert_allclose(runs["LambdaLR (1/t)"]["lrs"], lr / (1 + t / 4))
    assert runs["warm-up + cosine"]["lrs"][0] == pytest.approx(lr / 10)
    one_cycle = np.array(runs["OneCycleLR"]["lrs"])
    assert one_cycle[0] == pytest.approx(3 * lr / 25)                  # max_lr / div_factor
    assert one_cycle.max() == pytest.approx(3 * lr, rel=0.05)           # up to 3η ...
    assert 0 < one_cycle.argmax() < T - 1 and one_cycle[-1] < lr / 5    # ... then down
    plateau = np.array(runs["ReduceLROnPlateau"]["lrs"])
    assert np.all(np.diff(plateau) <= 0)                                # only ever lowered
    assert all(min(abs(np.log(r / lr) / np.log(0.3) - k) for k in range(5)) < 1e-9
               for r in plateau)                                        # η·0.3^k
    starts = {run["losses"][0] for run in runs.values()}
    assert len(starts) == 1                                             # the same start
    assert image_size(result["image"]) == (1200, 640)
    assert "What to look at" in capsys.readouterr().out


def test_lr_schedules_full_run_decay_steadies_too_fast_freezes_one_cycle_wins(tmp_path):
    pytest.importorskip("matplotlib")
    runs = load_demo("21_lr_schedules.py").main(["--out", str(tmp_path)])["runs"]
    for steady in ["StepLR", "MultiStepLR", "CosineAnnealingLR", "warm-up + cosine"]:
        assert runs[steady]["wobble"] < runs["constant"]["wobble"] / 10, steady
    for frozen in ["ExponentialLR", "LambdaLR (1/t)"]:
        assert runs[frozen]["final_loss"] > 2 * runs["CosineAnnealingLR"]["final_loss"]
    assert runs["OneCycleLR"]["final_loss"] < runs["CosineAnnealingLR"]["final_loss"]
    assert runs["OneCycleLR"]["accuracy"] >= 0.97


# ----------------------------------------------------------------------------- 23
def test_adaptive_insides_quick_sum_only_shrinks_average_forgets_bias_correction(tmp_path,
                                                                                capsys):
    pytest.importorskip("matplotlib")
    demo = load_demo("23_adaptive_insides.py")
    result = demo.main(["--quick", "--out", str(tmp_path)])
    sizes = result["sizes"]
    assert sizes["AdaGrad"].shape == (result["steps"], 2)
    # AdaGrad divides by √(sum of g²): its step can only shrink, coordinate by coordinate
    assert np.all(np.diff(sizes["AdaGrad"], axis=0) <= 0)
    assert np.any(np.diff(sizes["RMSprop"], axis=0) > 0)     # an average can go back up
    for name, s in sizes.items():                             # the flat, quiet x: larger step
        assert np.all(s[:, 0] > s[:, 1]), name
    # Adam with bias correction moves exactly η per step on a constant gradient; without it
    # the steps are (1 − β₁ᵗ)/√(1 − β₂ᵗ) times larger (up to the ε in the denominator)
    t = np.arange(1, demo.ADAM_STEPS + 1)
    np.testing.assert_allclose(result["adam_with_correction"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(result["adam_without_correction"],
                               (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t), rtol=1e-6)
    ema = result["ema"]
    for beta in demo.BETAS:     # corrected = raw / (1 − βᵗ); raw starts at (1 − β)·g₁
        assert ema["raw"][beta][0] == pytest.approx((1 - beta) * ema["g"][0])
        assert ema["corrected"][beta][0] == pytest.approx(ema["g"][0])
    # the noise of an EMA of white noise: std √((1 − β)/(1 + β)); larger β, smoother
    std = ema["std"]
    assert std[0.99] < std[0.9] < std[0.5]
    for beta in demo.BETAS:
        assert std[beta] == pytest.approx(np.sqrt((1 - beta) / (1 + beta)), rel=0.2)
    # started at 0, the β = 0.99 average is far below the mean 1 for its first 50 steps
    # (expected 1 − 0.99ᵗ: 0.22 on average); the corrected one is not
    raw, corrected = ema["raw"][0.99][:50], ema["corrected"][0.99][:50]
    assert np.mean(raw) < 0.35 and np.mean(corrected) > 2 * np.mean(raw)
    assert image_size(result["image"]) == (1200, 460)
    assert "What to look at" in capsys.readouterr().out


def test_adaptive_insides_full_run_adagrad_heads_for_one_over_root_t_rmsprop_levels_off(
        tmp_path):
    pytest.importorskip("matplotlib")
    demo = load_demo("23_adaptive_insides.py")
    result = demo.main(["--out", str(tmp_path)])
    sizes, n = result["sizes"], result["steps"]
    quarter, end = n // 4 - 1, n - 1
    adagrad, rmsprop = sizes["AdaGrad"], sizes["RMSprop"]
    # 4× the steps: 1/√t would halve the step; AdaGrad's own early sum keeps it a bit above
    assert 1.6 < adagrad[quarter, 1] / adagrad[end, 1] <= 2.0
    # RMSprop levels off at about η / (the noise's std) in each coordinate
    np.testing.assert_allclose(rmsprop[end], demo.LR / demo.NOISE, rtol=0.25)
    assert 0.8 < rmsprop[quarter, 1] / rmsprop[end, 1] < 1.25


# ----------------------------------------------------------------------------- 22
def test_transfer_learning_quick_frozen_body_is_untouched_fresh_adam_moves_lr(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo("22_transfer_learning.py").main(["--quick", "--out", str(tmp_path)])
    runs, lr = result["runs"], result["lr"]
    frozen = runs["(c) frozen body"]
    assert frozen["body_moved"] == 0.0                       # requires_grad=False: no update
    assert frozen["task_a_accuracy"] == result["task_a_accuracy"]   # so A is kept exactly
    # the same pre-trained body and the same new head: the same start on B
    starts = {runs[k]["test_accuracy"][0] for k in list(runs)[:3]}
    assert len(starts) == 1
    # a fresh Adam's first step is lr·|g|/(|g| + ε): lr for every weight that has a gradient
    # (less only where |g| is as tiny as ε = 1e-8 allows)
    fresh = runs["(a) fresh optimizer"]["first_step"]
    moved = fresh[fresh > 0]
    assert moved.size > 0.5 * fresh.size
    assert np.all(moved <= lr * (1 + 1e-12)) and np.median(moved) == pytest.approx(lr, rel=1e-5)
    # with the loaded state the step is scaled by A's history: not lr for each weight
    loaded = runs["(b) body's optimizer state loaded"]["first_step"]
    assert np.median(np.abs(loaded - lr)) > lr / 10
    assert image_size(result["image"]) == (1200, 440)
    assert "What to look at" in capsys.readouterr().out


def test_transfer_learning_full_run_transfer_beats_scratch_and_fine_tuning_forgets(tmp_path):
    pytest.importorskip("matplotlib")
    result = load_demo("22_transfer_learning.py").main(["--out", str(tmp_path)])
    runs, early = result["runs"], result["early_index"]
    scratch = runs["(d) from scratch"]
    assert runs["(a) fresh optimizer"]["steps"][early] == 20
    for kind in ["(a) fresh optimizer", "(b) body's optimizer state loaded", "(c) frozen body"]:
        assert runs[kind]["test_accuracy"][early] > scratch["test_accuracy"][early] + 0.1, kind
        assert runs[kind]["test_loss"][-1] < scratch["test_loss"][-1], kind
    for kind in ["(a) fresh optimizer", "(b) body's optimizer state loaded"]:
        assert runs[kind]["task_a_accuracy"] < result["task_a_accuracy"] - 0.2, kind


# ----------------------------------------------------------------------------- 24
@pytest.fixture(scope="module")
def saddles_quick(tmp_path_factory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("demo24")
    demo = load_demo("24_saddles_in_high_dimensions.py")
    return demo, demo.main(["--quick", "--out", str(out)])


def test_saddles_random_hessians_minima_vanish_and_the_index_concentrates(saddles_quick):
    demo, result = saddles_quick
    m = result["matrices"]
    # n = 1: a coin toss; n = 2 (GOE): P(both eigenvalues > 0) = (2 − √2)/4 = 0.146
    assert m[1]["minima"] == pytest.approx(0.5, abs=0.05)
    assert m[2]["minima"] == pytest.approx((2 - math.sqrt(2)) / 4, abs=0.03)
    assert m[3]["minima"] < 0.125                         # already below the coin toss 1/2³
    assert all(m[n]["minima"] == 0 for n in demo.DIMENSIONS if n >= 8)
    for n in demo.DIMENSIONS:
        assert m[n]["minima"] + m[n]["maxima"] + m[n]["saddles"] == pytest.approx(1.0)
        assert m[n]["index"].mean() == pytest.approx(0.5, abs=0.03)
    stds = [m[n]["index"].std() for n in demo.DIMENSIONS]
    assert all(a > b for a, b in zip(stds, stds[1:]))     # ever more concentrated at 1/2
    assert m[50]["index"].std() < 0.03
    assert result["first_dimension_without_minima"] <= 8


def test_saddles_network_search_finds_saddles_with_honest_numbers(saddles_quick):
    demo, result = saddles_quick
    x, y = demo.data()
    loss_of = demo.make_loss(x, y)
    assert len(result["points"]) == len(demo.QUICK_TRAIN_STEPS)
    assert result["critical"], "the quick search should find a near-critical point"
    for p in result["critical"]:
        loss, gradient = demo.loss_and_gradient(loss_of, p["theta"])
        assert loss == pytest.approx(p["loss"], rel=1e-12)
        assert np.linalg.norm(gradient) == pytest.approx(p["gradient_norm"], rel=1e-9)
        assert np.linalg.norm(gradient) < demo.CRITICAL
        assert len(p["eigenvalues"]) == demo.N_PARAMETERS
        negative = np.sum(p["eigenvalues"] < -1e-6 * np.abs(p["eigenvalues"]).max())
        assert p["index"] == negative / demo.N_PARAMETERS
    assert any(p["index"] > 0 for p in result["critical"])          # saddles
    dropped = [p for p in result["points"] if p not in result["critical"]]
    assert all(not demo.is_critical(p) for p in dropped)
    assert image_size(result["image"]) == (1200, 440)


def test_saddles_hessian_vector_product_by_finite_differences_is_exact_on_a_quadratic():
    demo = load_demo("24_saddles_in_high_dimensions.py")
    from tinygrad_edu import Tensor
    rng = np.random.default_rng(3)
    A = rng.normal(size=(6, 6))
    A = A + A.T

    def quadratic(theta):                                  # ½ θᵀAθ: Hessian A everywhere
        return (theta * (Tensor(A) @ theta.reshape(6, 1)).reshape(6)).sum() * 0.5

    theta, v = rng.normal(size=6), rng.normal(size=6)
    np.testing.assert_allclose(demo.finite_difference_hvp(quadratic, theta, v), A @ v,
                               rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(demo.hessian(quadratic, theta), A, atol=1e-6)
    assert demo.hessian_vector_product in (demo.finite_difference_hvp, demo.exact_hvp)


def test_saddles_exact_hvp_agrees_with_finite_differences_when_available():
    pytest.importorskip("tinygrad_edu.autograd.functional",
                        reason="autograd.functional.hvp has not landed yet")
    demo = load_demo("24_saddles_in_high_dimensions.py")
    loss_of = demo.make_loss(*demo.data())
    rng = np.random.default_rng(4)
    theta, v = rng.normal(size=demo.N_PARAMETERS), rng.normal(size=demo.N_PARAMETERS)
    np.testing.assert_allclose(demo.exact_hvp(loss_of, theta, v),
                               demo.finite_difference_hvp(loss_of, theta, v), rtol=1e-5,
                               atol=1e-6)
