"""Reports: the Powys table, SQL aggregation, findings, comments, rendering and golden files.

Regenerate the golden files with ``UPDATE_GOLDEN=1 uv run --frozen pytest tests/test_reports.py``.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections import Counter
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import build_report, render_html, render_summary, report_filename
from reports.aggregate import seeded_shuffle
from reports.findings import finding_rule, finding_sentence
from reports.results import Report, median_level, percent
from reports.text import LOCALES, messages
from rubric.schema import FindingThresholds, Lang
from standin.html_check import check_text
from storage.database import Database
from storage.reporting import (
    ReportRows,
    answer_counts,
    comments,
    report_input,
    response_counts,
)
from tests.support.reports import (
    Answers,
    add_people,
    council,
    open_db,
    present,
    release,
    small_questionnaire,
)

GOLDEN = Path(__file__).with_name("golden")
ON = date(2026, 11, 27)
HOSTILE = "<script>alert(1)</script>&"
CHOICES = ["sa", "a", "n", "d", "sd", "dk"]


def answers_for(i: int) -> dict[str, tuple[str | None, str | None]]:
    """Deterministic, varied answers for the i-th person of a group."""
    return {
        "v1": (CHOICES[i % 6], None),
        "v2": (CHOICES[(i * 2) % 5], None),
        "s1": (CHOICES[i % 4], None),
        "s2": (CHOICES[(i + 1) % 3], None),
        "vlevel": (str(i % 3 + 1), None),
        "vtext": (None, f"Barrier {i}: data sits in silos" if i % 4 == 0 else None),
        "stext": (None, "No analysts" if i % 3 == 0 else None),
    }


async def _released(db: Database, council_id: int) -> ReportRows:
    await release(db, small_questionnaire(), unanimity_safe_size=0)
    return await report_input(db, council_id)


async def powys_db(tmp_path: Path | str) -> Database:
    """Powys as the 2018 report counts it (23 officers of whom 10 responded, 73 members of whom
    15), with a CMT among the officers, plus three other councils for Wales."""
    db = await open_db(tmp_path)
    await add_people(
        db, "powys", "officer", invited=12, submitted=5, team="CMT", answers=answers_for
    )
    await add_people(
        db, "powys", "officer", invited=11, submitted=5, answers=lambda i: answers_for(i + 5)
    )
    await add_people(
        db, "powys", "member", invited=73, submitted=15, started=4, answers=answers_for
    )
    await add_people(
        db, "cardiff", "officer", invited=30, submitted=20, answers=lambda i: answers_for(i + 1)
    )
    await add_people(
        db, "gwynedd", "member", invited=20, submitted=3, answers=lambda i: answers_for(i + 2)
    )
    await add_people(
        db, "conwy", "member", invited=30, submitted=12, answers=lambda i: answers_for(i + 3)
    )
    return db


async def powys_report(tmp_path: Path | str, lang: Lang, *, hostile: bool = False) -> Report:
    db = await powys_db(tmp_path)
    if hostile:
        await add_people(
            db,
            "powys",
            "member",
            invited=1,
            submitted=1,
            answers=lambda i: {"vtext": (None, HOSTILE)},
        )
    try:
        c = await council(db, "powys")
        await release(db, small_questionnaire(), unanimity_safe_size=0)
        rows = await report_input(db, c.id)
    finally:
        await db.close()
    return build_report(small_questionnaire(), rows, c, lang, 5, generated_on=ON)


# --- the Powys table ------------------------------------------------------------------


async def test_postgresql_gives_the_same_report_as_sqlite(
    tmp_path: Path, postgres_url: str
) -> None:
    """The same people in either database: the same figures, findings, withheld cells and
    comments (in the same order), down to the last byte of the rendered report."""
    from_sqlite = await powys_report(tmp_path, "cy", hostile=True)
    from_postgres = await powys_report(postgres_url, "cy", hostile=True)
    assert from_postgres == from_sqlite
    assert render_html(from_postgres, "cy") == render_html(from_sqlite, "cy")


def test_percent_rounds_half_up_to_whole_percents() -> None:
    assert (percent(10, 23), percent(15, 73), percent(25, 96)) == (43, 21, 26)
    assert percent(1, 8) == 13  # 12.5 -> 13, not banker's 12
    assert percent(1, 200) == 1  # 0.5 -> 1
    assert percent(0, 5) == 0 and percent(5, 5) == 100


async def test_the_powys_response_table_is_reproduced_from_the_database(tmp_path: Path) -> None:
    report = await powys_report(tmp_path, "en")
    table = [(r.label, r.invited, r.responded, r.percent, r.caution) for r in report.rates.rows]
    assert table == [
        ("Officers", 23, 10, 43, False),
        ("Elected Members", 73, 15, 21, True),
        ("Total", 96, 25, 26, True),
    ]
    html = render_html(report, "en")
    for row in ("<td>23</td><td>10</td><td>43%</td>", "<td>73</td><td>15</td><td>21%"):
        assert row in html
    assert "<td>96</td><td>25</td><td>26%" in html
    welsh = render_html(await powys_report(tmp_path / "cy", "cy"), "cy")
    assert "Aelodau etholedig</th><td>73</td><td>15</td><td>21%" in welsh


async def test_unsubmitted_surveys_are_neither_responses_nor_answers(tmp_path: Path) -> None:
    db = await open_db(tmp_path)
    await add_people(db, "conwy", "member", invited=6, submitted=0, started=6, answers=answers_for)
    c = await council(db, "conwy")
    assert [(r.invited, r.submitted) for r in await response_counts(db, c.id)] == [(6, 0)]
    assert await answer_counts(db, c.id) == []
    assert await comments(db, c.id) == []
    await db.close()


# --- aggregation against a brute-force recount ---------------------------------------

person = st.fixed_dictionaries(
    {
        "council": st.sampled_from(["powys", "cardiff", "conwy"]),
        "group": st.sampled_from(["officer", "member"]),
        "team": st.sampled_from([None, "CMT"]),
        "submitted": st.booleans(),
        "v1": st.sampled_from([*CHOICES, None]),
        "s2": st.sampled_from(CHOICES),
        "vlevel": st.sampled_from(["1", "2", "3", "dk", None]),
    }
)


def answers_of(p: dict[str, Any], i: int) -> Answers:
    """The answers of person `p` (drawn by `person`) to the questions they answered."""
    return {q: (p[q], None) for q in ("v1", "s2", "vlevel") if p[q] is not None}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(person, max_size=40))
def test_sql_counts_match_a_brute_force_recount(people: list[dict[str, Any]]) -> None:
    async def run(folder: Path) -> None:
        db = await open_db(folder)
        for p in people:
            await add_people(
                db,
                p["council"],
                p["group"],
                team=p["team"],
                invited=1,
                submitted=int(p["submitted"]),
                started=int(not p["submitted"]),
                answers=partial(answers_of, p),
            )
        got = Counter(
            {
                (r.council_slug, r.group, r.team, r.question_id, r.choice): r.n
                for r in await answer_counts(db)
            }
        )
        want: Counter[tuple[str, str, str | None, str, str]] = Counter()
        for p in people:
            if p["submitted"]:
                for q in ("v1", "s2", "vlevel"):
                    if p[q] is not None:
                        want[(p["council"], p["group"], p["team"], q, p[q])] += 1
        assert got == want

        rates: Counter[tuple[str, str]] = Counter()
        for r in await response_counts(db):
            rates[(r.council_slug, "invited")] += r.invited
            rates[(r.council_slug, "submitted")] += r.submitted
        for slug in ("powys", "cardiff", "conwy"):
            mine = [p for p in people if p["council"] == slug]
            assert rates[(slug, "invited")] == len(mine)
            assert rates[(slug, "submitted")] == sum(p["submitted"] for p in mine)

        # The report's council-wide figures are the recount, when shown.
        c = await council(db, "powys")
        report = build_report(
            small_questionnaire(), await _released(db, c.id), c, "en", 5, generated_on=ON
        )
        v1 = report.themes[0].statements[0].result("all")
        submitted = [p for p in people if p["council"] == "powys" and p["submitted"]]
        views = [p for p in submitted if p["v1"] not in (None, "dk")]
        if len(views) >= 5:  # the base is those who gave a view
            assert v1 is not None
            tally = Counter(p["v1"] for p in submitted)
            assert (v1.agree, v1.neither, v1.disagree, v1.dk) == (
                tally["sa"] + tally["a"],
                tally["n"],
                tally["d"] + tally["sd"],
                tally["dk"],
            )
        else:
            assert v1 is None
        await db.close()

    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder)))


# --- findings -------------------------------------------------------------------------


def test_finding_rules_at_their_thresholds() -> None:
    t = FindingThresholds()  # most 0.6, half 0.4..0.6
    assert finding_rule(3, 1, 1, t) == "most"  # exactly 60% agree
    assert finding_rule(59, 1, 40, t) == "half"  # 59% and 40%
    assert finding_rule(1, 1, 3, t) == "not_believe"  # exactly 60% disagree
    assert finding_rule(2, 1, 2, t) == "half"  # 40% and 40%
    assert finding_rule(39, 22, 39, t) == "mixed"  # just under 40% each
    assert finding_rule(5, 3, 2, t) == "mixed"
    assert finding_rule(0, 0, 0, t) == "none"
    assert finding_rule(0, 7, 0, t) == "mixed"


def test_finding_sentences_in_the_powys_register_in_both_languages() -> None:
    clause_en = "the Authority uses data to inform decisions"
    clause_cy = "yr Awdurdod yn defnyddio data i lywio penderfyniadau"
    assert (
        finding_sentence("en", "most", "all", clause_en)
        == "Most respondents agree that the Authority uses data to inform decisions."
    )
    assert (
        finding_sentence("en", "not_believe", "all", clause_en)
        == "Respondents do not believe that the Authority uses data to inform decisions."
    )
    assert finding_sentence("en", "half", "team", clause_en, "CMT") == (
        "Around half of the members of the Corporate Management Team agree that the Authority"
        " uses data to inform decisions, whereas around half disagree."
    )
    assert finding_sentence("en", "mixed", "member", clause_en).startswith(
        "Elected members have a mixed view of whether the Authority"
    )
    assert finding_sentence("cy", "most", "all", clause_cy) == (
        "Mae'r rhan fwyaf o'r ymatebwyr yn cytuno bod yr Awdurdod yn defnyddio data i lywio"
        " penderfyniadau."
    )
    assert finding_sentence("cy", "not_believe", "all", clause_cy).startswith(
        "Nid yw'r ymatebwyr yn credu bod yr Awdurdod"
    )
    assert finding_sentence("cy", "mixed", "officer", clause_cy).startswith(
        "Mae gan y swyddogion farn gymysg ynghylch a yw'n wir bod yr Awdurdod"
    )
    assert finding_sentence("cy", "not_believe", "team", clause_cy, "CMT").startswith(
        "Nid yw aelodau'r Tîm Rheoli Corfforaethol yn credu bod"
    )
    # A team with a name of its own is named as written, without mutation trouble.
    assert finding_sentence("cy", "most", "team", clause_cy, "Cyllid").startswith(
        "Mae'r rhan fwyaf o aelodau Cyllid yn cytuno bod"
    )


def test_median_level() -> None:
    assert median_level([0, 0, 0]) is None
    assert median_level([3, 1, 1]) == 1
    assert median_level([1, 1, 1]) == 2
    # One median rule in every report: the lower of the two middle answers, never 1.5.
    assert median_level([1, 1, 0]) == 1
    assert median_level([0, 2, 2]) == 2
    assert median_level([2, 2, 0]) == 1


def test_comments_are_shuffled_stably_and_not_in_stored_order() -> None:
    texts = [f"comment {i:02}" for i in range(30)]
    once = seeded_shuffle(texts, "powys:vision")
    assert once == seeded_shuffle(list(reversed(texts)), "powys:vision")
    assert sorted(once) == texts and list(once) != texts
    assert once != seeded_shuffle(texts, "cardiff:vision")


# --- what the report shows and withholds ----------------------------------------------


async def test_report_contents_and_what_is_withheld(tmp_path: Path) -> None:
    report = await powys_report(tmp_path, "en")
    shown = {c.key for c in report.shown_cells()}
    # CMT 5 of 10 officers, the other 5 officers: both large enough.
    assert shown == {"all", "officer", "member", "team:officer:CMT", "wales"}
    # Gwynedd (3 responses) shows nothing, so adds nothing, and Powys is never in its own
    # comparator: the rest of Wales = Cardiff 20 + Conwy 12.
    assert report.cell("wales").respondents == 32
    assert report.cell("wales").label == "Rest of Wales"
    # One person in the CMT said "Don't know" to v1: four views are too few.
    v1 = report.themes[0].statements[0]
    assert {r.cell for r in v1.results} == {"all", "officer", "member", "wales"}
    assert v1.withheld == ("Corporate Management Team",)
    # The officer-only statement has no elected members' row, and no Wales figure: only
    # Cardiff besides Powys has officers, and Wales minus Powys would be Cardiff.
    s2 = report.themes[1].statements[1]
    assert {r.cell for r in s2.results} == {"all", "officer", "team:officer:CMT"}
    assert s2.result("all") == present(s2.result("officer")).model_copy(update={"cell": "all"}) or (
        present(s2.result("all")).n == present(s2.result("officer")).n
    )
    assert any("at least 2 other councils" in w for w in report.withheld)
    # Comments: verbatim, and for officer-only questions only because 10 officers responded.
    vision = report.themes[0]
    assert sorted(vision.comments) == sorted(
        [f"Barrier {i}: data sits in silos" for i in (0, 4, 8, 12)]
        + [f"Barrier {i}: data sits in silos" for i in (8,)]  # other officers: answers_for(5..9)
        + [f"Barrier {i}: data sits in silos" for i in (0, 4)]  # CMT
    )
    maturity = report.maturity[0]
    assert {r.cell for r in maturity.results} == {"all", "officer", "member", "wales"}
    assert sum(present(maturity.result("all")).levels) == 25


async def test_small_groups_withheld_and_said_why_in_both_languages(tmp_path: Path) -> None:
    db = await open_db(tmp_path)
    await add_people(db, "powys", "officer", invited=9, submitted=3, answers=answers_for)
    await add_people(db, "powys", "member", invited=40, submitted=12, answers=answers_for)
    c = await council(db, "powys")
    await release(db, small_questionnaire(), unanimity_safe_size=0)
    rows = await report_input(db, c.id)
    await db.close()
    cases: tuple[tuple[Lang, str, str], ...] = (
        ("en", "No figures are shown for officers: fewer than 5", "for elected members, so"),
        ("cy", "ar gyfer swyddogion: ymatebodd llai na 5", "ar gyfer aelodau etholedig, fel"),
    )
    for lang, small, complementary in cases:
        report = build_report(small_questionnaire(), rows, c, lang, 5, generated_on=ON)
        assert {c.key for c in report.shown_cells()} == {"all"}  # no other council: no Wales
        assert any(small in w for w in report.withheld)
        assert any(complementary in w for w in report.withheld)
        skills = report.themes[1]
        assert skills.comments == () and skills.comments_note  # officer-only question
        assert report.themes[0].comments  # asked of everyone: 15 respondents
        # The response table still shows every count.
        assert [r.responded for r in report.rates.rows] == [3, 12, 15]


async def test_a_council_below_the_minimum_shows_no_figures_and_no_comments(
    tmp_path: Path,
) -> None:
    db = await open_db(tmp_path)
    await add_people(db, "powys", "member", invited=9, submitted=4, answers=answers_for)
    await add_people(db, "cardiff", "member", invited=9, submitted=9, answers=answers_for)
    await add_people(db, "conwy", "member", invited=9, submitted=6, answers=answers_for)
    c = await council(db, "powys")
    await release(db, small_questionnaire(), unanimity_safe_size=0)
    rows = await report_input(db, c.id)
    await db.close()
    report = build_report(small_questionnaire(), rows, c, "cy", 5, generated_on=ON)
    # Wales only where two councils besides Powys contribute: v1..s1, not the officers' s2.
    assert {c.key for c in report.shown_cells()} == {"wales"}
    assert all(r.cell == "wales" for t in report.themes for s in t.statements for r in s.results)
    assert all(t.comments == () for t in report.themes)
    assert "Ni ddangosir ffigurau ar gyfer Cyngor Sir Powys" in report.withheld[0]
    assert any("yng Nghyngor Sir Powys" in w for w in report.withheld)
    # Powys shows nothing, so adds nothing to Wales: Cardiff and Conwy.
    assert report.cell("wales").respondents == 15


async def test_min_group_size_is_a_parameter(tmp_path: Path) -> None:
    db = await powys_db(tmp_path)
    c = await council(db, "powys")
    await release(db, small_questionnaire(), 11, unanimity_safe_size=0)
    rows = await report_input(db, c.id)
    await db.close()
    strict = build_report(small_questionnaire(), rows, c, "en", 11, generated_on=ON)
    assert {c.key for c in strict.shown_cells()} == {"all", "wales"}
    assert strict.cell("officer").reason == "small"
    assert strict.cell("member").reason == "complementary"


# --- rendering ------------------------------------------------------------------------


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_golden_summary_and_report(tmp_path: Path, lang: Lang) -> None:
    report = await powys_report(tmp_path, lang)
    _golden(f"report-summary-{lang}.html", render_summary(report, lang) + "\n")
    _golden(f"report-{lang}.html", render_html(report, lang))


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_summary_is_telegram_html_within_the_limit(tmp_path: Path, lang: Lang) -> None:
    summary = render_summary(await powys_report(tmp_path, lang, hostile=True), lang)
    check_text(summary)  # raises on bad HTML, a bare &, or over 4096 UTF-16 units
    assert set(re.findall(r"</?([a-z-]+)", summary)) <= {"b", "i", "u", "s", "code", "pre", "a"}
    assert "Powys" in summary and "26 o 97 (27%)" in summary.replace(" of ", " o ")


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_summary_fits_with_the_longest_names_and_many_withheld_groups(
    tmp_path: Path, lang: Lang
) -> None:
    from rubric.loader import load_questionnaire

    db = await open_db(tmp_path)
    slug = "neath-port-talbot"  # the longest Welsh name
    for k in range(12):
        await add_people(
            db, slug, "officer", invited=8, submitted=k % 7 + 1, team=f"Team {k} " + "x" * 40
        )
    await add_people(db, slug, "member", invited=60, submitted=3)
    c = await council(db, slug)
    await release(db, load_questionnaire())
    rows = await report_input(db, c.id)
    await db.close()
    report = build_report(load_questionnaire(), rows, c, lang, 5, generated_on=ON)
    summary = render_summary(report, lang)
    parsed = check_text(summary)
    assert parsed.length <= 4096
    assert len(report.withheld) >= 10


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_html_report_is_self_contained_accessible_and_escaped(
    tmp_path: Path, lang: Lang
) -> None:
    report = await powys_report(tmp_path, lang, hostile=True)
    html = render_html(report, lang)
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "url(" not in html and "@import" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@page { size: A4" in html and "@media print" in html
    assert '<th scope="col"' in html and '<th scope="row"' in html
    # The maturity grid, and in each theme's section one bar (a small SVG) per statement with
    # all respondents' figures. In the annex each statement's bars are plain boxes in its row.
    with_figures = sum(
        1
        for t in report.themes
        for s in t.statements
        if (r := s.result("all")) is not None and r.n and r.agree_pct is not None
    )
    assert html.count('<div class="chart-row">') == with_figures
    assert html.count("<svg") == 1 + with_figures
    assert html.count('<span class="bar" aria-hidden="true"') == sum(
        len(s.results) for t in report.themes for s in t.statements
    )
    if lang == "cy":
        assert "yng Nghyngor Sir Powys" in html and "o Gyngor Sir Powys" in html
        assert "yn Cyngor" not in html and "Data tool" not in html
    else:
        assert "in Powys County Council" in html


def test_report_filename() -> None:
    class C:
        slug = "powys"

    on = date(2026, 11, 27)
    assert report_filename(C(), on) == "datatool-powys-2026-11-27.html"


async def test_rendering_in_another_language_than_built_is_refused(tmp_path: Path) -> None:
    report = await powys_report(tmp_path, "en")
    with pytest.raises(ValueError):
        render_summary(report, "cy")
    with pytest.raises(ValueError):
        render_html(report, "cy")


def test_catalogs_have_every_key_in_both_languages() -> None:
    m = messages()
    assert m.keys("en") == m.keys("cy")
    header = (LOCALES / "cy" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert (
        "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
        in header
    )
    assert "2 gyngor" in m.plural("cy", "withheld.wales_excluded", 2, min=5)
    assert "3 chyngor" in m.plural("cy", "withheld.wales_excluded", 3, min=5)
    assert "7 cyngor" in m.plural("cy", "withheld.wales_excluded", 7, min=5)


async def test_negative_statements_count_reversed_in_the_theme_share(tmp_path: Path) -> None:
    db = await powys_db(tmp_path)
    try:
        c = await council(db, "powys")
        await release(db, small_questionnaire(), unanimity_safe_size=0)
        rows = await report_input(db, c.id)
    finally:
        await db.close()
    plain = small_questionnaire()
    negative = plain.model_copy(
        update={
            "questions": tuple(
                q.model_copy(update={"negative": True}) if q.id == "s2" else q
                for q in plain.questions
            )
        }
    )
    before = build_report(plain, rows, c, "en", 5, generated_on=ON)
    after = build_report(negative, rows, c, "en", 5, generated_on=ON)
    skills_before = next(t for t in before.themes if t.theme_id == "skills")
    skills_after = next(t for t in after.themes if t.theme_id == "skills")
    s1 = next(s for s in skills_after.statements if s.question_id == "s1")
    s2 = next(s for s in skills_after.statements if s.question_id == "s2")
    one, two = present(s1.result("all")), present(s2.result("all"))
    # Disagreeing with the negatively worded s2 is the favourable view: counted, not dropped.
    assert skills_after.comparison.council_pct == percent(one.agree + two.disagree, one.n + two.n)
    assert skills_before.comparison.council_pct == percent(one.agree + two.agree, one.n + two.n)
    # The negative statement still has its own finding.
    assert any(s.question_id == "s2" for s in skills_after.statements)
