"""The course names the five posts: one table of them, the same everywhere, and no chapter
refers to "a post" or "the post" without saying which one.

The table (post number, title, subject → chapters and cells) is in README.md, README.ko.md and
the course introductions demos/notebooks/README.md and demos/notebooks/ko/README.md.
"""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "demos" / "notebooks"
TITLES = ["[Pytorch] - 경사하강법(Gradient Descent)", "[NN] 경사하강법 (Gradient Descent)",
          "[딥러닝 알아듣기] 3.7. 손실 함수의 다양한 최적화 기법", "Optimizer",
          "Optimizer 기초부터 알아보기"]
TABLES = {"README.md": "| post | title |", "README.ko.md": "| 글 | 제목 |",
          "demos/notebooks/README.md": "| post | title |",
          "demos/notebooks/ko/README.md": "| 글 | 제목 |"}
ENGLISH = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
KOREAN = [NOTEBOOKS / "ko" / p.name for p in ENGLISH]


def table(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    start = text.index(TABLES[path])
    return text[start:text.index("\n\n", start)].splitlines()


def markdown_cells(py):
    cells, current = [], None
    for line in py.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            current = [] if "[markdown]" in line else None
            if current is not None:
                cells.append(current)
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    return [" ".join(c) for c in cells]


@pytest.mark.parametrize("path", list(TABLES))
def test_the_post_table_names_each_post_by_number_and_title(path):
    rows = table(path)[2:]
    assert len(rows) == 5, f"{path}: the post table has {len(rows)} rows, not 5"
    word = "post" if TABLES[path].startswith("| post") else "글"
    for number, (row, title) in enumerate(zip(rows, TITLES), start=1):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == f"{word} {number}", (path, cells[0])
        assert f"「{title}」" in cells[1], (path, number, cells[1])
        assert re.search(r"(ch\. |)\d(장|)", cells[3]), (path, number, "no chapter named")


def test_the_tables_agree_within_each_language():
    assert table("README.md") == table("demos/notebooks/README.md")
    assert table("README.ko.md") == table("demos/notebooks/ko/README.md")


UNNAMED_EN = re.compile(r"\b(?:one|another|a|the other|the|that|this) post\b(?!\s*[1-5])"
                        r"|\bpost(?:'s)?\b(?!\s*[1-5])(?<!posts)", re.I)


@pytest.mark.parametrize("py", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_no_english_chapter_says_a_post_without_naming_it(py):
    bad = [m.group(0) + " …" + cell[max(0, m.start() - 40):m.end() + 40] + "…"
           for cell in markdown_cells(py) for m in UNNAMED_EN.finditer(cell)]
    assert not bad, (f"{py.name}: name the post (\"post 3\", with its title at first mention, "
                     f"as in the table in demos/notebooks/README.md):\n" + "\n".join(bad))


UNNAMED_KO = re.compile(r"(?:한|어떤|다른|또 다른|어느) 글(?!\s*[1-5])")
BARE_KO = re.compile(r"(?<![가-힣\w])글(?=[은는이가을를의도에과와]|에서)")


@pytest.mark.parametrize("py", KOREAN, ids=[p.stem for p in KOREAN])
def test_no_korean_chapter_says_a_post_without_naming_it(py):
    assert py.exists(), f"ko/{py.name} is missing"
    bad = []
    for cell in markdown_cells(py):
        bad += [f"…{cell[max(0, m.start() - 30):m.end() + 30]}…" for m in UNNAMED_KO.finditer(cell)]
        for m in BARE_KO.finditer(cell):            # "글은 …" must follow a "글 N" in its cell
            if not re.search(r"글 [1-5]", cell[:m.start()]):
                bad.append(f"…{cell[max(0, m.start() - 30):m.end() + 30]}…")
    assert not bad, (f"ko/{py.name}: 어느 글인지 번호로 밝혀 주세요 (\"글 3\", 처음 나올 때는 제목도; "
                     f"demos/notebooks/ko/README.md의 표):\n" + "\n".join(bad))


def test_the_checks_catch_an_unnamed_post():
    assert UNNAMED_EN.search("One post says SGD sees one sample")
    assert UNNAMED_EN.search("the post's batch loop")
    assert not UNNAMED_EN.search("post 3's batch loop, as the posts say")
    assert UNNAMED_KO.search("한 글에서는") and not UNNAMED_KO.search("다른 글 3에서는")
    assert BARE_KO.search("글은 두 번째 걸음에서") and not BARE_KO.search("이 글자는")
