"""Issue 21's sentences that said what the figures did not, one test each, on the real
questionnaire and advice (each failed on the report as it was).

The property test over random councils (`test_claims.py`) checks every sentence in general;
these pin the cases an auditor found in the Powys demo.
"""

from __future__ import annotations

from html import unescape

from reports.document import build_document
from reports.national import lower_median
from reports.render import render_html
from reports.results import CouncilDocument, Report
from rubric.advice import load_advice
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from tests.support.report_rows import People, report

ADVICE = load_advice()
Q = load_questionnaire()
N = 10


def document(people: list[People], lang: Lang = "en") -> CouncilDocument:
    return build_document(report(people, lang), ADVICE)


def people(**answers: dict[str, dict[str, int]]) -> list[People]:
    """Powys with 10 officers and 10 elected members, and Cardiff with 10 officers."""
    return [
        People("officer", N, answers=answers.get("officer", {})),
        People("member", N, answers=answers.get("member", {})),
        People("officer", N, council="cardiff"),
    ]


def positive_at(agree: int) -> dict[str, dict[str, int]]:
    """Every positively worded statement agreed with by `agree` of 10, the rest neutral."""
    return {
        q.id: {"a": agree, "n": N - agree}
        for q in Q.questions
        if q.kind == "agree" and not q.negative
    }


def test_the_superlative_is_over_every_statement_the_negatively_worded_reversed() -> None:
    """70% agree with every positively worded statement, 90% agree that data protection is a
    barrier: "70% agree ..., more than with any other statement" would be false. The barrier
    is the strongest view, unfavourable, and is said so; the favourable superlative says what
    it is a superlative of."""
    answers = positive_at(7) | {"p_barrier": {"a": 9, "d": 1}}
    for lang, barrier, unfavourable in (
        (
            "en",
            "90% of respondents agree that data protection legislation is seen as a barrier",
            "no other statement draws a larger share of views unfavourable to the Authority.",
        ),
        (
            "cy",
            "Mae 90% o'r ymatebwyr yn cytuno bod deddfwriaeth diogelu data",
            "nid oes gan unrhyw ddatganiad arall gyfran fwy o farnau sy'n anffafriol i'r Awdurdod.",
        ),
    ):
        doc = document(people(officer=answers, member=answers), lang)  # type: ignore[arg-type]
        messages = "\n".join(doc.key_messages)
        assert any(m.startswith(barrier) and m.endswith(unfavourable) for m in doc.key_messages)
        assert "more than with any other statement" not in messages
        assert "yn fwy nag ag unrhyw ddatganiad arall" not in messages
        [best] = [c for c in doc.claims if c.kind == "superlative" and c.side == "favourable"]
        assert best.figures == (70,)


def test_the_overall_view_counts_the_negatively_worded_statement() -> None:
    """Every positively worded statement on data protection agreed with by all, and all agree
    it is a barrier: the overall view counts that agreement as unfavourable (20 of the 140
    views), not leaving it out to say 100%."""
    answers = {"p_barrier": {"a": N}}
    doc = document(people(officer=answers, member=answers))
    protection = next(t for t in doc.themes if t.theme_id == "protection")
    statements = next(t for t in doc.report.themes if t.theme_id == "protection").statements
    views = sum(r.n for s in statements if (r := s.result("all")) is not None)
    unfavourable = 2 * N
    assert protection.overall == (
        "Overall, respondents to the data tool take a positive view of how the Authority"
        f" protects and shares data: {round(100 * (views - unfavourable) / views)}% of the views"
        f" given on this theme's statements are favourable to the Authority and"
        f" {round(100 * unfavourable / views)}% unfavourable. Disagreeing with a negatively"
        " worded statement counts as a favourable view, and agreeing with it as an unfavourable"
        " one."
    )
    welsh = document(people(officer=answers, member=answers), "cy")
    overall = next(t for t in welsh.themes if t.theme_id == "protection").overall
    assert overall is not None and "datganiad a eiriwyd yn negyddol" in overall


def test_a_recommendation_its_own_evidence_argues_against_is_withheld() -> None:
    """Most know what they can share and say the protocols are up to date, while most see data
    protection as a barrier and place the Authority at level 1 for it: refresher training and
    new protocols are not recommended; the work on how data protection is seen is, and its
    evidence names the figures for it and against it."""
    officer = {
        "p_managers": {"a": 7, "d": 3},
        "p_protocols": {"a": 7, "d": 3},
        "p_barrier": {"a": 8},
        "p_framework": {"n": N},
        "lv_protection": {"1": 7, "2": 3},
    }
    member = {
        "p_managers": {"a": 6, "d": 4},
        "p_barrier": {"a": 8},
        "p_framework": {"n": N},
        "lv_protection": {"1": 7, "2": 3},
    }
    doc = document(people(officer=officer, member=member))
    made = {r.id: r for r in doc.recommendations}
    assert "protection_training" not in made
    perception = made["protection_perception"]
    assert perception.evidence_for[0].sentence == (
        "80% of respondents agree and 20% disagree that data protection legislation is seen as"
        " a barrier to sharing data (of the 20 who gave a view)."
    )
    assert [e.sentence for e in perception.evidence_against] == [
        "100% of respondents agree and 0% disagree that Authority staff are clear about their"
        " responsibilities to ensure that data is processed in accordance with data protection"
        " legislation (of the 20 who gave a view)."
    ]


def test_the_data_audit_rests_on_knowing_what_data_the_authority_holds() -> None:
    """Its evidence is the statement that bears on it ("knows what data it holds"), never
    another that does not (working in silos)."""
    answers = {"v_inventory": {"d": 6, "n": 4}, "v_silos": {"d": N}}
    doc = document(people(officer=answers, member=answers))
    audit = next(r for r in doc.recommendations if r.id == "data_audit")
    assert audit.evidence_for[0].sentence == (
        "0% of respondents agree and 60% disagree that the Authority knows what data it holds,"
        " who holds it and what it is used for (of the 20 who gave a view)."
    )
    assert all(e.subject != "v_silos" for e in audit.evidence)


def test_a_trigger_a_majority_contradicts_does_not_fire() -> None:
    """Four of ten officers disagree that the Authority has a clear vision, six agree: most of
    them take the favourable view, so the vision recommendation is not made on their figure."""
    doc = document(people(officer={"v_vision": {"d": 4}}))
    assert "vision" not in {r.id for r in doc.recommendations}


def _levels(doc: CouncilDocument | Report, cid: str) -> tuple[int, int, int, int | None]:
    report = doc.report if isinstance(doc, CouncilDocument) else doc
    row = next(r for r in report.maturity if r.characteristic_id == cid)
    result = row.result("all")
    assert result is not None
    return (*result.levels, result.median)


def test_one_median_rule_in_the_council_report_and_the_national_heat_map() -> None:
    """Ten at level 1 and ten at level 2: the median is level 1 (the lower middle answer) in
    the council report, its maturity line and on the national heat map alike, never 1.5."""
    answers = {"lv_leadership": {"1": 5, "2": 5}}
    doc = document(people(officer=answers, member=answers))
    one, two, three, median = _levels(doc, "leadership")
    assert (one, two, three, median) == (10, 10, 0, 1)
    assert lower_median((one, two, three)) == median
    line = next(m for m in doc.maturity if m.characteristic_id == "leadership")
    assert "(median level 1)" in line.sentence


def test_the_report_says_what_wales_is_how_figures_round_and_the_median_rule() -> None:
    for lang, words in (
        ("en", ("The rest of Wales means the other councils", "99% or 101%", "the lower of")),
        ("cy", ("Ystyr gweddill Cymru yw'r cynghorau eraill", "99% neu 101%", "yr isaf o'r")),
    ):
        html = unescape(render_html(document(people(), lang), lang))  # type: ignore[arg-type]
        assert all(w in html for w in words), lang
