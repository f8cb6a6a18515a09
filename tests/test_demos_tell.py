"""Demos tell their story when run: progress bars only on a terminal, and a few lines saying
what to look at, with the numbers that show it."""
import io
import os
import re
import sys

import numpy as np
import pytest

from _demos import DEMOS, load_demo


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


DEMO_FILES = sorted(f for f in os.listdir(DEMOS) if re.fullmatch(r"\d+_\w+\.py", f))


def test_every_demo_says_what_to_look_at_in_its_source():
    """Cheap and complete: each demo prints a "What to look at" block (the quick runs of the
    demo tests below, and the ones in test_demos_story_*, check the printed numbers)."""
    for filename in DEMO_FILES:
        with open(os.path.join(DEMOS, filename), encoding="utf-8") as file:
            assert "What to look at" in file.read(), filename


@pytest.mark.parametrize("filename", ["01_moons.py", "02_gradcheck.py", "10_resume_exact.py",
                                      "12_numerical_vs_analytic.py", "14_learning_rate.py",
                                      "17_curvature.py"])
def test_demo_prints_its_story_with_numbers(filename, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    with np.errstate(over="ignore", invalid="ignore"):
        load_demo(filename).main(["--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    story = out[out.index("What to look at"):]
    assert 2 <= len(story.strip().splitlines()) <= 12          # a few lines, not a page
    assert re.search(r"\d", story), "the story should quote the numbers it is about"
