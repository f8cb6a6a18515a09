"""The README's code sample runs and does what its comments say."""
import os
import re

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def test_the_taste_of_the_api_runs(capsys):
    text = open(README, encoding="utf-8").read()
    block = re.search(r"## A taste\n\n```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["loss"].item() < 0.2
    assert namespace["a"].grad != 0.0
    assert capsys.readouterr().out.startswith("loss ")


def test_the_two_commands_are_the_ones_ci_runs():
    text = open(README, encoding="utf-8").read()
    ci = open(os.path.join(os.path.dirname(README), ".ci", "run"), encoding="utf-8").read()
    commands = re.findall(r"```bash\n(.*?)\n```", text, re.S)
    assert any("demos/01_moons.py" in c for c in commands)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in ci


def test_the_pictures_snippet_runs(tmp_path, monkeypatch):
    import pytest
    pytest.importorskip("matplotlib")
    pytest.importorskip("graphviz")
    monkeypatch.chdir(tmp_path)
    text = open(README, encoding="utf-8").read()
    block = re.search(r"## Pictures: landscapes, paths and graphs\n\n```python\n(.*?)```",
                      text, re.S).group(1)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "race.png").stat().st_size > 10_000
    adam = namespace["paths"]["Adam"]
    banana = namespace["banana"]
    assert adam.shape == (501, 2) and banana(*adam[-1]) < banana(*adam[0]) / 10
    assert namespace["a"].grad != 0.0
