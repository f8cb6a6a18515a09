"""Demos tell their story when run: progress bars only on a terminal, and a few lines saying
what to look at, with the numbers that show it."""
import io
import sys

import pytest

from _demos import load_demo


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("filename", ["01_moons.py", "03_spirals_tensor_mlp.py",
                                      "05_digits.py"])
def test_progress_bar_only_when_stdout_is_a_terminal(filename, monkeypatch):
    tqdm = pytest.importorskip("tqdm")
    demo = load_demo(filename)
    monkeypatch.setattr(sys, "stdout", io.StringIO())          # piped to a file
    assert demo.progress(5) == range(5)
    monkeypatch.setattr(sys, "stdout", FakeTerminal())         # a terminal
    monkeypatch.setattr(sys, "stderr", io.StringIO())          # where tqdm draws
    bar = demo.progress(5)
    assert isinstance(bar, tqdm.tqdm) and list(bar) == list(range(5))
    assert "5/5" in sys.stderr.getvalue()


def test_piped_demo_output_has_no_progress_bar(tmp_path, capfd):
    pytest.importorskip("tqdm")
    load_demo("01_moons.py").main(["--quick", "--out", str(tmp_path)])
    out, err = capfd.readouterr()
    assert "it/s" not in out + err and "step/s" not in out + err and "%|" not in out + err
    assert "step   0  loss" in out                              # plain lines instead
