"""The national report as a publication: key messages that check themselves against the
councils' own reports, the method with its fieldwork dates, theme shares council by council
(withheld as each council's report withholds them, Wales from the stored Wales release), the
councils not taking part named once, and a PDF with no blank page. The council report's method
gives its survey window. Every figure is recomputed here, from the councils' reports or the
stored rows, not read back from the national report."""

from __future__ import annotations

import io
import re
from datetime import date
from fractions import Fraction
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.aggregate import build_report
from reports.claims import UntrueClaim
from reports.national import build_national
from reports.national_claims import NationalClaim, checked, holds
from reports.national_render import render_national_html
from reports.pdf import html_to_pdf
from reports.results import Report, median_level, percent
from reports.survey_dates import SurveyWindow, fieldwork, long_date, survey_dates
from rubric.schema import Lang
from storage.councils import COUNCILS
from storage.reporting import WalesFigure, national_input, report_input
from tests.reports.test_national import ON, reports_of, wales_db
from tests.support.reports import small_advice, small_questionnaire
from tests.support.welsh_grammar import every_flaw, targets


def _welsh_flaws(html: str) -> list[str]:
    """The Welsh checker over the text a reader sees, line by line."""
    text = unescape(re.sub(r"<[^>]+>", "\n", html[html.index("<body") :]))
    wanted = targets(
        [c.name_cy for c in COUNCILS], [t.title("cy") for t in small_questionnaire().themes]
    )
    slugs = [c.slug for c in COUNCILS]
    lines = {line.strip() for line in text.splitlines() if line.strip()}
    return sorted({str(f) for line in lines for f in every_flaw(line, wanted, slugs)})


async def _built(
    tmp_path: Path, lang: Lang
) -> tuple[dict[str, Report], tuple[WalesFigure, ...], object]:
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, lang)
    wales = next(iter((await national_input(db, councils)).values())).wales
    await db.close()
    from reports.national import rubric_advice

    report = build_national(
        small_questionnaire(),
        councils,
        reports,
        lang,
        5,
        generated_on=ON,
        advice=rubric_advice(reports, small_advice()),
        wales=wales,
    )
    return reports, wales, report


def _favourable(report: Report, theme_id: str) -> tuple[int, int, int, int]:
    """(favourable, unfavourable, don't know, views) of a council's shown figures for all
    respondents on a theme, counted afresh from its statements."""
    q = {x.id: x for x in small_questionnaire().questions}
    fav = unfav = dk = n = 0
    for theme in report.themes:
        if theme.theme_id != theme_id:
            continue
        for s in theme.statements:
            r = s.result("all")
            if r is None or r.n == 0:
                continue
            agree, disagree = r.agree, r.disagree
            if q[s.question_id].negative:
                agree, disagree = disagree, agree
            fav, unfav, dk, n = fav + agree, unfav + disagree, dk + r.dk, n + r.n
    return fav, unfav, dk, n


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_key_messages_are_true_of_the_councils_own_reports(
    tmp_path: Path, lang: Lang
) -> None:
    reports, _, national = await _built(tmp_path, lang)
    messages = national.key_messages  # type: ignore[attr-defined]
    kinds = [c.kind for c in messages]
    assert kinds == ["taking_part", "maturity", "conclusion", "themes"]
    shown = list(reports.values())
    for claim in messages:
        assert holds(claim, shown), claim.sentence
    by_kind = {c.kind: c for c in messages}
    # Who took part: recomputed from each council's own rate table.
    part = [r for r in shown if any(x.invited for x in r.rates.rows if x.row == "total")]
    invited = sum(x.invited for r in part for x in r.rates.rows if x.row == "total")
    responded = sum(x.responded for r in part for x in r.rates.rows if x.row == "total")
    assert by_kind["taking_part"].figures == (5, 22, 56, 168, percent(56, 168))
    assert (len(part), invited, responded) == (5, 168, 56)
    for figure in ("5", "22", "56", "168", f"{percent(56, 168)}%"):
        assert figure in by_kind["taking_part"].sentence
    # The maturity line: every council placed by the median of its own respondents' levels.
    levels: list[int | None] = [
        median_level(row.result("all").levels)  # type: ignore[union-attr]
        for r in shown
        for row in r.maturity
        if row.result("all") is not None and row.result("all").n  # type: ignore[union-attr]
    ]
    assert levels and all(level is not None and level <= 2 for level in levels)
    assert by_kind["maturity"].figures == (1, 1)
    # The themes: the most and least favourable, each pooled afresh over the councils.
    shares = {}
    for theme in small_questionnaire().themes:
        parts = [_favourable(r, theme.id) for r in shown]
        views = sum(p[3] for p in parts)
        if views:
            shares[theme.id] = Fraction(sum(p[0] for p in parts), views)
    top = max(shares, key=lambda k: shares[k])
    bottom = min(shares, key=lambda k: shares[k])
    assert by_kind["themes"].subject == f"{top},{bottom}"
    top_pct = percent(shares[top].numerator, shares[top].denominator)
    assert f"{top_pct}%" in by_kind["themes"].sentence
    html = render_national_html(national, lang)  # type: ignore[arg-type]
    lead = html[html.index('id="key-messages"') : html.index('id="method"')]
    for claim in messages:
        assert claim.sentence in unescape(lead)
    if lang == "cy":
        assert not _welsh_flaws(html)


async def test_a_claim_the_figures_do_not_bear_out_is_refused(tmp_path: Path) -> None:
    reports, _, national = await _built(tmp_path, "en")
    shown = list(reports.values())
    for claim in national.key_messages:  # type: ignore[attr-defined]
        wrong = claim.model_copy(update={"figures": (*claim.figures[:-1], claim.figures[-1] + 1)})
        with pytest.raises(UntrueClaim):
            checked(wrong, shown)
    swapped = next(c for c in national.key_messages if c.kind == "themes")  # type: ignore[attr-defined]
    high, low = swapped.subject.split(",")
    backwards = swapped.model_copy(
        update={"subject": f"{low},{high}", "figures": swapped.figures[::-1]}
    )
    assert not holds(backwards, shown)
    # The conclusion is refused where most characteristics do not place most councils low.
    nowhere = NationalClaim(kind="conclusion", sentence="x", figures=(0, 1), share=0.6)
    assert not holds(nowhere, shown)


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_theme_shares_council_by_council(tmp_path: Path, lang: Lang) -> None:
    reports, wales, national = await _built(tmp_path, lang)
    table = national.theme_table  # type: ignore[attr-defined]
    # Only the councils whose own reports show figures: Gwynedd (3 respondents) and
    # Ceredigion (nobody responded) have no row, nor have the councils not taking part.
    assert [r.slug for r in table.councils] == ["cardiff", "conwy", "powys"]
    for row in table.councils:
        for (theme_id, _), cell in zip(table.themes, row.themes, strict=True):
            fav, unfav, dk, n = _favourable(reports[row.slug], theme_id)
            assert (cell.favourable_pct, cell.unfavourable_pct, cell.dk, cell.n) == (
                percent(fav, n),
                percent(unfav, n),
                dk,
                n,
            )
    # Wales: the stored Wales release, counted afresh from its rows.
    q = small_questionnaire()
    scale = q.scales["agree"]
    assert scale is not None
    for (theme_id, _), cell in zip(table.themes, table.wales, strict=True):
        asked = {x.id: x for x in q.questions if x.theme == theme_id and x.kind == "agree"}
        mine = [w for w in wales if w.question_id in asked]
        views = sum(w.n for w in mine if w.choice not in scale.excluded)
        favourable = sum(
            w.n
            for w in mine
            if w.choice in (scale.disagree if asked[w.question_id].negative else scale.agree)
        )
        assert cell.n == views and cell.favourable_pct == percent(favourable, views)
        assert cell.dk == sum(w.n for w in mine if w.choice in scale.excluded)
    html = render_national_html(national, lang)  # type: ignore[arg-type]
    section = html[html.index('id="theme-shares"') :].split("</section>")[0]
    assert section.count("<caption") == len(table.themes)
    assert ("Don&#39;t know" if lang == "en" else "Ddim yn gwybod") in section
    assert "Gwynedd" not in section and "Ceredigion" not in section


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_councils_not_taking_part_are_named_once(tmp_path: Path, lang: Lang) -> None:
    _, _, national = await _built(tmp_path, lang)
    html = render_national_html(national, lang)  # type: ignore[arg-type]
    absent = [c for c in national.rates.councils if not c.taking_part]  # type: ignore[attr-defined]
    assert len(absent) == 17
    figures = html.split('id="good-practice"')[0]  # the examples name councils of their own
    for council in absent:
        # in the one sentence (the last after "a", so "a Chyngor …" in Welsh)
        assert figures.count(council.name[1:]) == 1, council.name
        assert council.name[1:] in national.not_taking_part  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_pdf_has_no_blank_page(tmp_path: Path, lang: Lang) -> None:
    _, _, national = await _built(tmp_path, lang)
    html = render_national_html(national, lang)  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(html_to_pdf(html, lang, national.title)))  # type: ignore[attr-defined]
    assert len(reader.pages) > 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        # More than the running header and the page number: some of the report's own words.
        words = [w for w in text.split() if not w.isdigit()]
        assert len(words) > 12, f"page {number} is blank: {text!r}"


# --- the survey dates -------------------------------------------------------------------


def test_the_survey_window_in_words() -> None:
    nov2, nov30, dec2 = date(2026, 11, 2), date(2026, 11, 30), date(2026, 12, 2)
    window = SurveyWindow(opens_on=nov2, closes_on=nov30)
    assert survey_dates(window, "en", dec2).sentence == (  # type: ignore[union-attr]
        "The survey was open from 2 November 2026 to 30 November 2026."
    )
    assert survey_dates(window, "cy", dec2).sentence == (  # type: ignore[union-attr]
        "Roedd yr arolwg ar agor o 2 Tachwedd 2026 tan 30 Tachwedd 2026."
    )
    still = survey_dates(window, "en", date(2026, 11, 20))
    assert still is not None and not still.closed
    assert still.sentence == (
        "The survey opened on 2 November 2026 and closes at the end of 30 November 2026."
    )
    # Closed by hand before its closing date: it ended that day.
    early = SurveyWindow(opens_on=nov2, closes_on=nov30, closed_on=date(2026, 11, 25))
    assert survey_dates(early, "en", dec2).ends == date(2026, 11, 25)  # type: ignore[union-attr]
    assert survey_dates(SurveyWindow(), "en", dec2) is None
    assert survey_dates(None, "en", dec2) is None
    # The fieldwork: the earliest opening and the latest closing; none while one has no end.
    other = survey_dates(SurveyWindow(opens_on=date(2026, 11, 9), closes_on=dec2), "en", dec2)
    mine = survey_dates(window, "en", dec2)
    both = fieldwork([mine, other], "en", dec2)
    assert both is not None and (both.opened, both.ends) == (nov2, dec2) and not both.closed
    assert "2 November 2026" in both.sentence and "2 December 2026" in both.sentence
    assert fieldwork([mine, None], "en", dec2).ends is None  # type: ignore[union-attr]
    assert fieldwork([], "en", dec2) is None
    cy = fieldwork([mine, other], "cy", dec2)
    assert cy is not None and long_date(nov2, "cy") == "2 Tachwedd 2026" in cy.sentence


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_council_reports_method_gives_its_survey_window(
    tmp_path: Path, lang: Lang
) -> None:
    from reports.render import render_html
    from storage.rows import Council

    db = await wales_db(tmp_path)
    councils, _ = await reports_of(db, lang)
    powys = next(c for c in councils if c.slug == "powys")
    assert isinstance(powys, Council)
    rows = await report_input(db, powys.id)
    await db.close()
    window = SurveyWindow(opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 30))
    report = build_report(
        small_questionnaire(), rows, powys, lang, 5, generated_on=ON, window=window
    )
    html = render_html(report, lang)
    method = html[html.index('<section id="method">') :].split("</section>")[0]
    assert report.survey is not None and report.survey.sentence in method.replace("&#39;", "'")
    assert long_date(date(2026, 11, 2), lang) in method
    assert long_date(date(2026, 11, 30), lang) in method
    assert ("Tachwedd" in method) == (lang == "cy")
    if lang == "cy":  # the method's words (the test data's comments are not Welsh)
        assert not _welsh_flaws("<body>" + method)
