"""Every course notebook gives the Korean term at the first use of each glossary word.

The terms come from GLOSSARY.md (the table's first two columns); the text checked is
the notebook's markdown (its .py source, where the prose lives).
"""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "demos" / "notebooks").glob("[0-9][0-9]_*.py"))
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
    text, in_markdown = [], False
    for line in py.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif in_markdown:
            text.append(line.lstrip("# "))
    return " ".join(text)


def test_the_glossary_has_the_twenty_terms_of_the_issue():
    korean = {k for k, _ in glossary()}
    for term in ("경사하강법", "배치 경사하강법", "확률적 경사하강법", "미니배치 경사하강법", "학습률",
                 "손실함수", "수치 미분", "해석적 미분", "역전파", "연쇄 법칙", "모멘텀", "네스테로프",
                 "지수이동평균", "편향 보정", "가중치 감쇠", "학습률 스케줄링", "상태 사전", "전이학습",
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
