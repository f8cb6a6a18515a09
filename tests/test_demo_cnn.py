"""Demo 26: a small CNN learns the digits (quick run well above chance), beats demo 05's
MLP at full length as its docstring says, and draws its picture."""
import os
import sys

import pytest

from _demos import load_demo


@pytest.fixture
def demo():
    return load_demo("26_cnn_digits.py")


def test_quick_run_learns_the_digits_and_draws_the_filters(demo, tmp_path, capsys):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    result = demo.main(["--quick", "--out", str(tmp_path)])
    assert len(result["cnn"]) == len(result["mlp"]) == 3
    assert result["cnn_accuracy"] > 0.8          # chance is 0.1
    assert result["cnn_size"] == 1898 and result["mlp_size"] == 4810
    assert result["filters"].shape == (8, 3, 3) and result["feature_maps"].shape == (8, 8, 8)
    assert result["feature_maps"].min() >= 0     # after relu
    assert os.path.getsize(result["image"]) > 10_000
    out = capsys.readouterr().out
    assert "CNN: 1,898 weights" in out and "What to look at (26_cnn_digits.png)" in out


def test_full_run_beats_the_mlp_with_fewer_weights(demo, tmp_path):
    pytest.importorskip("sklearn")
    result = demo.main(["--out", str(tmp_path)])
    assert result["cnn_accuracy"] >= 0.975
    assert result["cnn_accuracy"] > result["mlp_accuracy"] + 0.005


def test_without_scikit_learn_it_explains_how_to_install_it(demo, tmp_path, capsys,
                                                             monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    result = demo.main(["--quick", "--out", str(tmp_path)])
    assert "skipped" in result and "pip install scikit-learn" in capsys.readouterr().out
    assert not os.listdir(tmp_path)
