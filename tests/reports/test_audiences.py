"""A report of a questionnaire with a third audience (the corporate management team): its own
row in the response table, labelled as the questionnaire names it, and its own group figures
under the same confidentiality rule as officers' and members'."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reports import build_report, render_html
from rubric.schema import Audience, Questionnaire, Text
from tests.reports.test_reports import answers_for
from tests.support.reports import add_people, council, open_db, release, small_questionnaire

ON = date(2026, 11, 27)


def with_cmt() -> Questionnaire:
    raw = small_questionnaire().model_dump(mode="json")
    cmt = Audience(
        id="cmt", label=Text(en="Corporate management team", cy="Tîm rheoli corfforaethol")
    )
    raw["audiences"] = [*raw["audiences"], cmt.model_dump()]
    for q in raw["questions"]:
        q["audience"] = [*q["audience"], "cmt"]
    return Questionnaire.model_validate(raw)


async def _report(tmp_path: Path, cmt: int, lang: str = "en"):  # type: ignore[no-untyped-def]
    q = with_cmt()
    db = await open_db(tmp_path)
    await add_people(db, "powys", "officer", invited=12, submitted=8, answers=answers_for)
    await add_people(
        db, "powys", "member", invited=20, submitted=9, answers=lambda i: answers_for(i + 1)
    )
    await add_people(
        db, "powys", "cmt", invited=8, submitted=cmt, answers=lambda i: answers_for(i + 2)
    )
    try:
        c = await council(db, "powys")
        await release(db, q, unanimity_safe_size=0)
        from storage.reporting import report_input

        rows = await report_input(db, c.id)
    finally:
        await db.close()
    return build_report(q, rows, c, lang, 5, generated_on=ON)  # type: ignore[arg-type]


async def test_a_third_audience_has_its_own_rows(tmp_path: Path) -> None:
    report = await _report(tmp_path, cmt=6)
    table = [(r.label, r.invited, r.responded) for r in report.rates.rows]
    assert table == [
        ("Officers", 12, 8),
        ("Elected Members", 20, 9),
        ("Corporate management team", 8, 6),
        ("Total", 40, 23),
    ]
    cmt = report.cell("cmt")
    assert (cmt.kind, cmt.group, cmt.label, cmt.respondents) == (
        "audience",
        "cmt",
        "Corporate management team",
        6,
    )
    assert cmt.shown
    statements = [s for theme in report.themes for s in theme.statements]
    findings = [r.finding for s in statements for r in s.results if r.cell == "cmt"]
    assert findings and all("Corporate" in f for f in findings), findings
    html = render_html(report, "en")
    assert "Corporate management team" in html
    welsh = await _report(tmp_path / "cy", cmt=6, lang="cy")
    assert [r.label for r in welsh.rates.rows][2] == "Tîm rheoli corfforaethol"
    assert welsh.cell("cmt").label == "Tîm rheoli corfforaethol"
    render_html(welsh, "cy")


async def test_a_small_third_audience_cannot_be_subtracted_out(tmp_path: Path) -> None:
    """Three CMT respondents (under the minimum of 5): "all" less officers less members would
    be their figures, so no question shows all three of those groups."""
    report = await _report(tmp_path, cmt=3)
    shown = {c.key for c in report.shown_cells()}
    assert "cmt" not in shown
    statements = [s for theme in report.themes for s in theme.statements]
    assert statements
    for statement in statements:
        cells = {r.cell for r in statement.results}
        assert not {"all", "officer", "member"} <= cells, (statement.question_id, cells)
    assert [r.responded for r in report.rates.rows] == [8, 9, 3, 20]
