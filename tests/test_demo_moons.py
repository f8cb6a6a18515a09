"""The foundation demo: micrograd's MLP on two moons reaches >= 95% with SGD."""
import importlib.util
import os

import pytest

DEMO = os.path.join(os.path.dirname(__file__), os.pardir, "demos", "01_moons.py")


def load_demo():
    spec = importlib.util.spec_from_file_location("demo_01_moons", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_moons_demo_trains_to_95_percent_and_draws_the_boundary(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = load_demo().main(["--out", str(tmp_path)])
    assert result["accuracy"] >= 0.95
    assert result["history"]["loss"][-1] < result["history"]["loss"][0] / 3
    assert os.path.getsize(result["image"]) > 10_000
    assert "decision boundary written to" in capsys.readouterr().out


def test_moons_demo_stops_with_a_clear_message_when_the_loss_diverges(tmp_path):
    with pytest.raises(SystemExit, match="lower --lr"):
        load_demo().main(["--lr", "1e6", "--steps", "20", "--out", str(tmp_path)])
