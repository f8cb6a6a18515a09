"""The foundation demo: micrograd's MLP on two moons reaches >= 95% with SGD."""
import os

import pytest

from _demos import load_demo


def test_moons_demo_trains_to_95_percent_and_draws_the_boundary(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo("01_moons.py").main(["--out", str(tmp_path)])
    assert result["accuracy"] >= 0.95
    assert result["history"]["loss"][-1] < result["history"]["loss"][0] / 3
    assert os.path.getsize(result["image"]) > 10_000
    assert "decision boundary written to" in capsys.readouterr().out


def test_moons_demo_stops_with_a_clear_message_when_the_loss_diverges(tmp_path):
    with pytest.raises(SystemExit, match="lower --lr"):
        load_demo("01_moons.py").main(["--lr", "1e6", "--steps", "20", "--out", str(tmp_path)])
