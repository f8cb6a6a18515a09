"""Every course notebook gives the other language's term at the first use of each glossary word.

The terms come from GLOSSARY.md (the first table's first two columns); the text checked is
the notebook's markdown (its .py source, where the prose lives). English editions give the
Korean term at the first use of the English one, Korean editions (``ko/``) the English term at
the first use of the Korean one, and both editions of a chapter use the same terms.
"""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "demos" / "notebooks").glob("[0-9][0-9]_*.py"))
KOREAN = [p.parent / "ko" / p.name for p in NOTEBOOKS]
NEAR = 50      # characters: "모멘텀 (momentum)" or "momentum (모멘텀)"


def glossary():
    rows = []
    for line in (ROOT / "GLOSSARY.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.search("[가-힣]", cells[0]):
            korean = re.sub(r"\s*\(.*\)", "", cells[0])          # "상태 사전 (state_dict)"
            rows.append((korean, cells[1]))
    return rows


def markdown_of(py):
    """The prose of a notebook source: its markdown, without the chapter's bilingual title
    line and without the posts' titles in 「」 (names, not uses of a term)."""
    text, in_markdown = [], False
    for line in py.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif in_markdown and not line.startswith("# # "):
            text.append(line.lstrip("# "))
    return re.sub(r"「[^」]*」", "「」", " ".join(text))


def test_the_glossary_has_the_twenty_terms_of_the_issue():
    korean = {k for k, _ in glossary()}
    for term in ("경사하강법", "배치 경사하강법", "확률적 경사하강법", "미니배치 경사하강법", "학습률",
                 "손실함수", "수치 미분", "해석적 미분", "역전파", "연쇄 법칙", "모멘텀", "네스테로프",
                 "지수이동평균", "편향 보정", "가중치 감쇠", "학습률 스케줄링", "state_dict", "전이학습",
                 "안장점", "지역 최솟값", "헤시안", "조건수"):
        assert term in korean, term


@pytest.mark.parametrize("py", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_korean_term_at_first_use(py):
    text = markdown_of(py)
    missing = []
    for korean, english in glossary():
        match = re.search(r"(?<![\w-])" + re.escape(english) + r"(?![\w-])", text, re.IGNORECASE)
        if match is None:
            continue
        around = text[max(0, match.start() - NEAR):match.end() + NEAR]
        if korean not in around:
            missing.append(f"{english!r} first used without {korean!r}: …{around}…")
    assert not missing, "\n".join(missing)


def _first_korean(text, korean):
    return text.find(korean) if re.search("[가-힣]", korean) else -1


@pytest.mark.parametrize("py", KOREAN, ids=[p.stem for p in KOREAN])
def test_english_term_at_first_korean_use(py):
    assert py.exists(), f"ko/{py.name} is missing (the Korean edition of {py.stem})"
    text = markdown_of(py)
    missing = []
    for korean, english in glossary():
        start = _first_korean(text, korean)
        if start < 0:
            continue
        around = text[max(0, start - NEAR):start + len(korean) + NEAR]
        if not re.search(re.escape(english), around, re.IGNORECASE):
            missing.append(f"{korean!r} first used without {english!r}: …{around}…")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("py", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_both_editions_use_the_same_glossary_terms(py):
    korean_py = py.parent / "ko" / py.name
    assert korean_py.exists(), f"ko/{py.name} is missing (the Korean edition of {py.stem})"
    english_text, korean_text = markdown_of(py), markdown_of(korean_py)
    in_english = {k for k, e in glossary()
                  if re.search(r"(?<![\w-])" + re.escape(e) + r"(?![\w-])", english_text, re.I)}
    in_korean = {k for k, e in glossary() if _first_korean(korean_text, k) >= 0
                 or (not re.search("[가-힣]", k) and k in korean_text)}
    assert in_english <= in_korean, (f"ko/{py.name} never uses {sorted(in_english - in_korean)}, "
                                     f"which the English edition explains")


def test_the_korean_editions_say_기울기_and_name_the_posts_other_words_as_theirs():
    """기울기 is the course's word (GLOSSARY's second table); 그라디언트/그래디언트 appear only
    where a text says that a post (글) writes them so."""
    texts = {"README.ko.md": (ROOT / "README.ko.md").read_text(encoding="utf-8")}
    texts.update({f"ko/{p.name}": markdown_of(p) for p in KOREAN})
    bad = [f"{name}: …{text[max(0, m.start() - 30):m.end() + 10]}…"
           for name, text in texts.items() for m in re.finditer("그라디언트|그래디언트", text)
           if "글" not in text[max(0, m.start() - 20):m.start()]]
    assert not bad, "write 기울기 (GLOSSARY.md):\n" + "\n".join(bad)
