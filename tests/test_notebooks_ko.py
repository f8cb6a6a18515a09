"""The Korean edition of the course: same code as the English, the English run's outputs.

Each chapter ``demos/notebooks/NN_name.py`` has a Korean edition ``demos/notebooks/ko/NN_name.py``
whose code cells are byte-identical to the English ones, in the same order; only markdown
differs. ``tools/run_notebooks.py`` executes the English once and writes both ``.ipynb``
files, copying the outputs code cell by code cell. ``tests/test_notebooks.py`` re-executes the
English and compares; here (nothing executed) the Korean ``.ipynb`` must carry exactly the
committed English outputs, so it is re-checked through them.
"""
import importlib.util
import pathlib
import re

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupytext")

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

SOURCES = runner.sources()
NAMES = [p.stem for p in SOURCES]
FIX = ("write the Korean markdown in demos/notebooks/ko/, keep the code cells as in the English "
       "source, then run `python tools/run_notebooks.py --ko-only NAME` (or without --ko-only "
       "when the code changed) and commit both .ipynb")
HANGUL = re.compile(r"[가-힣]")


def markdown_cells(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def prose(nb):
    """The markdown a reader reads, without code spans, links' targets and HTML tags."""
    text = "\n".join(markdown_cells(nb))
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<[^>]+>", " ", text)


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_has_a_korean_edition_with_the_same_code(name):
    english = runner.NOTEBOOKS / f"{name}.py"
    korean = runner.korean_source(english)
    assert korean.exists(), f"{name} has no Korean edition ko/{name}.py: {FIX}"
    problem = runner.code_mismatch(runner.read_source(english), runner.read_source(korean))
    assert problem is None, f"ko/{name}.py: {problem}\n{FIX}"


@pytest.mark.parametrize("name", NAMES)
def test_the_korean_notebook_carries_the_english_runs_outputs(name):
    ko_py = runner.KOREAN / f"{name}.py"
    ko_ipynb, en_ipynb = ko_py.with_suffix(".ipynb"), runner.NOTEBOOKS / f"{name}.ipynb"
    assert ko_py.exists() and ko_ipynb.exists(), f"ko/{name}.ipynb is missing: {FIX}"
    korean = nbformat.read(ko_ipynb, as_version=4)
    english = nbformat.read(en_ipynb, as_version=4)
    assert runner.cell_sources(korean) == runner.cell_sources(runner.read_source(ko_py)), \
        f"ko/{name}.ipynb: cells differ from ko/{name}.py: {FIX}"
    ko_out = [c.outputs for c in korean.cells if c.cell_type == "code"]
    en_out = [c.outputs for c in english.cells if c.cell_type == "code"]
    assert len(ko_out) == len(en_out), f"ko/{name}.ipynb: {len(ko_out)} code cells, " \
                                       f"the English {len(en_out)}: {FIX}"
    for i, (k, e) in enumerate(zip(ko_out, en_out)):
        assert k == e, f"ko/{name}.ipynb, code cell {i}: outputs are not the English run's: {FIX}"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "solutions"])
def test_korean_headings_for_check_it_yourself_and_the_exercises(name):
    english = "\n".join(markdown_cells(runner.read_source(runner.NOTEBOOKS / f"{name}.py")))
    korean = "\n".join(markdown_cells(runner.read_source(runner.KOREAN / f"{name}.py")))
    headings = lambda text, words: len(re.findall(r"^#+ .*" + words, text, re.M | re.I))
    assert headings(korean, "직접 확인해 보기") == headings(english, "check it yourself"), \
        f"ko/{name}.py: each English 'Check it yourself' heading is '직접 확인해 보기' in Korean"
    assert headings(korean, "연습 문제") == headings(english, "exercise") >= 1, \
        f"ko/{name}.py: each English 'Exercise' heading is '연습 문제' in Korean"


@pytest.mark.parametrize("name", NAMES)
def test_the_korean_prose_is_korean(name):
    text = prose(runner.read_source(runner.KOREAN / f"{name}.py"))
    hangul, latin = len(HANGUL.findall(text)), len(re.findall(r"[A-Za-z]", text))
    assert hangul >= latin, (f"ko/{name}.py: {hangul} Hangul characters against {latin} Latin "
                             f"letters in the prose; write the explanations in Korean (English "
                             f"terms once, in parentheses, at first use)")


def test_the_english_prose_is_english():
    for name in NAMES:
        text = prose(runner.read_source(runner.NOTEBOOKS / f"{name}.py"))
        hangul, latin = len(HANGUL.findall(text)), len(re.findall(r"[A-Za-z]", text))
        assert latin > 3 * hangul, f"{name}.py: the English edition reads mostly Korean"


# --------------------------------------------------------------------- the builder itself
def _write(path, cells):
    import jupytext
    nb = nbformat.v4.new_notebook(cells=cells)
    jupytext.write(nb, path, fmt="py:percent")


def test_the_builder_copies_the_english_outputs_into_the_korean_cells(tmp_path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    (tmp_path / "ko").mkdir()
    _write(tmp_path / "x.py", [md("# Title"), code("print(1)"), md("text"), code("y = 2\ny")])
    _write(tmp_path / "ko" / "x.py", [md("# 제목"), code("print(1)"), md("설명"), md("더"),
                                      code("y = 2\ny")])
    english = runner.read_source(tmp_path / "x.py")
    english.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    english.cells[3].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                                       execution_count=2)]
    korean = runner.korean_edition(english, tmp_path / "ko" / "x.py")
    assert [c.source for c in korean.cells] == ["# 제목", "print(1)", "설명", "더", "y = 2\ny"]
    assert korean.cells[1].outputs == english.cells[1].outputs
    assert korean.cells[4].outputs == english.cells[3].outputs
    english.cells[1].outputs[0].text = "changed\n"        # a copy, not the same object
    assert korean.cells[1].outputs[0].text == "1\n"


@pytest.mark.parametrize("korean_code, message", [
    (["print(1)", "y = 3"], "code cell 1 differs"),
    (["print(1)"], "the English edition has 2 code cells, the Korean 1"),
    (["print(1)", "y = 2", "z = 1"], "the English edition has 2 code cells, the Korean 3"),
    (["print( 1)", "y = 2"], "code cell 0 differs"),
])
def test_the_builder_refuses_a_korean_edition_whose_code_differs(tmp_path, korean_code, message):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    (tmp_path / "ko").mkdir()
    _write(tmp_path / "x.py", [md("# T"), code("print(1)"), code("y = 2")])
    _write(tmp_path / "ko" / "x.py", [md("# 제목")] + [code(s) for s in korean_code])
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        runner.korean_edition(runner.read_source(tmp_path / "x.py"), tmp_path / "ko" / "x.py")
    assert "copy them from" in str(error.value)


def test_the_korean_notebooks_import_the_shared_helpers(monkeypatch):
    """ko/_course.py is the one copy of ../_course.py that a Korean notebook imports."""
    import sys
    spec = importlib.util.spec_from_file_location("_course_ko", runner.KOREAN / "_course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.insert(0, str(runner.NOTEBOOKS))
    try:
        import _course
    finally:
        sys.path.remove(str(runner.NOTEBOOKS))
    assert set(module.EXERCISES) == set(_course.EXERCISES)
    assert set(module.__all__) == set(_course.__all__)
    assert all(hasattr(module, name) for name in _course.__all__)


def test_ko_only_rebuilds_the_korean_notebook_from_the_committed_english_one(tmp_path,
                                                                               monkeypatch,
                                                                               capsys):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    (tmp_path / "ko").mkdir()
    _write(tmp_path / "01_x.py", [md("# One"), code("print(1)")])
    _write(tmp_path / "ko" / "01_x.py", [md("# 하나"), code("print(1)")])
    english = runner.read_source(tmp_path / "01_x.py")
    english.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nbformat.write(english, tmp_path / "01_x.ipynb")
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    monkeypatch.setattr(runner, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(runner, "KOREAN", tmp_path / "ko")
    monkeypatch.setattr(runner, "execute", lambda *a: pytest.fail("--ko-only must not execute"))
    runner.main(["--ko-only", "01"])
    korean = nbformat.read(tmp_path / "ko" / "01_x.ipynb", as_version=4)
    assert [c.source for c in korean.cells] == ["# 하나", "print(1)"]
    assert korean.cells[1].outputs == english.cells[1].outputs
    assert "ko/01_x.ipynb: outputs of the English run" in capsys.readouterr().out


def test_a_korean_notebook_run_from_its_own_folder_finds_the_helpers(tmp_path):
    """A learner opens ko/NN_name.ipynb in Jupyter, whose kernel starts in ko/: the chapter's
    `import _course` must work there too (ko/_course.py loads ../_course.py)."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import _course\n_course.check('ch1.chain_rule', lambda a, b, c: "
        "[2 * (a * b + c) * b, 2 * (a * b + c) * a, 2 * (a * b + c)])")])
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(runner.KOREAN)}}).execute(
        env=runner.kernel_env())
    printed = runner.text_outputs(nb)[0][0][1]
    assert printed.startswith("ch1.chain_rule: correct on 3 cases"), printed


def _exercise_numbers(name, pattern):
    text = "\n".join(markdown_cells(runner.read_source(name)))
    return re.findall(pattern, text, re.M)


EN_EXERCISE, KO_EXERCISE = r"^#+ Exercise (\d+(?:-\d+)?)\b", r"^#+ 연습 문제 (\d+(?:-\d+)?)\b"


def test_exercise_numbers_are_unique_and_the_same_in_both_editions_and_the_solutions():
    """A learner asking about "Exercise 2" means one exercise, in either language."""
    english, korean = [], []
    for name in NAMES:
        if name == "solutions":
            continue
        en = _exercise_numbers(runner.NOTEBOOKS / f"{name}.py", EN_EXERCISE)
        ko = _exercise_numbers(runner.KOREAN / f"{name}.py", KO_EXERCISE)
        assert en == ko, f"{name}: exercises numbered {en} in English, {ko} in ko/{name}.py"
        english += en
        korean += ko
    repeated = sorted({n for n in english if english.count(n) > 1})
    assert not repeated, f"exercise numbers used twice: {repeated}; number a chapter's several " \
                         f"exercises N-1, N-2, ..."
    solved_en = _exercise_numbers(runner.NOTEBOOKS / "solutions.py", r"^## (\d+(?:-\d+)?)\. ")
    solved_ko = _exercise_numbers(runner.KOREAN / "solutions.py",
                                  r"^## \d+장 연습 문제 (\d+(?:-\d+)?)\. ")
    assert solved_en == english, f"solutions.py's headings {solved_en}, the exercises {english}"
    assert solved_ko == korean, f"ko/solutions.py's headings {solved_ko}, the exercises {korean}"
