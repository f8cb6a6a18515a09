"""The ``tinygrad-edu`` command: list the demos, run one by name, explain a bad name."""
import ast
import os
import re
import subprocess
import sys

import pytest

from tinygrad_edu.__main__ import choose, find_demos, main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_FILES = sorted(f for f in os.listdir(os.path.join(REPO, "demos"))
                    if re.fullmatch(r"\d+_\w+\.py", f))


def first_docstring_line(filename):
    with open(os.path.join(REPO, "demos", filename), encoding="utf-8") as file:
        return ast.get_docstring(ast.parse(file.read())).strip().splitlines()[0]


def test_list_shows_every_demo_with_its_first_docstring_line(capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert len(DEMO_FILES) >= 5
    for filename in DEMO_FILES:
        line = next(line for line in listed.splitlines() if f" {filename[:-3]} " in line)
        assert line.endswith(first_docstring_line(filename)), line
    assert main([]) == 0  # no command: the same list
    assert capsys.readouterr().out == listed


def test_demo_names_by_name_number_stem_and_prefix():
    demos = [("01", "moons", "a"), ("04", "optimizers_mlp", "b"), ("15", "optimizer_race", "c"),
             ("03", "spirals_tensor_mlp", "d")]
    for query, expected in [("moons", "a"), ("1", "a"), ("01", "a"), ("01_moons.py", "a"),
                            ("optimizer_race", "c"), ("Optimizer-Race", "c"), ("15", "c"),
                            ("race", "c"), ("optimizers", "b"), ("spirals", "d"),
                            ("tensor", "d")]:
        assert choose(query, demos)[2] == expected, query
    with pytest.raises(LookupError, match="ambiguous.*04_optimizers_mlp.*15_optimizer_race"):
        choose("optimizer", demos)
    with pytest.raises(LookupError, match="no demo is called 'nope'"):
        choose("nope", demos)


def test_unknown_or_ambiguous_name_exits_nonzero_with_the_list(capsys):
    assert main(["demo", "no_such_demo"]) != 0
    error = capsys.readouterr().err
    assert "no_such_demo" in error and "Choose one of" in error
    for filename in DEMO_FILES:
        assert filename[:-3] in error


def test_demo_moons_quick_writes_its_picture(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "moons", "--quick", "--out", str(tmp_path)]) == 0
    assert "01_moons" in capsys.readouterr().out
    pictures = [f for f in os.listdir(tmp_path) if f.endswith(".png")]
    assert pictures
    with open(tmp_path / pictures[0], "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"


def test_python_dash_m_lists_the_demos(tmp_path):
    # from another folder: the installed package finds its demos, not the current directory
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "list"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert all(f[:-3] in done.stdout for f in DEMO_FILES)


def test_every_subpackage_ships():
    """pyproject.toml lists the packages by hand (for the demos mapping): none may be missing."""
    with open(os.path.join(REPO, "pyproject.toml"), encoding="utf-8") as file:
        listed = set(re.findall(r'"(tinygrad_edu[\w.]*)"', file.read()))
    package_root = os.path.join(REPO, "tinygrad_edu")
    on_disk = {"tinygrad_edu." + os.path.relpath(root, package_root).replace(os.sep, ".")
               for root, _, files in os.walk(package_root)
               if "__init__.py" in files and root != package_root}
    assert on_disk | {"tinygrad_edu", "tinygrad_edu.demos"} <= listed
    assert os.path.isfile(os.path.join(REPO, "demos", "__init__.py"))
    assert [number for number, _, _ in find_demos()] == [f.split("_")[0] for f in DEMO_FILES]
