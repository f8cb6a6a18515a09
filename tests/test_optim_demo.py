"""Demo 04 (the optimizer race): every optimizer runs from the same start on the same batches."""
import math
import os

import pytest

from _demos import load_demo


@pytest.fixture
def demo():
    return load_demo("04_optimizers_mlp.py")


def test_quick_run_trains_every_optimizer_from_the_same_start(demo, tmp_path, capsys):
    result = demo.main(["--quick", "--out", str(tmp_path)])
    assert list(result["table"]) == list(demo.OPTIMIZERS)
    starts = {curve[0] for curve in result["curves"].values()}
    assert len(starts) == 1                        # the same initial weights for everyone
    for label, curve in result["curves"].items():
        assert len(curve) == 3 and all(math.isfinite(x) for x in curve), label
        assert curve[-1] < curve[0], label         # two epochs already lower the loss
    out = capsys.readouterr().out
    assert "final loss" in out and "Lion" in out
    if "image" in result:
        assert os.path.getsize(result["image"]) > 10_000


def test_adaptive_methods_beat_plain_sgd_and_runs_are_reproducible(demo, tmp_path):
    first = demo.main(["--epochs", "20", "--out", str(tmp_path)])
    table = first["table"]
    assert table["Adam"]["loss"] < table["SGD"]["loss"] / 2
    assert table["SGD momentum"]["loss"] < table["SGD"]["loss"]
    again = demo.main(["--epochs", "20", "--out", str(tmp_path)])
    assert again["curves"] == first["curves"]      # same seed: the same numbers


def test_loss_picture_is_small_multiples_with_every_optimizer_once(demo, tmp_path):
    """Thirteen curves on one panel hid each other: one panel per family, at most four each."""
    pytest.importorskip("matplotlib")
    curves = {label: [1.0, 0.5, 0.25 + i / 100] for i, label in enumerate(demo.OPTIMIZERS)}
    seen = [label for members in demo.FAMILIES.values() for label in members]
    assert sorted(seen) == sorted(demo.OPTIMIZERS)            # each exactly once
    assert all(len(members) <= 4 for members in demo.FAMILIES.values())
    path = tmp_path / "loss.png"
    demo.plot(curves, str(path), dpi=50)
    from PIL import Image
    with Image.open(path) as image:
        assert image.size == (600, 210)
