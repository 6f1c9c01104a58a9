"""Change between two rounds (`reports.rounds`): every sentence about change is true of the two
reports' own figures, recomputed here with the test's own arithmetic, in both languages; a figure
withheld in either round gives no line and no hint; reworded, new and removed statements are
said; the council and national reports show it in both languages, with grammatical Welsh.

The reports are built in memory from random releases (`tests.reports.test_claims.council_rows`),
the previous round's on a questionnaire without some statements, the current one's with others
dropped and one reworded, so that every kind of change turns up.
"""

from __future__ import annotations

import random
import re
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import build_report
from reports.change_claims import UntrueChange, checked_change, holds_change
from reports.confidentiality import change_shown
from reports.document import build_document
from reports.national import NationalReport, build_national
from reports.national_render import render_national_html
from reports.render import render_html
from reports.results import Claim, CouncilName, Report, RoundChange, Statement, StatementResult
from reports.rounds import compare_rounds
from rubric.changes import Change, changes
from rubric.schema import Lang, Questionnaire, Text
from storage.reporting import ReportRows
from tests.reports.test_claims import ADVICE, ON, OTHERS, POWYS, Q, council_rows
from tests.support.welsh_grammar import every_flaw, targets

K = 5
LANGS: tuple[Lang, ...] = ("en", "cy")
AGREE_IDS = [q.id for q in Q.questions if q.kind == "agree"]
TITLES = [t.title.cy for t in Q.themes] + [c.title.cy for c in Q.characteristics]
WANTED = targets(["Cyngor Sir Powys"], TITLES)
REWORDED = AGREE_IDS[0]


def without(questionnaire: Questionnaire, dropped: set[str]) -> Questionnaire:
    return questionnaire.model_copy(
        update={"questions": tuple(q for q in questionnaire.questions if q.id not in dropped)}
    )


def reworded(questionnaire: Questionnaire, qid: str) -> Questionnaire:
    def reword(text: Text) -> Text:
        return Text(
            en=text.en.rstrip(".") + ", as a rule.", cy=text.cy.rstrip(".") + ", fel arfer."
        )

    return questionnaire.model_copy(
        update={
            "questions": tuple(
                q.model_copy(update={"text": reword(q.text)}) if q.id == qid else q
                for q in questionnaire.questions
            )
        }
    )


def only(
    rows: ReportRows, questionnaire: Questionnaire, hidden: frozenset[str] | set[str] = frozenset()
) -> ReportRows:
    """The release's rows for the questions of `questionnaire`; `hidden` shown for nobody."""
    ids = {q.id for q in questionnaire.questions} - set(hidden)
    return rows.model_copy(
        update={
            "cells": tuple(c for c in rows.cells if c[0] in ids),
            "figures": tuple(f for f in rows.figures if f.question_id in ids),
        }
    )


def report(questionnaire: Questionnaire, rows: ReportRows, lang: Lang) -> Report:
    return build_report(questionnaire, rows, POWYS, lang, K, generated_on=ON)


# --- the test's own arithmetic ----------------------------------------------------------------


def _statements(r: Report) -> dict[str, Statement]:
    return {s.question_id: s for t in r.themes for s in t.statements}


def _all(s: Statement) -> StatementResult | None:
    r = s.result("all")
    return r if r is not None and r.n >= K and r.agree_pct is not None else None


def _favourable(s: Statement, r: StatementResult) -> int:
    value = r.disagree_pct if s.negative else r.agree_pct
    assert value is not None
    return value


def check_change(change: RoundChange, previous: Report, current: Report) -> None:
    """Everything the change says, recomputed from the two reports."""
    then_s, now_s = _statements(previous), _statements(current)
    lang = current.lang
    listed = {s.question_id for t in change.themes for s in t.statements}
    # Exactly the statements asked in both whose figure both reports show.
    expected = {
        q
        for q, s in now_s.items()
        if q in then_s and _all(s) is not None and _all(then_s[q]) is not None
    }
    assert listed == expected
    for theme in change.themes:
        ups = downs = sames = 0
        for line in theme.statements:
            a, b = _all(then_s[line.question_id]), _all(now_s[line.question_id])
            assert a is not None and b is not None and a.n >= K and b.n >= K
            assert (line.agree, line.disagree, line.dk) == (
                (a.agree_pct, b.agree_pct),
                (a.disagree_pct, b.disagree_pct),
                (a.dk, b.dk),
            )
            assert f"{a.agree_pct}% → {b.agree_pct}%" in line.line
            assert f"{a.disagree_pct}% → {b.disagree_pct}%" in line.line
            assert f" {a.dk} → {b.dk}." in line.line
            assert line.text == now_s[line.question_id].text
            assert (line.asked == "reworded") == (line.question_id == REWORDED), line
            move = _favourable(now_s[line.question_id], b) - _favourable(now_s[line.question_id], a)
            if move >= 5:
                ups += 1
            elif move <= -5:
                downs += 1
            else:
                sames += 1
        if ups + downs + sames < 2:
            assert theme.summary is None
            continue
        assert theme.summary is not None
        said = theme.summary
        total = ups + downs + sames
        if lang == "en":
            assert said.startswith(f"Of the {total} statements shown in both rounds, views moved ")
            parts = {
                "in the Authority's favour on ": ups,
                "against the Authority on ": downs,
                "by fewer than 5 points on ": sames,
            }
        else:
            noun = "ddatganiad" if total == 2 else "datganiad"
            assert said.startswith(f"O'r {total} {noun} a ddangoswyd yn y ddau gylch, ")
            parts = {
                "o blaid yr Awdurdod ar ": ups,
                "yn erbyn yr Awdurdod ar ": downs,
                "o lai na 5 pwynt ar ": sames,
            }
        for words, n in parts.items():
            if n:
                assert re.search(re.escape(words) + rf"{n}\b", said), (said, words, n)
            else:
                assert words not in said, said
    # Maturity: every characteristic shown in both, its medians as the reports show them.
    then_rows = {r.characteristic_id: r.result("all") for r in previous.maturity}
    higher = lower = same = 0
    shown = set()
    for row in current.maturity:
        was, now = then_rows.get(row.characteristic_id), row.result("all")
        if was is None or now is None or was.n < K or now.n < K:
            continue
        if was.median is None or now.median is None:
            continue
        shown.add(row.characteristic_id)
        higher += now.median > was.median
        lower += now.median < was.median
        same += now.median == was.median
        level = next(c for c in change.maturity if c.characteristic_id == row.characteristic_id)
        assert level.median == (was.median, now.median)
        assert f" {was.median} → {now.median}." in level.line
    assert {c.characteristic_id for c in change.maturity} == shown
    if higher + lower + same >= 2:
        assert change.maturity_summary is not None
        for word, n in (
            ("higher on " if lang == "en" else "yn uwch ar ", higher),
            ("lower on " if lang == "en" else "yn is ar ", lower),
            ("unchanged on " if lang == "en" else "heb newid ar ", same),
        ):
            assert (
                re.search(re.escape(word) + rf"{n}\b", change.maturity_summary) is not None
            ) == (n > 0), change.maturity_summary
    else:
        assert change.maturity_summary is None


def said_sentences(change: RoundChange) -> list[str]:
    out = [s.line for t in change.themes for s in t.statements]
    out += [t.summary for t in change.themes if t.summary]
    out += [c.line for c in change.maturity]
    out += [change.maturity_summary] if change.maturity_summary else []
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rng=st.randoms(use_true_random=False),
    before=st.tuples(st.integers(0, 14), st.integers(0, 14), st.integers(0, 7)),
    after=st.tuples(st.integers(0, 14), st.integers(0, 14), st.integers(0, 7)),
    dropped_then=st.sets(st.sampled_from(AGREE_IDS[1:]), max_size=3),
    dropped_now=st.sets(st.sampled_from(AGREE_IDS[1:]), max_size=3),
    hidden=st.sets(st.sampled_from(AGREE_IDS), max_size=3),
)
def test_every_sentence_about_change_is_true_of_both_reports_in_both_languages(
    rng: random.Random,
    before: tuple[int, int, int],
    after: tuple[int, int, int],
    dropped_then: set[str],
    dropped_now: set[str],
    hidden: set[str],
) -> None:
    then_q = without(Q, dropped_then)
    now_q = reworded(without(Q, dropped_now), REWORDED)
    rows_then = council_rows(rng, *(before if sum(before) else (1, 0, 0)))
    rows_now = council_rows(rng, *(after if sum(after) else (1, 0, 0)))
    # Some statements withheld in one round or the other (chosen at random).
    hidden_then = {q for q in hidden if rng.random() < 0.5}
    hidden_now = hidden - hidden_then
    diff = changes(then_q, now_q)
    made: dict[Lang, RoundChange] = {}
    for lang in LANGS:
        previous = report(then_q, only(rows_then, then_q, hidden_then), lang)
        current = report(now_q, only(rows_now, now_q, hidden_now), lang)
        change = compare_rounds(previous, current, diff, "2026", "2027")
        made[lang] = change
        claims = {c.sentence for c in change.claims}
        for sentence in said_sentences(change):
            assert sentence in claims, (lang, sentence)
        for claim in change.claims:
            assert holds_change(claim, previous, current), (lang, claim.sentence)
        check_change(change, previous, current)
        # A statement withheld in either round is never compared.
        listed = {s.question_id for t in change.themes for s in t.statements}
        assert not listed & (hidden_then | hidden_now)
        # Removed and new statements are listed, whatever the figures.
        removed = {s for t in change.themes for s in t.removed}
        then_texts = _statements(previous)
        assert removed == {
            then_texts[q].text for q in dropped_now - dropped_then if q in then_texts
        }
        new = {s for t in change.themes for s in t.new}
        now_texts = _statements(current)
        assert new == {now_texts[q].text for q in dropped_then - dropped_now if q in now_texts}
    # Both languages make the same claims on the same figures.
    en, cy = ([(c.kind, c.subject, c.figures) for c in made[lang].claims] for lang in LANGS)
    assert en == cy


# --- a pair of reports made to order -----------------------------------------------------------


@pytest.fixture(scope="module")
def pair() -> dict[Lang, tuple[Report, Report, RoundChange]]:
    return two_rounds()


def two_rounds() -> dict[Lang, tuple[Report, Report, RoundChange]]:
    """Powys's previous and current reports in each language, and the change between them
    (also rendered for the accessibility checks, tests/reports/test_accessibility.py)."""
    rng = random.Random(7)
    rows_then, rows_now = council_rows(rng, 14, 12, 6), council_rows(rng, 14, 14, 6)
    then_q = without(Q, {AGREE_IDS[3]})  # new in 2027
    now_q = reworded(without(Q, {AGREE_IDS[5]}), REWORDED)  # no longer asked; reworded
    hidden = AGREE_IDS[1]  # shown in 2026, withheld in 2027
    out = {}
    for lang in LANGS:
        previous = report(then_q, only(rows_then, then_q), lang)
        current = report(now_q, only(rows_now, now_q, {hidden}), lang)
        out[lang] = (
            previous,
            current,
            compare_rounds(previous, current, changes(then_q, now_q), "2026", "2027"),
        )
    return out


def _change_text(html: str) -> str:
    """The text of every "Change since" part of a rendered report."""
    parts = re.findall(r'<div class="change">.*?</div>', html, flags=re.DOTALL)
    assert parts
    return unescape(re.sub(r"<[^>]+>", " ", "\n".join(parts)))


def test_a_figure_withheld_in_either_round_gives_no_line_and_no_hint(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    hidden = AGREE_IDS[1]
    for lang, (previous, current, change) in pair.items():
        was = _statements(previous)[hidden]
        assert was.result("all") is not None  # shown then
        assert _statements(current)[hidden].result("all") is None  # withheld now
        assert hidden not in {s.question_id for t in change.themes for s in t.statements}
        text = _change_text(render_html(build_document(current, ADVICE, change), lang))
        assert _statements(current)[hidden].text not in text
        assert was.text not in text


def test_the_report_says_what_is_reworded_new_and_no_longer_asked_in_both_languages(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    words = {
        "en": ("Change since 2026", "(reworded since 2026)", "New in 2027", "No longer asked"),
        "cy": ("Newid ers 2026", "(aralleiriwyd ers 2026)", "Newydd yn 2027", "Ni ofynnir mwyach"),
    }
    for lang, (previous, current, change) in pair.items():
        html = render_html(build_document(current, ADVICE, change), lang)
        text = _change_text(html)
        for expected in words[lang]:
            assert expected in text, (lang, expected)
        assert _statements(current)[AGREE_IDS[3]].text in text  # new
        assert _statements(previous)[AGREE_IDS[5]].text in text  # removed
        line = next(s for t in change.themes for s in t.statements if s.question_id == REWORDED)
        assert line.note is not None and line.line in text
        assert (
            text.count(change.heading)
            == len([t for t in change.themes if t.statements or t.new or t.removed]) + 1
        )  # each theme with something to say, and maturity
        assert f'<html lang="{lang}">' in html


def test_the_welsh_change_text_passes_the_welsh_checker(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    _, current, change = pair["cy"]
    text = _change_text(render_html(build_document(current, ADVICE, change), "cy"))
    flaws = every_flaw(text, WANTED, ["powys", "wales"])
    assert not flaws, flaws


def test_without_a_change_the_report_is_as_before(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    for lang, (_, current, _) in pair.items():
        html = render_html(build_document(current, ADVICE), lang)
        assert 'class="change"' not in html


def test_a_change_in_another_language_or_of_another_council_is_refused(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    previous, current, _ = pair["en"]
    with pytest.raises(ValueError):
        build_document(pair["cy"][1], ADVICE, pair["en"][2])
    with pytest.raises(ValueError):
        compare_rounds(pair["cy"][0], current, [], "2026", "2027")
    other = previous.model_copy(
        update={"council": previous.council.model_copy(update={"slug": "cardiff"})}
    )
    with pytest.raises(ValueError):
        compare_rounds(other, current, [], "2026", "2027")


def test_a_false_sentence_about_change_is_refused(
    pair: dict[Lang, tuple[Report, Report, RoundChange]],
) -> None:
    previous, current, change = pair["en"]
    claim = next(c for c in change.claims if c.kind == "change_figures")
    assert checked_change(claim, previous, current) == claim
    wrong = claim.model_copy(update={"figures": (claim.figures[0] + 1, *claim.figures[1:])})
    with pytest.raises(UntrueChange):
        checked_change(wrong, previous, current)
    misquoted = claim.model_copy(update={"sentence": claim.sentence.replace("%", "0%", 1)})
    assert not holds_change(misquoted, previous, current)
    hidden = Claim(kind="change_figures", sentence="x", subject=AGREE_IDS[1], figures=())
    assert not holds_change(hidden, previous, current)
    assert not holds_change(Claim(kind="finding", sentence="x"), previous, current)


def test_a_change_line_rests_only_on_two_shown_figures_of_k_views() -> None:
    assert change_shown(5, 5, 5)
    assert change_shown(40, 12, 5)
    assert not change_shown(None, 12, 5)
    assert not change_shown(12, None, 5)
    assert not change_shown(4, 12, 5)
    assert not change_shown(12, 4, 5)


def test_reworded_is_told_from_otherwise_changed() -> None:
    rng = random.Random(3)
    rows = council_rows(rng, 14, 14, 0)
    previous, current = report(Q, rows, "en"), report(Q, rows, "en")
    qid = AGREE_IDS[2]
    change = compare_rounds(previous, current, [Change("question", qid, "changed")], "A", "B")
    line = next(s for t in change.themes for s in t.statements if s.question_id == qid)
    assert line.asked == "changed" and line.note == "(asked differently since A)"
    # The same figures twice: nothing moved, and the summaries say so.
    for theme in change.themes:
        if theme.summary:
            assert "by fewer than 5 points on" in theme.summary
            assert "favour" not in theme.summary and "against" not in theme.summary
    assert change.maturity_summary is not None and "unchanged on" in change.maturity_summary


# --- the national report ---------------------------------------------------------------------


def wales_two_rounds() -> tuple[list[CouncilName], dict[str, dict[str, ReportRows]]]:
    """Powys and the other councils' releases of 2026 and 2027, made to order."""
    rng = random.Random(11)
    councils = [POWYS] + [
        POWYS.model_copy(update={"slug": s, "name_en": s.title() + " Council"}) for s in OTHERS
    ]
    rounds = {
        label: {
            c.slug: council_rows(rng, rng.randrange(5, 15), rng.randrange(0, 15), 0, c.slug)
            for c in councils
        }
        for label in ("2026", "2027")
    }
    return councils, rounds


def national_with_change(
    councils: list[CouncilName], rounds: dict[str, dict[str, ReportRows]], lang: Lang
) -> tuple[dict[str, dict[str, Report]], NationalReport]:
    """Each round's council reports, and the national report of 2027 with its change since 2026
    (also rendered for the accessibility checks, tests/reports/test_accessibility.py)."""
    built = {
        label: {
            c.slug: build_report(Q, rows[c.slug], c, lang, K, generated_on=ON) for c in councils
        }
        for label, rows in rounds.items()
    }
    national = build_national(
        Q,
        councils,
        built["2027"],
        lang,
        K,
        generated_on=ON,
        previous=built["2026"],
        previous_label="2026",
        current_label="2027",
    )
    return built, national


def test_the_national_report_shows_each_characteristics_spread_then_and_now() -> None:
    councils, rounds = wales_two_rounds()
    for lang in LANGS:
        built, national = national_with_change(councils, rounds, lang)
        assert national.change is not None
        for row in national.change.rows:
            for label, got, total in (
                ("2026", row.then, row.then_with_figures),
                ("2027", row.now, row.now_with_figures),
            ):
                levels = []
                for r in built[label].values():
                    m = next(x for x in r.maturity if x.characteristic_id == row.characteristic_id)
                    res = m.result("all")
                    if res is not None and res.n:
                        levels.append(res.median)
                assert got == (levels.count(1), levels.count(2), levels.count(3)), label
                assert total == len(levels)
        html = render_national_html(national, lang)
        assert national.change.caption in unescape(html)
        row = national.change.rows[0]
        assert f"{row.then[0]} → {row.now[0]}" in html
        if lang == "cy":
            start = html.index('<h3 id="change-maturity"')
            part = html[start : html.index("</table>", start)]
            text = unescape(re.sub(r"<[^>]+>", " ", part))
            assert not every_flaw(text, WANTED, ["powys", "wales", *OTHERS])
        without_change = build_national(Q, councils, built["2027"], lang, K, generated_on=ON)
        assert 'id="change-maturity"' not in render_national_html(without_change, lang)
