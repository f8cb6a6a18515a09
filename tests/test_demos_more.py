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
