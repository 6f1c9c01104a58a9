"""The narrative by rule: each recommendation fires only when its finding does and cites the
right figures; key messages, telling findings, maturity and good practice read only the shown
figures; the advice files are checked against the questionnaire at load.

The thresholds are read from the rubric's own files, so these tests follow the data: a
threshold changed in ``recommendations.toml`` moves the counts tested here with it.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from reports.document import build_document
from reports.narrative import key_messages
from reports.phrases import and_list, aspirate
from reports.results import CouncilDocument
from rubric.advice import (
    GOOD_PRACTICE,
    NARRATIVE,
    RECOMMENDATIONS,
    Recommendation,
    load_advice,
)
from rubric.loader import QuestionnaireError, load_questionnaire
from tests.support.report_rows import People, report

ADVICE = load_advice()
QUESTIONNAIRE = load_questionnaire()
N = 10  # officers and elected members each, in every test council


def base(**answers: dict[str, dict[str, int]]) -> list[People]:
    """Powys with 10 officers and 10 members (the given answers for each group), and Cardiff
    with 10 favourable respondents for Wales."""
    return [
        People("officer", N, answers=answers.get("officer", {})),
        People("member", N, answers=answers.get("member", {})),
        People("officer", N, council="cardiff"),
    ]


def document(people: list[People], lang: str = "en") -> CouncilDocument:
    return build_document(report(people, lang), ADVICE)  # type: ignore[arg-type]


def fired(doc: CouncilDocument) -> dict[str, object]:
    return {r.id: r for r in doc.recommendations}


def unfavourable(qid: str) -> str:
    question = QUESTIONNAIRE.question(qid)
    assert question is not None
    return "a" if question.negative else "d"


def at_threshold(share: float, n: int = N) -> int:
    """The fewest of `n` whose share reaches `share` (exactly, as the rule compares)."""
    return math.ceil(round(share * n, 9))


STATEMENT_RULES = [r for r in ADVICE.recommendations if r.trigger.unfavourable_at_least]
LEVEL_RULES = [r for r in ADVICE.recommendations if r.trigger.level_share_at_least]


def neutral(rec: Recommendation, n: int = N) -> dict[str, dict[str, int]]:
    """Neither agree nor disagree with every statement that bears on `rec`."""
    return {qid: {"n": n} for qid in rec.statements}


def test_every_recommendation_is_tied_and_written_in_both_languages() -> None:
    assert len(ADVICE.recommendations) == 9
    for rec in ADVICE.recommendations:
        assert rec.text("en").startswith("The Authority should ")
        assert rec.text("cy").startswith("Dylai'r Awdurdod ")
        assert rec.councils("en").startswith("Councils should ")
        assert rec.councils("cy").startswith("Dylai cynghorau ")
        assert rec.statements or rec.characteristics


def test_nothing_fires_when_every_answer_is_favourable() -> None:
    doc = document(base())
    assert doc.recommendations == ()
    assert all(not t.recommendations for t in doc.themes)


@pytest.mark.parametrize("rec", STATEMENT_RULES, ids=lambda r: r.id)
def test_a_statement_rule_fires_at_its_threshold_and_not_below(rec: Recommendation) -> None:
    threshold = rec.trigger.unfavourable_at_least
    assert threshold is not None
    qid = rec.statements[0]
    k = at_threshold(threshold)
    choice = unfavourable(qid)

    # The other views neutral: nothing favourable argues against it.
    below = document(base(officer=neutral(rec) | {qid: {choice: k - 1, "n": N - k + 1}}))
    assert rec.id not in fired(below)

    doc = document(base(officer=neutral(rec) | {qid: {choice: k, "n": N - k}}))
    assert set(fired(doc)) == {rec.id}, "only the recommendation whose finding fired"
    result = fired(doc)[rec.id]
    [evidence] = [e for e in result.evidence if e.cell == "officer"]  # type: ignore[attr-defined]
    pct = round(100 * k / N)
    clause = next(s for t in doc.report.themes for s in t.statements if s.question_id == qid)
    verb = "agree" if choice == "a" else "disagree"
    assert evidence.sentence == (
        f"{pct}% of officers {verb} that {clause.clause} ({k} of the {N} who gave a view)."
    )
    assert (evidence.pct, evidence.count, evidence.base) == (pct, k, N)
    # It sits under its own theme, numbered.
    theme = next(t for t in doc.themes if t.theme_id == rec.theme)
    assert [r.id for r in theme.recommendations] == [rec.id] and result.number == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("rec", STATEMENT_RULES, ids=lambda r: r.id)
def test_a_statement_rule_is_cited_in_welsh_with_the_same_numbers(rec: Recommendation) -> None:
    threshold = rec.trigger.unfavourable_at_least
    assert threshold is not None
    qid = rec.statements[0]
    k = at_threshold(threshold)
    member = neutral(rec) | {qid: {unfavourable(qid): k, "n": N - k}}
    doc = document(base(officer=neutral(rec), member=member), "cy")
    result = fired(doc)[rec.id]
    assert result.text == rec.text("cy")  # type: ignore[attr-defined]
    [evidence] = [e for e in result.evidence if e.cell == "member"]  # type: ignore[attr-defined]
    verb = "cytuno" if unfavourable(qid) == "a" else "anghytuno"
    pct = round(100 * k / N)
    assert evidence.sentence.startswith(f"Mae {pct}% o'r aelodau etholedig yn {verb} bod ")
    assert evidence.sentence.endswith(f"({k} o'r {N} a fynegodd farn).")


@pytest.mark.parametrize("rec", LEVEL_RULES, ids=lambda r: r.id)
def test_a_level_rule_fires_when_enough_place_the_authority_at_level_1(
    rec: Recommendation,
) -> None:
    share = rec.trigger.level_share_at_least
    assert share is not None
    cid = rec.characteristics[0]
    qid = next(q.id for q in QUESTIONNAIRE.questions if q.characteristic == cid)
    k = at_threshold(share)
    # No favourable statement nor a majority at level 3 argues against it.
    quiet = neutral(rec)
    below = base(officer=quiet, member=quiet | {qid: {"1": k - 1, "2": N - k + 1}})
    assert rec.id not in fired(document(below))
    doc = document(base(officer=quiet, member=quiet | {qid: {"1": k, "2": N - k}}))
    assert set(fired(doc)) == {rec.id}
    [evidence] = fired(doc)[rec.id].evidence  # type: ignore[attr-defined]
    title = QUESTIONNAIRE.characteristic(cid).title("en")
    assert evidence.sentence == (
        f"{round(100 * k / N)}% of elected members place the Authority at level 1 for {title}"
        f" ({k} of the {N} who chose a level)."
    )


def test_the_wales_rule_cites_the_council_against_wales() -> None:
    rec = next(r for r in ADVICE.recommendations if r.id == "open_data")
    points = rec.trigger.below_wales_points
    assert points is not None and rec.trigger.unfavourable_at_least is not None
    # Neither agree nor disagree: no one disagrees, but agreement falls below Wales's. Wales
    # is shown only with at least two other councils' figures (reports.confidentiality).
    people = base(officer={"d_open": {"n": 5}}, member={"d_open": {"n": 5}})
    people.append(People("member", N, council="gwynedd"))
    doc = document(people)
    made = fired(doc)["open_data"]
    [evidence] = made.evidence_for  # type: ignore[attr-defined]
    assert evidence.kind == "below_wales"
    # The rest of Wales is the other councils (Cardiff and Gwynedd, all agreeing), never
    # Powys itself (which would make it 75%).
    assert evidence.sentence == (
        "50% of respondents agree that the Authority publishes open data and shares its"
        " insights with citizens and partners, against 100% in the rest of Wales."
    )
    # The same statement's figure for all respondents is named too, as a view against, and so
    # is the placement of everyone at level 3 for Open data.
    against = made.evidence_against  # type: ignore[attr-defined]
    assert [e.sentence for e in against] == [
        "100% of respondents place the Authority at level 3 for Open data (20 of the 20 who"
        " chose a level).",
        "50% of respondents agree and 0% disagree that the Authority publishes open data and"
        " shares its insights with citizens and partners (of the 20 who gave a view).",
    ]


def test_a_hidden_group_never_fires_a_recommendation() -> None:
    """Four officers all disagree; the rule hides officers (fewer than five), and all 14
    respondents together are under the threshold: nothing fires, nothing cites them."""
    people = [
        People("officer", 4, answers={"v_vision": {"d": 4}}),
        People("member", N),
        People("officer", N, council="cardiff"),
    ]
    doc = document(people)
    assert not doc.report.cell("officer").shown
    assert "vision" not in fired(doc)
    assert all(e.cell != "officer" for r in doc.recommendations for e in r.evidence)


def test_with_the_council_withheld_nothing_is_said_but_that() -> None:
    people = [
        People("officer", 3, answers={"v_vision": {"d": 3}}),
        People("officer", N, council="cardiff"),
    ]
    doc = document(people)
    assert doc.recommendations == ()
    assert doc.key_messages == (
        "No figures are shown for Powys County Council: fewer than 5 people responded.",
    )
    assert all(t.overall is None and not t.findings for t in doc.themes)
    assert all(line.counts is None for line in doc.maturity)
    # Good practice cannot be matched, so every example is offered, saying so.
    assert len(doc.good_practice) == len(ADVICE.good_practice)
    assert "not matched" in doc.good_practice_intro


# --- key messages, findings, maturity, good practice ----------------------------------------


def test_key_messages_are_three_to_six_and_chosen_by_rule() -> None:
    people = base(
        officer={"v_inventory": {"a": 8, "d": 2}, "lv_analytics": {"1": 6}, "d_inform": {"d": 8}},
        member={"v_inventory": {"a": 1, "d": 9}, "lv_analytics": {"1": 6}, "d_inform": {"d": 8}},
    )
    messages = key_messages(report(people), ADVICE)
    assert 3 <= len(messages) <= 6
    joined = "\n".join(messages)
    assert (
        "At least half of respondents place the Authority at level 1, the lowest, for Data"
        " analytics (60%)." in joined
    )
    assert (
        "Officers and elected members differ most on whether the Authority knows what data it"
        " holds, who holds it and what it is used for: 80% of officers agree, against 10% of"
        " elected members."
    ) in joined
    assert "80% of respondents disagree that the Authority uses data to inform decisions" in joined


def test_theme_findings_tell_two_to_four_with_their_figures() -> None:
    doc = document(base(officer={"s_skills": {"a": 5, "d": 5}}, member={"s_skills": {"d": 10}}))
    skills = next(t for t in doc.themes if t.theme_id == "skills")
    assert 2 <= len(skills.findings) <= 4
    kinds = [f.kind for f in skills.findings]
    assert kinds[0] == "agree"
    assert "disagree" in kinds and "group_gap" in kinds
    gap = next(f for f in skills.findings if f.kind == "group_gap")
    assert "50% of officers agree that the Authority has sufficient staff" in gap.sentence
    assert "against 0% of elected members" in gap.sentence
    assert skills.overall is not None and skills.overall.startswith(
        "Overall, respondents to the data tool take a positive view of the Authority's data"
        " skills and capacity:"
    )


def test_maturity_sentences_and_weakest_characteristics() -> None:
    doc = document(base(officer={"lv_open": {"1": 8}}, member={"lv_open": {"1": 7, "2": 3}}))
    line = next(m for m in doc.maturity if m.characteristic_id == "open_data")
    assert line.sentence.startswith(
        "Most respondents place the Authority at level 1 for Open data (15 of 20)."
    )
    assert line.shares == (75, 15, 10)
    assert doc.weakest[0] == "open_data"
    assert doc.good_practice[0].id == "data_mill_north"
    # Every example of the national study, each with the characteristics it shows.
    assert sorted(g.id for g in doc.good_practice) == sorted(g.id for g in ADVICE.good_practice)
    assert all(g.characteristics for g in doc.good_practice)


def test_welsh_lists_take_the_aspirate_mutation_and_ac() -> None:
    assert aspirate("Penderfyniadau") == "Phenderfyniadau" and aspirate("Chwarae") == "Chwarae"
    assert and_list("cy", ["Data agored", "Penderfyniadau a yrrir gan ddata"]) == (
        "Data agored a Phenderfyniadau a yrrir gan ddata"
    )
    assert and_list("cy", ["Data agored", "Arweinyddiaeth"]) == "Data agored ac Arweinyddiaeth"
    assert and_list("en", ["a", "b", "c"]) == "a, b and c"


# --- the gate at load -----------------------------------------------------------------------


def _write(tmp_path: Path, name: str, source: Path, replace: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    assert replace[0] in text
    path = tmp_path / name
    path.write_text(text.replace(*replace, 1), encoding="utf-8")
    return path


def test_an_unknown_statement_is_refused_at_load(tmp_path: Path) -> None:
    bad = _write(tmp_path, "r.toml", RECOMMENDATIONS, ('"v_vision"', '"v_visoin"'))
    with pytest.raises(QuestionnaireError, match="unknown statement 'v_visoin'"):
        load_advice(QUESTIONNAIRE, recommendations=bad)


def test_a_recommendation_without_its_welsh_opening_is_refused(tmp_path: Path) -> None:
    bad = _write(tmp_path, "r.toml", RECOMMENDATIONS, ("Dylai'r Awdurdod bennu", "Bennu"))
    with pytest.raises(QuestionnaireError, match="must start"):
        load_advice(QUESTIONNAIRE, recommendations=bad)


def test_a_good_practice_example_needs_both_languages(tmp_path: Path) -> None:
    bad = _write(tmp_path, "g.toml", GOOD_PRACTICE, ('summary.cy = "Mae Mynegai', 'summary.xx = "'))
    with pytest.raises(QuestionnaireError, match="cy"):
        load_advice(QUESTIONNAIRE, good_practice=bad)


def test_the_narrative_thresholds_are_data() -> None:
    raw = tomllib.loads(NARRATIVE.read_text(encoding="utf-8"))
    assert ADVICE.narrative.key_messages.max == raw["key_messages"]["max"] == 6
    assert {t.theme for t in ADVICE.narrative.topics} == {t.id for t in QUESTIONNAIRE.themes}


def test_all_six_examples_weakest_areas_first() -> None:
    from reports.document import build_document
    from tests.reports.test_document import powys_people
    from tests.support.report_rows import report

    doc = build_document(report(powys_people(), "en"))
    assert len(doc.good_practice) == len(ADVICE.good_practice) == 6
    rank = {cid: i for i, cid in enumerate(doc.weakest)}
    titles = {m.characteristic_id: m.title for m in doc.maturity}
    by_title = {v: k for k, v in titles.items()}
    firsts = [
        min((rank.get(by_title[c], 99) for c in g.characteristics), default=99)
        for g in doc.good_practice
    ]
    assert firsts == sorted(firsts)
    camden = next(g for g in doc.good_practice if g.id == "camden")
    assert "Integrated customer data" in camden.characteristics
