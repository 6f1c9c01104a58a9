"""The national report: rates for all 22 councils, maturity across Wales, findings with their
spread, recommendations by council, confidentiality, rendering and golden files.

Regenerate the golden files with
``UPDATE_GOLDEN=1 uv run --frozen pytest tests/reports/test_national.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from functools import partial
from html import unescape
from pathlib import Path

import pytest

from reports.aggregate import build_report
from reports.national import (
    NationalAdvice,
    NationalReport,
    RecommendationText,
    build_national,
    council_reports,
    lower_median,
    middle,
    national_recommendations,
    rubric_advice,
)
from reports.national_render import (
    heat_map,
    national_filename,
    render_national_html,
    render_national_summary,
)
from reports.results import Report
from reports.text import after_a, join_words
from rubric.advice import Advice, Trigger
from rubric.schema import Lang, Text
from standin.html_check import check_text
from storage.councils import COUNCILS, names_wales
from storage.database import Database
from storage.reporting import national_input, report_input
from storage.rows import Council
from tests.reports.test_reports import _golden
from tests.support.reports import (
    Answers,
    add_people,
    open_db,
    present,
    release,
    small_advice,
    small_questionnaire,
)

ON = date(2026, 12, 2)
CHOICES = ["sa", "a", "n", "d", "sd", "dk"]


def answers(shift: int) -> Callable[[int], dict[str, tuple[str | None, str | None]]]:
    def of(i: int) -> dict[str, tuple[str | None, str | None]]:
        j = i + shift
        return {
            "v1": (CHOICES[j % 6], None),
            "v2": (CHOICES[(j * 2) % 5], None),
            "s1": (CHOICES[j % 4], None),
            "s2": (CHOICES[(j + 1) % 3], None),
            "vlevel": (str(min(j % 4, 2) + 1), None),
            "vtext": (None, f"Comment {j}"),
        }

    return of


async def wales_db(tmp_path: Path) -> Database:
    """Powys as in 2018 (10 of 23 officers with a CMT of 5, 15 of 73 members), Cardiff with
    officers only, Gwynedd too small to show (3 members), Conwy with 6 officers and 2 members
    (so only its total shows), invitations without answers at Ceredigion; no roster elsewhere."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = await open_db(tmp_path)
    await add_people(
        db, "powys", "officer", invited=12, submitted=5, team="CMT", answers=answers(0)
    )
    await add_people(db, "powys", "officer", invited=11, submitted=5, answers=answers(5))
    await add_people(db, "powys", "member", invited=73, submitted=15, started=4, answers=answers(1))
    await add_people(db, "cardiff", "officer", invited=30, submitted=20, answers=answers(2))
    await add_people(db, "gwynedd", "member", invited=20, submitted=3, answers=answers(3))
    await add_people(db, "conwy", "officer", invited=8, submitted=6, answers=answers(4))
    await add_people(db, "conwy", "member", invited=9, submitted=2, answers=answers(7))
    await add_people(db, "ceredigion", "officer", invited=5, submitted=0)
    return db


async def all_councils(db: Database) -> list[Council]:
    return [Council(**dict(r)) for r in await db.fetchall("SELECT * FROM councils ORDER BY slug")]


async def reports_of(
    db: Database, lang: Lang, k: int = 5
) -> tuple[list[Council], dict[str, Report]]:
    councils = await all_councils(db)
    # The national tests' councils answer alike on purpose: the unanimity rule is tested apart.
    await release(db, small_questionnaire(), k, unanimity_safe_size=0)
    rows = await national_input(db, councils)
    return councils, council_reports(
        small_questionnaire(), rows, councils, lang, k, generated_on=ON
    )


async def national(
    tmp_path: Path,
    lang: Lang,
    advice: NationalAdvice | None = None,
    *,
    rubric: Advice | None = None,
) -> NationalReport:
    """The national report of `wales_db`; with `rubric`, its advice as the council reports'
    own rules give it (`rubric_advice`)."""
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, lang)
    wales = next(iter((await national_input(db, councils)).values())).wales
    await db.close()
    if rubric is not None:
        advice = rubric_advice(reports, rubric)
    return build_national(
        small_questionnaire(),
        councils,
        reports,
        lang,
        5,
        generated_on=ON,
        advice=advice,
        wales=wales,
    )


# --- pieces -------------------------------------------------------------------------------


def test_lower_median_and_middle() -> None:
    assert lower_median((2, 1, 1)) == 1  # 1, 1, 2, 3
    assert lower_median((1, 1, 1)) == 2
    assert lower_median((0, 0, 4)) == 3
    assert lower_median((0, 0, 0)) is None
    assert middle([40, 10, 70]) == 40
    # One median rule everywhere: the lower of the two middle values, one council's own share.
    assert middle([10, 41]) == 10
    assert middle([]) is None


def test_welsh_and_english_lists() -> None:
    assert join_words("en", ["Leadership", "Open data"], lower=True) == "leadership and open data"
    assert join_words("cy", ["Arweinyddiaeth", "Data agored"]) == "Arweinyddiaeth a Data agored"
    assert after_a("Penderfyniadau") == "a Phenderfyniadau"
    assert after_a("Cyngor Sir Powys") == "a Chyngor Sir Powys"
    assert after_a("arweinyddiaeth") == "ac arweinyddiaeth"
    assert after_a("Chwarae") == "a Chwarae"  # already a digraph: no second h
    assert join_words("cy", ["a", "b", "Tîm"]) == "a, b a Thîm"


def test_wales_is_a_name_for_every_council() -> None:
    for query in ("wales", "Wales", "CYMRU", "Cymru gyfan", "all of Wales"):
        assert names_wales(query)
    for query in ("powys", "walesx", "cardiff", ""):
        assert not names_wales(query)
    assert len(COUNCILS) == 22


# --- the figures ----------------------------------------------------------------------------


async def test_rates_table_has_every_council_and_the_wales_total(tmp_path: Path) -> None:
    report = await national(tmp_path, "en")
    rates = report.rates
    assert len(rates.councils) == 22
    by_slug = {c.slug: c for c in rates.councils}
    powys = {r.row: r for r in by_slug["powys"].rows}
    assert (powys["officer"].invited, powys["officer"].responded, powys["officer"].percent) == (
        23,
        10,
        43,
    )
    assert (powys["member"].invited, powys["member"].responded, powys["member"].percent) == (
        73,
        15,
        21,
    )
    assert (powys["total"].invited, powys["total"].responded, powys["total"].percent) == (
        96,
        25,
        26,
    )
    # Counts are shown exactly, even for a small group (as each council's own report does).
    gwynedd = {r.row: r for r in by_slug["gwynedd"].rows}
    assert (gwynedd["member"].invited, gwynedd["member"].responded) == (20, 3)
    assert by_slug["ceredigion"].taking_part
    taking = {c.slug for c in rates.councils if c.taking_part}
    assert taking == {"powys", "cardiff", "gwynedd", "conwy", "ceredigion"}
    assert rates.taking_part == 5
    wales = {r.row: r for r in rates.wales}
    assert (wales["total"].invited, wales["total"].responded) == (
        96 + 30 + 20 + 17 + 5,
        25 + 20 + 3 + 8,
    )
    assert wales["total"].percent == round(100 * 56 / 168)
    assert (wales["officer"].invited, wales["member"].invited) == (23 + 30 + 8 + 5, 73 + 20 + 9)


async def test_national_figures_are_the_councils_shown_figures(tmp_path: Path) -> None:
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, "en")
    await db.close()
    report = build_national(small_questionnaire(), councils, reports, "en", 5, generated_on=ON)

    statement = next(s for t in report.themes for s in t.statements if s.question_id == "v1")
    shown = {
        slug: result
        for slug, rep in reports.items()
        for t in rep.themes
        for r in t.statements
        if r.question_id == "v1" and (result := r.result("all")) is not None
    }
    # Gwynedd (3 respondents) shows nothing, so it adds nothing anywhere.
    assert set(shown) == {"powys", "cardiff", "conwy"}
    assert statement.wales.agree == sum(r.agree for r in shown.values())
    assert statement.wales.n == sum(r.n for r in shown.values())
    assert statement.wales.councils == 3
    shares = sorted(present(r.agree_pct) for r in shown.values())
    assert (statement.spread.lowest, statement.spread.middle, statement.spread.highest) == (
        shares[0],
        shares[1],
        shares[2],
    )
    groups = dict(statement.groups)
    # Each group across Wales adds up exactly the councils whose own reports show that group.
    for group in ("officer", "member"):
        cells = {
            slug: r
            for slug, rep in reports.items()
            for t in rep.themes
            for st in t.statements
            if st.question_id == "v1"
            for r in st.results
            if r.cell == group and r.n > 0
        }
        assert groups[group].contributors == frozenset(cells), group
        assert groups[group].agree == sum(r.agree for r in cells.values())
    assert "gwynedd" not in groups["member"].contributors  # 3 respondents: nothing shown

    vision = next(t for t in report.themes if t.theme_id == "vision")
    assert vision.wales.agree == sum(s.wales.agree for s in vision.statements)
    assert vision.wales.contributors == frozenset({"powys", "cardiff", "conwy"})
    theme_shares = sorted(
        t.comparison.council_pct
        for rep in reports.values()
        for t in rep.themes
        if t.theme_id == "vision" and t.comparison.council_pct is not None
    )
    assert (vision.spread.lowest, vision.spread.highest) == (theme_shares[0], theme_shares[-1])
    assert dict(vision.groups)["officer"].contributors == frozenset({"powys", "cardiff"})

    # s2 is asked of officers only: no members row and no contrast.
    s2 = next(s for t in report.themes for s in t.statements if s.question_id == "s2")
    assert [g for g, _ in s2.groups] == ["officer"] and s2.contrast is None
    assert report.with_figures == 3


async def test_each_councils_rest_of_wales_is_the_national_figure_less_its_own(
    tmp_path: Path,
) -> None:
    """One comparator in every report: a council's report compares it with the rest of Wales,
    the national report's figure for the same statement less the council's own, never one
    that counts the council or leaves a statement out."""
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, "en")
    await db.close()
    report = build_national(small_questionnaire(), councils, reports, "en", 5, generated_on=ON)
    national_by_id = {s.question_id: s for t in report.themes for s in t.statements}
    compared = 0
    for rep in reports.values():
        for theme in rep.themes:
            favourable = views = 0
            for st in theme.statements:
                rest, own = st.result("wales"), st.result("all")
                if rest is None:
                    continue
                across = national_by_id[st.question_id]
                mine = (own.agree, own.n) if own is not None and own.n else (0, 0)
                assert (rest.agree, rest.n) == (
                    across.wales.agree - mine[0],
                    across.wales.n - mine[1],
                )
                fav = rest.disagree if st.negative else rest.agree
                favourable, views = favourable + fav, views + rest.n
                compared += 1
            if theme.comparison.wales_pct is not None:
                assert theme.comparison.wales_pct == round(100 * favourable / views + 1e-9)
    assert compared  # the test data has rest-of-Wales figures to compare


async def test_group_rows_say_which_councils_they_add_up(tmp_path: Path) -> None:
    """Officers' rows add up Powys and Cardiff, elected members' Powys alone, the total three
    councils: the report names them, and the officers-against-members sentence compares the
    two groups over the one council that shows both, saying so."""
    db = await wales_db(tmp_path)
    councils, en = await reports_of(db, "en")
    _, cy = await reports_of(db, "cy")
    await db.close()
    english = build_national(small_questionnaire(), councils, en, "en", 5, generated_on=ON)
    welsh = build_national(small_questionnaire(), councils, cy, "cy", 5, generated_on=ON)
    v1 = next(s for t in english.themes for s in t.statements if s.question_id == "v1")
    assert v1.coverage == (
        "The rows for each group add up only the councils whose own reports show that group"
        " (officers: Cardiff and Powys; elected members: Powys); the row for all respondents"
        " adds up 3 councils."
    )
    assert v1.contrast is not None and v1.contrast.endswith(
        "(Both shares add up only the 1 council whose report shows both groups.)"
    )
    w1 = next(s for t in welsh.themes for s in t.statements if s.question_id == "v1")
    assert w1.coverage is not None and "(swyddogion: Caerdydd a Phowys;" in w1.coverage
    vision = next(t for t in english.themes if t.theme_id == "vision")
    assert vision.coverage is not None
    html = unescape(render_national_html(english, "en"))
    assert v1.coverage in html


async def two_small_councils(tmp_path: Path, lang: Lang) -> NationalReport:
    """Two councils whose reports show only their totals (6 officers and 2 members each, so
    neither group is shown, the officers' figures being the total less two members')."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = await open_db(tmp_path)
    for slug, shift in (("conwy", 0), ("powys", 3)):
        await add_people(db, slug, "officer", invited=6, submitted=6, answers=answers(shift))
        await add_people(db, slug, "member", invited=2, submitted=2, answers=answers(shift + 1))
    councils, reports = await reports_of(db, lang)
    await db.close()
    return build_national(small_questionnaire(), councils, reports, lang, 5, generated_on=ON)


@pytest.mark.parametrize(
    ("lang", "withheld", "middle_words"),
    [
        (
            "en",
            "not shown: no council's own report shows this group's figures",
            ("middle council at", "(2 councils)"),
        ),
        (
            "cy",
            "heb ei ddangos: nid yw adroddiad unrhyw gyngor yn dangos ffigurau'r grŵp hwn",
            ("cyngor canol ar", "canol ar"),
        ),
    ],
)
async def test_a_group_no_council_shows_is_withheld_not_zero_and_two_have_no_middle(
    tmp_path: Path, lang: Lang, withheld: str, middle_words: tuple[str, ...]
) -> None:
    """A group row with no council's figures says it is not shown (never "– 0 0"), the
    coverage note names no empty group ("officers: –"), and with two councils' figures the
    spread quotes the two shares without speaking of a middle council."""
    report = await two_small_councils(tmp_path, lang)
    assert report.with_figures == 2
    html = unescape(render_national_html(report, lang))
    labels = {"officer": ("Officers", "Swyddogion"), "member": ("Elected members", "Aelodau")}
    statements = [s for t in report.themes for s in t.statements if s.wales.councils]
    assert statements
    for s in statements:
        assert s.wales.councils == 2
        if len(s.groups) == 2:  # asked of both groups: neither is shown anywhere
            assert all(pooled.councils == 0 for _, pooled in s.groups), s.question_id
        assert s.coverage is None  # no group adds up other councils than the total: none named
        # The sentence recomputed from the councils' own shares: the two, lowest first.
        low, high = s.spread.lowest, s.spread.highest
        assert s.spread.middle is None and low is not None and high is not None
        assert (s.spread.sentence.count(f"{low}%"), s.spread.sentence.count(f"{high}%")) >= (
            1,
            1,
        )
        assert s.spread.sentence in html
    for theme in report.themes:
        if theme.spread.councils == 2:
            assert theme.spread.middle is None and theme.spread.sentence in html
    for word in middle_words:
        assert word not in html
        assert all(word not in s.spread.sentence for s in statements)
    assert "–; " not in html and ": –)" not in html
    for group, names in labels.items():
        for name in names:
            assert not re.search(
                rf"<th scope=\"row\">{name}[^<]*</th><td>–</td><td>0</td>", html
            ), group
    empty = sum(1 for s in statements for _, pooled in s.groups if not pooled.councils)
    assert empty and html.count(withheld) == empty


async def test_the_national_report_says_how_figures_round_and_what_wales_is(
    tmp_path: Path,
) -> None:
    report = await national(tmp_path, "en")
    assert any("99% or 101%" in n and "the lower of the two middle" in n for n in report.notes)
    assert any(
        n.startswith("Each council's own report compares it with the rest") for n in report.notes
    )
    welsh = await national(tmp_path / "cy", "cy")
    assert any("99% neu 101%" in n for n in welsh.notes)


async def test_the_councils_reports_are_their_own_reports(tmp_path: Path) -> None:
    """Each council's report as the national report reads it is the report the council gets
    (`report_input`, then `build_report`), comments apart: the same groups shown and hidden,
    the same figures and, with the Wales counts, the same comparisons with Wales."""
    db = await wales_db(tmp_path)
    councils = await all_councils(db)
    rows = await national_input(db, councils, wales=True)
    theirs = council_reports(small_questionnaire(), rows, councils, "cy", 5, generated_on=ON)
    for c in councils:
        own = build_report(
            small_questionnaire(), await report_input(db, c.id), c, "cy", 5, generated_on=ON
        )
        national = theirs[c.slug]
        assert (national.rates, national.cells, national.maturity) == (
            own.rates,
            own.cells,
            own.maturity,
        ), c.slug
        for mine, their in zip(national.themes, own.themes, strict=True):
            assert (mine.statements, mine.comparison, mine.headline) == (
                their.statements,
                their.comparison,
                their.headline,
            ), c.slug
    await db.close()


async def test_maturity_counts_councils_by_their_placement(tmp_path: Path) -> None:
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, "en")
    await db.close()
    report = build_national(small_questionnaire(), councils, reports, "en", 5, generated_on=ON)
    [row] = report.maturity
    expected = []
    for slug in ("cardiff", "conwy", "powys"):
        [level] = [r for r in reports[slug].maturity if r.characteristic_id == "leadership"]
        expected.append(lower_median(present(level.result("all")).levels))
    counts = tuple(expected.count(n) for n in (1, 2, 3))
    assert row.councils == counts and row.with_figures == 3
    placements = {c.slug: c.placements[0].level for c in report.placements}
    assert placements["gwynedd"] is None and placements["ceredigion"] is None
    assert [placements[s] for s in ("cardiff", "conwy", "powys")] == expected
    assert report.maturity_summary  # a sentence the national study would write
    assert any("Leadership".lower() in s for s in report.maturity_summary)


def only_vlevel(level: str, i: int) -> Answers:
    return {"vlevel": (level, None)}


async def test_maturity_sentence_says_most_councils_at_level_1_or_2(tmp_path: Path) -> None:
    db = await open_db(tmp_path)
    for n, slug in enumerate(("powys", "cardiff", "conwy", "gwynedd", "newport")):
        level = "3" if n == 4 else str(n % 2 + 1)
        await add_people(
            db,
            slug,
            "officer",
            invited=6,
            submitted=6,
            answers=partial(only_vlevel, level),
        )
    councils, reports = await reports_of(db, "en")
    await db.close()
    report = build_national(small_questionnaire(), councils, reports, "en", 5, generated_on=ON)
    assert report.maturity[0].councils == (2, 2, 1)
    assert report.maturity[0].pattern == "low"
    assert report.maturity_summary == (
        "Overall, most councils are characterised by the descriptors at level 1 and level 2.",
        "Most councils are placed at level 1 or 2 for leadership.",
    )
    db = await open_db(tmp_path / "cy")
    welsh = build_national(
        small_questionnaire(),
        councils,
        council_reports(
            small_questionnaire(),
            await national_input(db, councils),
            councils,
            "cy",
            5,
            generated_on=ON,
        ),
        "cy",
        5,
        generated_on=ON,
    )
    await db.close()
    assert welsh.maturity_summary == (
        "Ni ellir dangos ffigurau unrhyw gyngor o ran arweinyddiaeth.",
    )


def test_national_recommendations_are_those_most_councils_make() -> None:
    recs = tuple(
        RecommendationText(
            id=i, text=Text(en=f"The Authority should {i}.", cy=f"Dylai'r Awdurdod {i}.")
        )
        for i in ("vision", "audit", "train")
    )
    fired = {
        "a": frozenset({"vision", "audit"}),
        "b": frozenset({"vision", "audit"}),
        "c": frozenset({"vision", "train"}),
        "d": frozenset({"vision"}),
        "e": frozenset({"train"}),
        "hidden": frozenset({"train"}),  # a council not taking part is not counted
    }
    advice = NationalAdvice(recommendations=recs, fired=fired)
    most = Fraction(3, 5)
    made = national_recommendations(advice, ["a", "b", "c", "d", "e"], most, "cy")
    assert made is not None
    assert [(r.id, r.councils, r.of, r.pct) for r in made] == [("vision", 4, 5, 80)]
    assert made[0].text == "Dylai'r Awdurdod vision."  # no national voice in the data: its own
    assert national_recommendations(None, ["a"], most, "en") is None
    assert national_recommendations(advice, [], most, "en") == ()


async def test_advice_is_judged_on_each_councils_own_report(tmp_path: Path) -> None:
    """`advice_from` asks the council report's rule about each council's own report; the
    recommendation most councils' reports make reaches the national report."""
    from reports.national import advice_from

    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, "en")
    await db.close()
    rec = RecommendationText(
        id="skills", text=Text(en="The Authority should train.", cy="Dylai'r Awdurdod hyfforddi.")
    )
    asked: list[str] = []

    def fired_at(threshold: int) -> Callable[[Report], list[str]]:
        def fired(report: Report) -> list[str]:
            asked.append(report.council.slug)
            s1 = next(s for t in report.themes for s in t.statements if s.question_id == "s1")
            r = s1.result("all")
            return ["skills"] if r is not None and (r.disagree_pct or 0) >= threshold else []

        return fired

    # Disagreement with s1: Cardiff 25%, Conwy 25%, Powys 24%; Gwynedd shows nothing and
    # Ceredigion has no answers yet, and both take part: the share is of the five.
    for threshold, made_by, expected in (
        (24, {"cardiff", "conwy", "powys"}, ["skills"]),
        (25, {"cardiff", "conwy"}, []),
    ):
        asked.clear()
        advice = advice_from(reports, [rec], [], fired_at(threshold))
        assert sorted(asked) == sorted(reports)
        made = {slug for slug, ids in advice.fired.items() if ids}
        assert made == made_by
        report = build_national(
            small_questionnaire(), councils, reports, "en", 5, generated_on=ON, advice=advice
        )
        assert report.recommendations is not None and report.taking_part == 5
        # Three of the five councils taking part is "most" (the questionnaire's 0.6); two is not.
        assert [r.id for r in report.recommendations] == expected


async def test_recommendations_and_examples_reach_the_document(tmp_path: Path) -> None:
    from reports.national import GoodPracticeText

    advice = NationalAdvice(
        recommendations=(
            RecommendationText(
                id="vision",
                text=Text(
                    en="The Authority should set a vision.",
                    cy="Dylai'r Awdurdod bennu gweledigaeth.",
                ),
                councils=Text(
                    en="Councils should set a vision.", cy="Dylai cynghorau bennu gweledigaeth."
                ),
            ),
        ),
        fired={n: frozenset({"vision"}) for n in ("powys", "cardiff", "conwy")},
        good_practice=(
            GoodPracticeText(
                title=Text(en="Safe sharing", cy="Rhannu'n ddiogel"),
                organisation=Text(en="A board", cy="Bwrdd"),
                summary=Text(en="It shares.", cy="Mae'n rhannu."),
            ),
        ),
    )
    report = await national(tmp_path, "cy", advice)
    assert report.recommendations is not None
    assert [(r.id, r.councils, r.of) for r in report.recommendations] == [("vision", 3, 5)]
    html = unescape(render_national_html(report, "cy"))
    # Made to councils, in the national voice, never the council report's "the Authority".
    assert "Dylai cynghorau bennu gweledigaeth." in html and "Rhannu'n ddiogel" in html
    assert "Dylai'r Awdurdod" not in html and "bob cyngor yng Nghymru" not in html
    english = unescape(render_national_html(await national(tmp_path / "en", "en", advice), "en"))
    assert "Councils should set a vision." in english
    assert "Made in the reports of 3 of the 5 councils taking part (60%)." in english
    assert "every council in Wales" not in english
    plain = await national(tmp_path / "plain", "en")
    assert plain.recommendations is None
    assert 'id="recommendations"' not in render_national_html(plain, "en")


def _one_rule(share: float, statement: str = "s1") -> Advice:
    """One recommendation of the statement's theme: all respondents disagreeing with it at
    least `share`."""
    base = small_advice()
    theme = next(q.theme for q in small_questionnaire().questions if q.id == statement)
    rule = next(r for r in base.recommendations if r.theme == theme)
    return base.model_copy(
        update={
            "recommendations": (
                rule.model_copy(
                    update={
                        "statements": (statement,),
                        "trigger": Trigger(groups=("all",), unfavourable_at_least=share),
                    }
                ),
            )
        }
    )


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_a_recommendation_shows_only_when_most_councils_make_it(
    tmp_path: Path, lang: Lang
) -> None:
    """The council reports' own rule (`reports.recommend`) over each council's own report:
    disagreement with v1 is 41% at Cardiff (7 of 17), 36% at Powys (8 of 22) and 29% at Conwy
    (2 of 7), none of them with a favourable majority; Gwynedd shows no figures and Ceredigion
    has none yet, and both take part. At 28% three of the five councils taking part make it,
    which is most (the
    questionnaire's 0.6): it shows, to councils, citing the share; at 30% two do, which is not
    most, and the section says so."""
    fires = _one_rule(0.28, "v1")
    [rule] = fires.recommendations
    report = await national(tmp_path, lang, rubric=fires)
    assert report.taking_part == 5
    assert [(r.id, r.councils, r.of) for r in report.recommendations or ()] == [(rule.id, 3, 5)]
    html = unescape(render_national_html(report, lang))
    section = html.split('id="recommendations"')[1].split("</section>")[0]
    made = {
        "en": "Made in the reports of 3 of the 5 councils taking part (60%).",
        "cy": "Fe'i gwneir yn adroddiadau 3 o'r 5 cyngor sy'n cymryd rhan (60%).",
    }
    assert rule.councils(lang) in section and made[lang] in section
    assert rule.text(lang) not in section

    quiet = await national(tmp_path / "quiet", lang, rubric=_one_rule(0.3, "v1"))
    assert quiet.recommendations == ()
    html = unescape(render_national_html(quiet, lang))
    section = html.split('id="recommendations"')[1].split("</section>")[0]
    none = {
        "en": "No recommendation is made in the reports of most of the councils taking part.",
        "cy": "Nid oes yr un argymhelliad",
    }
    assert none[lang] in section and rule.councils(lang) not in section


async def test_a_majority_view_never_contradicts_a_council_reports_recommendation(
    tmp_path: Path,
) -> None:
    """Disagreement with s1 is 25% at Cardiff (5 of 20, 10 agreeing), 25% at Conwy (2 of 8, 5
    agreeing) and 24% at Powys (6 of 25, 13 agreeing). At 24% the old trigger fired in all
    three; but at Conwy and Powys most respondents agree, so their reports do not make it."""
    db = await wales_db(tmp_path)
    _, reports = await reports_of(db, "en")
    await db.close()
    advice = rubric_advice(reports, _one_rule(0.24))
    assert {slug for slug, ids in advice.fired.items() if ids} == {"cardiff"}


async def test_one_council_in_three_is_not_most(tmp_path: Path) -> None:
    """Disagreement with v1: Cardiff 41% (7 of 17), Powys 36% (8 of 22), Conwy 29% (2 of 7).
    At 40% only Cardiff's report makes the recommendation: one of the five councils taking
    part is not most, nor are two; three are."""
    db = await wales_db(tmp_path)
    councils, reports = await reports_of(db, "en")
    await db.close()
    for share, made in (
        (0.4, {"cardiff"}),
        (0.36, {"cardiff", "powys"}),
        (0.28, {"cardiff", "powys", "conwy"}),
    ):
        advice = rubric_advice(reports, _one_rule(share, "v1"))
        assert {slug for slug, ids in advice.fired.items() if ids} == made
        report = build_national(
            small_questionnaire(), councils, reports, "en", 5, generated_on=ON, advice=advice
        )
        # Of the five councils taking part, one or two is not most; three is.
        expected = [3] if len(made) == 3 else []
        assert [r.councils for r in report.recommendations or ()] == expected


async def test_the_good_practice_examples_say_how_many_reports_offer_them(
    tmp_path: Path,
) -> None:
    advice = small_advice()
    report = await national(tmp_path, "cy", rubric=advice)
    assert [e.title for e in report.examples] == [g.title("cy") for g in advice.good_practice]
    # Every example illustrates the one characteristic, so each council with level figures
    # offers the first `max_examples`; Gwynedd (no figures) counts for none.
    most = advice.narrative.good_practice.max_examples
    assert [e.councils for e in report.examples] == [3] * most + [0] * (
        len(advice.good_practice) - most
    )
    html = unescape(render_national_html(report, "cy"))
    assert "Fe'i cynigir yn adroddiadau 3 o'r 3 chyngor." in html
    assert "Nodweddion allweddol: Arweinyddiaeth" in html


# --- confidentiality ------------------------------------------------------------------------


async def _swap_hidden(db: Database) -> None:
    """Changes answers only inside cells that the councils' own reports hide: Gwynedd's three
    members (a council too small to show anything) all change their minds."""
    await db.execute(
        "UPDATE answers SET choice = CASE question_id WHEN 'vlevel' THEN '3' ELSE 'sd' END"
        " WHERE choice IS NOT NULL AND response_id IN (SELECT r.id FROM responses r"
        " JOIN invitees i ON i.id = r.invitee_id JOIN councils c ON c.id = i.council_id"
        " WHERE c.slug = 'gwynedd')"
    )


async def _raw_cells(
    db: Database,
) -> dict[tuple[str, str, str], tuple[tuple[str, int], ...]]:
    """(council, group, question) -> the answers as counted, straight from the database."""
    rows = await db.fetchall(
        "SELECT c.slug, i.grp, a.question_id, a.choice, COUNT(*) FROM answers a"
        " JOIN responses r ON r.id = a.response_id JOIN invitees i ON i.id = r.invitee_id"
        " JOIN councils c ON c.id = i.council_id WHERE r.submitted_at IS NOT NULL"
        " AND a.choice IS NOT NULL GROUP BY 1, 2, 3, 4"
    )
    out: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    for slug, grp, qid, choice, n in rows:
        out.setdefault((slug, grp, qid), []).append((choice, n))
    return {k: tuple(sorted(v)) for k, v in out.items()}


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_a_cell_a_council_hides_is_nowhere_in_the_national_report(
    tmp_path: Path, lang: Lang
) -> None:
    """Change what people said only inside cells their council's own report withholds: every
    council report's shown figures stay the same (so the change is truly hidden), the raw cells
    did change (so the test has teeth), and the national report, every figure and every word of
    it, is the same. Whatever a national figure rests on, it is not a hidden cell."""
    # Two databases, the same but for the change, each released once (a release is what every
    # report reads).
    db = await wales_db(tmp_path / "before")
    councils, before_reports = await reports_of(db, lang)
    before = build_national(
        small_questionnaire(), councils, before_reports, lang, 5, generated_on=ON
    )
    raw_before = await _raw_cells(db)
    await db.close()
    db = await wales_db(tmp_path / "after")
    await _swap_hidden(db)
    _, after_reports = await reports_of(db, lang)
    after = build_national(small_questionnaire(), councils, after_reports, lang, 5, generated_on=ON)
    raw_after = await _raw_cells(db)
    await db.close()

    changed = {
        k for k in raw_before.keys() | raw_after.keys() if raw_before.get(k) != raw_after.get(k)
    }
    assert {(s, g) for s, g, _ in changed} == {("gwynedd", "member")}
    for key in ("all", "member"):
        assert not before_reports["gwynedd"].cell(key).shown
    assert before_reports["gwynedd"].themes == after_reports["gwynedd"].themes
    assert before_reports["gwynedd"].maturity == after_reports["gwynedd"].maturity
    assert after == before
    assert render_national_html(after, lang) == render_national_html(before, lang)


async def test_national_totals_move_with_a_shown_cell(tmp_path: Path) -> None:
    """The converse, so the test above cannot pass by ignoring everything: a change in a cell
    that Powys's report shows changes the national report."""
    db = await wales_db(tmp_path / "before")
    councils, reports = await reports_of(db, "en")
    before = build_national(small_questionnaire(), councils, reports, "en", 5, generated_on=ON)
    await db.close()
    db = await wales_db(tmp_path / "after")
    await db.execute(
        "UPDATE answers SET choice = 'sa' WHERE question_id = 'v1' AND response_id IN"
        " (SELECT r.id FROM responses r JOIN invitees i ON i.id = r.invitee_id"
        " JOIN councils c ON c.id = i.council_id WHERE c.slug = 'powys' AND i.grp = 'member')"
    )
    _, changed = await reports_of(db, "en")
    await db.close()
    after = build_national(small_questionnaire(), councils, changed, "en", 5, generated_on=ON)
    assert after != before


# --- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_golden_national_report(tmp_path: Path, lang: Lang) -> None:
    report = await national(tmp_path, lang, rubric=small_advice())
    _golden(f"national-summary-{lang}.html", render_national_summary(report, lang) + "\n")
    _golden(f"national-{lang}.html", render_national_html(report, lang))


async def test_both_languages_have_the_same_content(tmp_path: Path) -> None:
    en = await national(tmp_path, "en", rubric=small_advice())
    cy = await national(tmp_path / "cy", "cy", rubric=small_advice())
    assert [(r.id, r.councils) for r in en.recommendations or ()] == [
        (r.id, r.councils) for r in cy.recommendations or ()
    ]
    assert [e.councils for e in en.examples] == [e.councils for e in cy.examples]
    html_en, html_cy = render_national_html(en, "en"), render_national_html(cy, "cy")
    number = re.compile(r">(\d+%?|–)<")
    assert number.findall(html_en) == number.findall(html_cy)
    assert html_en.count("<tr>") == html_cy.count("<tr>")
    # The councils not taking part are named once, in one sentence, not as empty rows.
    assert "Nid yw 17 cyngor yn cymryd rhan" in html_cy
    assert "17 councils are not taking part" in html_en
    assert "Ddim yn cymryd rhan" not in html_cy and "Not taking part" not in html_en
    assert html_en.count("Blaenau Gwent") == html_cy.count("Blaenau Gwent") == 1
    assert "Cymru gyfan" in html_cy and "All of Wales" in html_en
    assert "Cyngor Sir Powys" in html_cy and "Powys County Council" in html_en
    for word in ("Officers", "Level", "Council", "Wales", "agree"):
        assert word not in re.sub(r"<[^>]+>", " ", html_cy), word


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_document_is_self_contained_with_an_inline_heat_map(
    tmp_path: Path, lang: Lang
) -> None:
    report = await national(tmp_path, lang)
    html = render_national_html(report, lang)
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    assert html.count("<svg") == 1
    heat = heat_map(report, lang)
    assert len(heat.rows) == report.rates.taking_part == 5
    assert all(len(r.cells) == len(report.maturity) for r in heat.rows)
    digits = [c.text for r in heat.rows for c in r.cells if c.text not in ("", "–")]
    assert len(digits) == report.with_figures
    assert national_filename(ON) == "datatool-wales-2026-12-02.html"


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_summary_is_telegram_html(tmp_path: Path, lang: Lang) -> None:
    summary = render_national_summary(await national(tmp_path, lang), lang)
    check_text(summary)
    assert set(re.findall(r"</?([a-z-]+)", summary)) <= {"b", "i"}
