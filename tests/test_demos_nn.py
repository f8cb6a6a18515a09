"""The Tensor demos: spirals (03) and digits (05) train to >= 95% and draw their pictures."""
import os
import sys

import pytest

from _demos import load_demo


@pytest.fixture
def spirals():
    return load_demo("03_spirals_tensor_mlp.py")


@pytest.fixture
def digits():
    return load_demo("05_digits.py")


def test_spirals_quick_run_draws_the_decision_boundary(spirals, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = spirals.main(["--quick", "--out", str(tmp_path)])
    assert len(result["history"]["loss"]) == 3
    assert os.path.getsize(result["image"]) > 10_000
    assert "decision boundary written to" in capsys.readouterr().out


def test_spirals_full_run_reaches_95_percent(spirals, tmp_path):
    result = spirals.main(["--out", str(tmp_path)])
    assert result["train_accuracy"] >= 0.95
    assert result["final_loss"] < result["history"]["loss"][0] / 5


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # the overflow we provoke on purpose
def test_spirals_stops_with_a_clear_message_when_the_loss_is_not_finite(spirals, tmp_path):
    with pytest.raises(SystemExit, match="lower --lr"):
        spirals.main(["--lr", "1e300", "--quick", "--out", str(tmp_path)])


def test_digits_full_run_reaches_95_percent_on_held_out_images(digits, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    result = digits.main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.95
    assert os.path.getsize(result["image"]) > 10_000


def test_digits_quick_run(digits, tmp_path):
    pytest.importorskip("sklearn")
    result = digits.main(["--quick", "--out", str(tmp_path)])
    assert len(result["history"]["loss"]) == 2 and 0 <= result["test_accuracy"] <= 1


def test_digits_without_scikit_learn_explains_how_to_install_it(digits, tmp_path, capsys,
                                                                monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)          # makes the import fail
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    result = digits.main(["--quick", "--out", str(tmp_path)])
    assert "skipped" in result
    assert "pip install scikit-learn" in capsys.readouterr().out
    assert not os.listdir(tmp_path)
