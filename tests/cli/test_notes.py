"""`datatool notes export/import` and `datatool report --final`, run as the operator runs them,
on a real SQLite file: the auditor's words reach the HTML and the PDF in both languages, a bad
draft stores nothing, and the final version is refused in one language and made again
identical."""

from __future__ import annotations

import asyncio
import io
import re
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli.main import main
from storage.opening import open_database
from tests.reports.test_document import powys_people
from tests.support.cli_env import operator_env
from tests.support.reports import add_people

WORDS = {
    "en": "Leaders in Powys speak of data but the strategy is still a draft.",
    "cy": "Mae arweinwyr Powys yn sôn am ddata ond drafft yw'r strategaeth o hyd.",
}
CLOSE = {"en": "We will return to this in 2027.", "cy": "Byddwn yn dychwelyd at hyn yn 2027."}
REWORD = {
    "en": "Publish the data strategy by April.",
    "cy": "Cyhoeddi'r strategaeth ddata erbyn Ebrill.",
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return operator_env(tmp_path, monkeypatch, powys_people())


def _set(text: str, table: str, key: str, value: str) -> str:
    lines = text.splitlines()
    start = lines.index(f"[{table}]")
    i = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(f"{key} = "))
    lines[i] = f"{key} = {value}"
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _draft(env: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, list[str]]:
    draft = env / "powys-notes.toml"
    assert main(["notes", "export", "powys", str(draft)]) == 0
    assert str(draft) in capsys.readouterr().out
    text = draft.read_text(encoding="utf-8")
    return draft, text, list(tomllib.loads(text)["recommendation"])


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _html(env: Path, lang: str, *extra: str) -> str:
    out = env / f"report-{lang}.html"
    assert main(["report", "powys", "--lang", lang, "--out", str(out), *extra]) == 0
    return out.read_text(encoding="utf-8")


def test_the_auditors_words_reach_the_report_in_both_languages(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft, text, recs = _draft(env, capsys)
    assert len(recs) >= 2
    for lang in ("en", "cy"):
        text = _set(text, "section.vision", lang, _q(WORDS[lang]))
        text = _set(text, f"recommendation.{recs[1]}", lang, _q(REWORD[lang]))
    text = _set(text, f"recommendation.{recs[0]}", "action", '"drop"')
    text = _set(text, f"recommendation.{recs[1]}", "action", '"reword"')
    draft.write_text(text, encoding="utf-8")
    assert main(["notes", "import", "powys", str(draft)]) == 0
    assert "powys" in capsys.readouterr().out

    for lang, mark in (("en", "Auditor&#39;s commentary"), ("cy", "Sylwadau&#39;r archwilydd")):
        html = _html(env, lang)
        assert WORDS[lang].replace("'", "&#39;") in html and mark in html
        assert REWORD[lang].replace("'", "&#39;") in html
        assert f'id="rec-{recs[0]}"' not in html and f'id="rec-{recs[1]}"' in html
        pdf = env / f"report-{lang}.pdf"
        assert main(["report", "powys", "--lang", lang, "--out", str(pdf)]) == 0
        assert WORDS[lang] in _pdf_text(pdf)

    # Exported again, the draft holds what was imported: it round-trips through the database.
    again = env / "again.toml"
    assert main(["notes", "export", "powys", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == text


def test_a_bad_draft_is_named_by_line_and_stores_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft, text, recs = _draft(env, capsys)
    good = _set(text, "section.vision", "en", _q(WORDS["en"]))
    good = _set(good, "section.vision", "cy", _q(WORDS["cy"]))
    draft.write_text(good, encoding="utf-8")
    assert main(["notes", "import", "powys", str(draft)]) == 0
    capsys.readouterr()

    bad = _set(text, "section.maturity", "en", _q("A new view."))
    bad = _set(bad, f"recommendation.{recs[0]}", "action", '"bin"')
    bad += '\n[section.summary]\nen = "x"\n'
    draft.write_text(bad, encoding="utf-8")
    assert main(["notes", "import", "powys", str(draft)]) == 1
    err = capsys.readouterr().err
    lines = bad.splitlines()
    for needle in ('action = "bin"', "[section.summary]"):
        number = next(i for i, line in enumerate(lines, start=1) if needle in line)
        assert f"line {number}:" in err, (needle, err)
    # The stored notes are still the good ones.
    assert WORDS["en"] in _html(env, "en")
    assert "A new view." not in _html(env, "en")


def test_the_final_version_is_refused_in_one_language_then_made_again_identical(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft, text, recs = _draft(env, capsys)
    text = _set(text, "section.close", "en", _q(CLOSE["en"]))
    text = _set(text, f"recommendation.{recs[0]}", "action", '"reword"')
    text = _set(text, f"recommendation.{recs[0]}", "cy", _q(REWORD["cy"]))
    draft.write_text(text, encoding="utf-8")
    assert main(["notes", "import", "powys", str(draft)]) == 0
    assert "section.close" in capsys.readouterr().out  # warned at import already

    out = env / "final.html"
    assert main(["report", "powys", "--final", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "section.close" in err and f"recommendation.{recs[0]}" in err
    assert not out.exists()
    # A draft in progress is still a report (not the final one).
    assert CLOSE["en"] in _html(env, "en")

    text = _set(text, "section.close", "cy", _q(CLOSE["cy"]))
    text = _set(text, f"recommendation.{recs[0]}", "en", _q(REWORD["en"]))
    draft.write_text(text, encoding="utf-8")
    assert main(["notes", "import", "powys", str(draft)]) == 0
    first = {lang: _html(env, lang, "--final") for lang in ("en", "cy")}
    assert "Final: the version to publish" in first["en"]
    assert "Terfynol: y fersiwn i&#39;w chyhoeddi" in first["cy"]
    assert re.search(r"release \d+ \(25 responses\)", first["en"])
    pdf = env / "final.pdf"
    assert main(["report", "powys", "--final", "--out", str(pdf)]) == 0
    first_pdf = _pdf_text(pdf)

    async def more_invited() -> None:
        async with await open_database(env / "test.sqlite3") as db:
            await add_people(db, "powys", "member", invited=7, submitted=0)

    # Later, the live response rates have moved on; the draft report shows it, the final
    # version made again from the same release and notes does not.
    before = _html(env, "en")
    asyncio.run(more_invited())
    assert _html(env, "en") != before
    assert {lang: _html(env, lang, "--final") for lang in ("en", "cy")} == first
    assert main(["report", "powys", "--final", "--out", str(pdf)]) == 0
    assert _pdf_text(pdf) == first_pdf
    assert CLOSE["en"] in first_pdf
