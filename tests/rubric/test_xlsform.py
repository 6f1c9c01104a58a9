"""The questionnaire as an XLSForm: the seed round-trips, ODK's converter accepts the export,
and a bad workbook is refused with each problem placed at its sheet, row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from rubric.changes import Change, changes
from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from rubric.xlsform import Problem, XlsFormError, read_workbook, to_workbook


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _exported() -> Workbook:
    return load_workbook(io.BytesIO(_bytes(to_workbook(load_questionnaire()))))


def _cell(book: Workbook, sheet: str, name: str, column: str) -> tuple[int, int]:
    """(row, column) numbers of ``column`` in the row named ``name`` of ``sheet``."""
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    names = [c.value for c in ws["B" if sheet != "characteristics" else "A"]]
    return names.index(name) + 1, header.index(column) + 1


def _problems(data: bytes) -> list[Problem]:
    with pytest.raises(XlsFormError) as refused:
        read_workbook(data)
    return refused.value.problems


def test_the_seed_round_trips() -> None:
    seed = load_questionnaire()
    back = read_workbook(_bytes(to_workbook(seed)))
    assert back == seed
    assert changes(seed, back) == []


def test_pyxform_converts_the_export_with_both_languages() -> None:
    """ODK's own converter takes the workbook: it is a form ODK and KoboToolbox tools open."""
    warnings: list[str] = []
    xform = convert(
        xlsform=io.BytesIO(_bytes(to_workbook(load_questionnaire()))),
        warnings=warnings,
        file_type=".xlsx",
    ).xform
    assert 'lang="Welsh (cy)"' in xform and 'lang="English (en)"' in xform
    assert "Mae protocolau rhannu data eich cyngor yn gyfredol." in xform
    # p_protocols is for officers only: its relevant reached the XForm as a binding.
    assert "/data/group  = 'officer'" in xform or "/data/group = 'officer'" in xform


def test_a_bad_workbook_names_each_problem_by_sheet_row_and_column() -> None:
    book = _exported()
    survey = book["survey"]
    row, col = _cell(book, "survey", "p_clear", "label::Welsh (cy)")
    survey.cell(row, col).value = None
    dup_row, name_col = _cell(book, "survey", "p_framework", "name")
    survey.cell(dup_row, name_col).value = "p_barrier"
    rel_row, rel_col = _cell(book, "survey", "p_protocols", "relevant")
    survey.cell(rel_row, rel_col).value = "${grup} = 'officer'"
    aud_row, _ = _cell(book, "survey", "p_once", "relevant")
    survey.cell(aud_row, rel_col).value = "${group} = 'cabinet'"
    first_dup, _ = _cell(book, "survey", "p_barrier", "name")

    found = {(p.sheet, p.row, p.column, p.code) for p in _problems(_bytes(book))}
    assert found == {
        ("survey", row, "D (‘label::Welsh (cy)’)", "empty"),
        ("survey", dup_row, "B (‘name’)", "duplicate_name"),
        ("survey", rel_row, "F (‘relevant’)", "bad_relevant"),
        ("survey", aud_row, "F (‘relevant’)", "unknown_audience"),
    }
    assert first_dup < dup_row


def test_a_statement_outside_a_theme_and_a_missing_list_are_refused() -> None:
    book = _exported()
    survey = book["survey"]
    survey.append(["select_one agree5", "x_new", "New", "Newydd", "yes"])
    survey.append(["text", "x_loose", "Loose", "Rhydd"])
    problems = _problems(_bytes(book))
    codes = {(p.row, p.code, dict(p.values).get("name")) for p in problems}
    last = survey.max_row
    assert codes == {(last - 1, "no_choice_list", "agree5"), (last, "outside_theme", "x_loose")}


def test_names_must_be_stable_identifiers() -> None:
    book = _exported()
    row, col = _cell(book, "characteristics", "leadership", "name")
    book["characteristics"].cell(row, col).value = "Leadership 2"
    asking, _ = _cell(book, "survey", "lv_leadership", "characteristic")
    found = {(p.sheet, p.row, p.code) for p in _problems(_bytes(book))}
    # The level question that asked about it now names a characteristic that is not there.
    assert found == {
        ("characteristics", row, "bad_name"),
        ("survey", asking, "unknown_characteristic"),
    }


def test_the_models_own_checks_are_placed_at_their_row() -> None:
    """A rule only the models know (a button label too long for a phone) still names its row."""
    book = _exported()
    ws = book["choices"]
    ws.cell(3, 4).value = "Cytuno, ac yn cytuno'n gryf iawn, iawn"
    (problem,) = _problems(_bytes(book))
    assert (problem.sheet, problem.row, problem.code) == ("choices", 3, "model")
    assert problem.pydantic is not None


def test_changes_name_added_removed_and_reworded_by_language() -> None:
    seed = load_questionnaire()
    raw = seed.model_dump(mode="json")
    first = raw["questions"][0]
    first["text"] = {"en": "A new wording.", "cy": first["text"]["cy"]}
    dropped = raw["questions"].pop(1)["id"]
    new = dict(raw["questions"][0], id="v_new", text={"en": "New.", "cy": "Newydd."})
    raw["questions"].insert(1, new)
    assert changes(seed, Questionnaire.model_validate(raw)) == [
        Change("question", first["id"], "reworded", "en"),
        Change("question", "v_new", "added"),
        Change("question", dropped, "removed"),
    ]


def test_what_each_kind_needs_is_asked_for_at_its_cell() -> None:
    """A new agree statement with no finding clause, and a new level question with no key
    characteristic, are refused at the cells to fill."""
    book = _exported()
    survey = book["survey"]
    row, _ = _cell(book, "survey", "v_vision", "name")
    survey.insert_rows(row + 1, 2)
    for offset, cells in enumerate(
        (
            ["select_one agree", "v_extra", "Extra.", "Ychwanegol.", "yes"],
            ["select_one level", "lv_extra", "Which?", "Pa un?", "yes"],
        ),
        start=1,
    ):
        for column, value in enumerate(cells, start=1):
            survey.cell(row + offset, column).value = value
    found = {(p.row, p.column, p.code) for p in _problems(_bytes(book))}
    assert found == {
        (row + 1, "K (‘finding::English (en)’)", "needs_finding"),
        (row + 1, "L (‘finding::Welsh (cy)’)", "needs_finding"),
        (row + 2, "I (‘characteristic’)", "needs_characteristic"),
    }


def test_the_whole_questionnaires_rules_name_the_row_to_change() -> None:
    """A key characteristic asked twice is named on its own sheet; a theme left without a
    free-text question at its begin_group."""
    book = _exported()
    survey = book["survey"]
    row, col = _cell(book, "survey", "lv_standards", "characteristic")
    survey.cell(row, col).value = "leadership"
    text_row, _ = _cell(book, "survey", "v_barriers", "name")
    survey.delete_rows(text_row)
    vision, _ = _cell(book, "survey", "vision", "name")
    standards, _ = _cell(book, "characteristics", "standards", "name")
    leadership, _ = _cell(book, "characteristics", "leadership", "name")
    found = {(p.sheet, p.row, p.code, dict(p.values).get("count")) for p in _problems(_bytes(book))}
    assert found == {
        ("characteristics", leadership, "asked_by", "2"),
        ("characteristics", standards, "asked_by", "0"),
        ("survey", vision, "no_text_question", None),
    }


def _add_audience(book: Workbook, name: str, en: str, cy: str) -> None:
    choices = book["choices"]
    header = [c.value for c in choices[1]]
    row = [""] * len(header)
    row[header.index("list_name")] = "audience"
    row[header.index("name")] = name
    row[header.index("label::English (en)")] = en
    row[header.index("label::Welsh (cy)")] = cy
    choices.append(row)


def test_a_tool_for_another_audience_is_read_and_written_back() -> None:
    """The corporate management team as a third audience: a statement only they are asked;
    a blank ``relevant`` now asks all three; the labels in both languages kept."""
    book = _exported()
    _add_audience(book, "cmt", "Corporate management team", "Tîm rheoli corfforaethol")
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    rel_col = header.index("relevant") + 1
    row, _ = _cell(book, "survey", "p_once", "relevant")
    survey.cell(row, rel_col).value = "${group} = 'cmt'"
    q = read_workbook(_bytes(book))
    assert q.groups == ("officer", "member", "cmt")
    cmt = q.audience("cmt")
    assert cmt is not None and cmt.label("cy") == "Tîm rheoli corfforaethol"
    once = q.question("p_once")
    assert once is not None and once.audience == ("cmt",)
    assert "p_once" in {x.id for x in q.questions_for("cmt")}
    assert "p_once" not in {x.id for x in q.questions_for("officer")}
    everyone = q.question("p_clear")
    assert everyone is not None and everyone.audience == ("officer", "member", "cmt")
    seed_officers = [
        x.id for x in load_questionnaire().questions_for("officer") if x.id != "p_once"
    ]
    assert [x.id for x in q.questions_for("officer")] == seed_officers
    # Written back: the audiences and every question's `relevant` survive, so it round-trips.
    assert read_workbook(_bytes(to_workbook(q))) == q
    assert Change("audience", "cmt", "added") in changes(load_questionnaire(), q)


def test_the_default_audiences_keep_their_labels() -> None:
    seed = load_questionnaire()
    assert seed.groups == ("officer", "member")
    assert [(a.label("en"), a.label("cy")) for a in seed.audiences] == [
        ("Officers", "Swyddogion"),
        ("Elected members", "Aelodau etholedig"),
    ]


def test_an_audience_without_its_welsh_label_or_with_a_bad_name_is_refused() -> None:
    book = _exported()
    _add_audience(book, "cmt", "Corporate management team", "")
    _add_audience(book, "Top Team", "Top team", "Tîm uchaf")
    rows = book["choices"].max_row
    found = {(p.sheet, p.row, p.code) for p in _problems(_bytes(book))}
    assert found == {("choices", rows - 1, "empty"), ("choices", rows, "bad_name")}
