"""``datatool questionnaire export|import``, run as the operator runs it, on a real SQLite file:
an auditor's edit becomes the next version with its changes said by name; a bad workbook is
refused whole, each problem named, in the operator's language."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli.main import main
from rubric.loader import load_questionnaire
from storage.opening import open_database
from storage.questionnaires import QuestionnaireVersion
from storage.repository import Repository


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATATOOL_DB", str(tmp_path / "test.sqlite3"))
    monkeypatch.setenv("DATATOOL_LANG", "en")
    return tmp_path


def _latest(env: Path) -> QuestionnaireVersion | None:
    async def read() -> QuestionnaireVersion | None:
        async with await open_database(env / "test.sqlite3") as db:
            return await Repository(db).latest_questionnaire_version()

    return asyncio.run(read())


def _edit(path: Path) -> None:
    """What an auditor does in a spreadsheet: reword a statement in both languages, add one for
    officers only (copying a neighbour's row), drop one."""
    book = load_workbook(path)
    ws = book["survey"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = {ws.cell(r, col["name"]).value: r for r in range(2, ws.max_row + 1)}
    r = rows["v_resource"]
    ws.cell(r, col["label::English (en)"]).value = "Your council treats data as an asset."
    ws.cell(r, col["label::Welsh (cy)"]).value = "Mae eich cyngor yn trin data fel ased."
    ws.delete_rows(rows["p_once"])
    r = rows["v_inventory"]
    ws.insert_rows(r + 1)
    for c in range(1, len(header) + 1):
        ws.cell(r + 1, c).value = ws.cell(r, c).value
    ws.cell(r + 1, col["name"]).value = "v_catalogue"
    ws.cell(r + 1, col["label::English (en)"]).value = "Your council keeps a data catalogue."
    ws.cell(r + 1, col["label::Welsh (cy)"]).value = "Mae eich cyngor yn cadw catalog data."
    ws.cell(r + 1, col["relevant"]).value = "${group} = 'officer'"
    book.save(path)


def test_export_edit_import_stores_a_version_and_says_what_changed(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["questionnaire", "export", "q.xlsx"]) == 0
    assert "2026.1" in capsys.readouterr().out
    _edit(env / "q.xlsx")
    assert main(["questionnaire", "import", "q.xlsx"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("stored as version 1 (2026.1)")
    assert sorted(out[1:]) == [
        "  question p_once: removed",
        "  question v_catalogue: added",
        "  question v_resource: reworded in English",
        "  question v_resource: reworded in Welsh",
    ]
    stored = _latest(env)
    assert stored is not None and stored.number == 1
    new = stored.questionnaire
    assert new.question("p_once") is None
    added = new.question("v_catalogue")
    assert added is not None and added.audience == ("officer",) and added.theme == "vision"
    resource = new.question("v_resource")
    assert resource is not None and resource.text.cy == "Mae eich cyngor yn trin data fel ased."
    # Everything else is the seed's, untouched.
    seed = load_questionnaire()
    assert new.themes == seed.themes and new.characteristics == seed.characteristics

    # The current questionnaire is now the stored one: export gives it back, and importing it
    # again stores nothing.
    assert main(["questionnaire", "export", "again.xlsx"]) == 0
    assert "version 1" in capsys.readouterr().out
    assert main(["questionnaire", "import", "again.xlsx"]) == 0
    assert capsys.readouterr().out.strip() == "no change since version 1; nothing was stored"
    latest = _latest(env)
    assert latest is not None and latest.number == 1


def _break(path: Path) -> None:
    """A label missing in Welsh (the first theme's title), a duplicate name (the second statement
    takes the first's) and a broken relevant."""
    book = load_workbook(path)
    ws = book["survey"]
    ws["D3"] = None
    ws["B5"] = ws["B4"].value
    ws["F6"] = "${group} == officer"
    book.save(path)


WHERE = {"en": "sheet ‘survey’, row {}, column {}: ", "cy": "taflen ‘survey’, rhes {}, colofn {}: "}
REFUSALS = {
    "en": [
        ("3", "D (‘label::Welsh (cy)’)", "empty;"),
        ("5", "B (‘name’)", "the name ‘v_vision’ is used already, in row 4;"),
        ("6", "F (‘relevant’)", "‘${group} == officer’ in ‘relevant’ is not understood"),
    ],
    "cy": [
        ("3", "D (‘label::Welsh (cy)’)", "yn wag;"),
        ("5", "B (‘name’)", "mae'r enw ‘v_vision’ wedi'i ddefnyddio eisoes, yn rhes 4;"),
        ("6", "F (‘relevant’)", "ni ddeellir ‘${group} == officer’ yn ‘relevant’"),
    ],
}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_bad_workbook_is_refused_with_each_problem_named(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    lines = [WHERE[lang].format(row, column) + what for row, column, what in REFUSALS[lang]]
    assert main(["questionnaire", "export", "q.xlsx"]) == 0
    _break(env / "q.xlsx")
    capsys.readouterr()
    monkeypatch.setenv("DATATOOL_LANG", lang)
    assert main(["questionnaire", "import", "q.xlsx"]) == 1
    err = [line.removeprefix("datatool: ") for line in capsys.readouterr().err.splitlines()]
    assert len(err) == 1 + len(lines), err
    for wanted, got in zip(lines, err[1:], strict=True):
        assert got.startswith(wanted), got
    assert _latest(env) is None  # nothing stored


def test_a_file_that_is_not_a_workbook_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "q.xlsx").write_text("type,name\n", encoding="utf-8")
    assert main(["questionnaire", "import", "q.xlsx"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "not an XLSForm workbook (.xlsx)" in err[1]
    assert not (env / "test.sqlite3").exists()  # the database was never opened


def _add_cmt(path: Path) -> None:
    """A third audience, the corporate management team, as an auditor adds it."""
    book = load_workbook(path)
    choices = book["choices"]
    header = [c.value for c in choices[1]]
    row = [""] * len(header)
    row[header.index("list_name")] = "audience"
    row[header.index("name")] = "cmt"
    row[header.index("label::English (en)")] = "Corporate management team"
    row[header.index("label::Welsh (cy)")] = "Tîm rheoli corfforaethol"
    choices.append(row)
    book.save(path)


def _roster(env: Path, group: str) -> Path:
    path = env / "roster.csv"
    path.write_text(
        "council,group,name,email,language\n"
        "powys,officer,Ann Jones,ann@powys.example,en\n"
        f"powys,{group},Bob Evans,bob@powys.example,cy\n",
        encoding="utf-8",
    )
    return path


def test_a_draft_is_not_current_until_published_and_the_roster_follows_it(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["questionnaire", "export", "q.xlsx"]) == 0
    capsys.readouterr()
    _add_cmt(env / "q.xlsx")
    assert main(["questionnaire", "import", "q.xlsx", "--draft"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("stored as draft version 1 (2026.1), not yet published")
    assert "/preview 1" in out[0] and "datatool questionnaire publish 1" in out[0]
    assert "  audience cmt: added" in out
    assert _latest(env) is None  # a draft is not the current questionnaire

    # While it is a draft, the roster may only name the packaged questionnaire's audiences.
    assert main(["roster", "import", str(_roster(env, "CMT"))]) == 1
    err = capsys.readouterr().err
    assert f"{env / 'roster.csv'}: line 3: group: cmt is not one of the current" in err
    assert "(officer, member)" in err

    monkeypatch.setenv("DATATOOL_LANG", "cy")
    assert main(["roster", "import", str(_roster(env, "cmt"))]) == 1
    err = capsys.readouterr().err
    assert "‘group’: nid yw ‘cmt’ yn un o gynulleidfaoedd yr holiadur cyfredol" in err
    assert "(‘officer’, ‘member’)" in err
    assert main(["questionnaire", "publish", "1"]) == 0
    assert capsys.readouterr().out.startswith("cyhoeddwyd fersiwn 1 (2026.1)")
    monkeypatch.setenv("DATATOOL_LANG", "en")

    stored = _latest(env)
    assert stored is not None and stored.number == 1 and stored.questionnaire.groups[-1] == "cmt"
    assert main(["questionnaire", "publish", "1"]) == 0
    assert "already published" in capsys.readouterr().out
    assert main(["questionnaire", "publish", "7"]) == 1
    assert "there is no questionnaire version 7" in capsys.readouterr().err
    assert main(["roster", "import", str(_roster(env, "cmt"))]) == 0
    assert main(["roster", "import", str(_roster(env, "cabinet"))]) == 1
    assert "(officer, member, cmt)" in capsys.readouterr().err
