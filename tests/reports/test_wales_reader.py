"""The Wales figures in a copy of a report for someone who covers several councils (an auditor
of a region): they see each of those councils' own figures, so the rest of Wales (the other
councils, never the report's own) less all of theirs must still pool at least WALES_MIN_OTHERS
councils, or it would be one other council's figure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reports import build_report
from reports.confidentiality import WALES_MIN_OTHERS, wales_pooled
from storage.reporting import report_input
from tests.support.reports import add_people, council, open_db, release, small_questionnaire

ON = date(2026, 12, 2)
SLUGS = ("powys", "cardiff", "conwy", "gwynedd", "ceredigion")


def _answers(i: int) -> dict[str, tuple[str | None, str | None]]:
    return {"v1": (("a", "d", "sa", "n")[i % 4], None), "vlevel": (str(i % 3 + 1), None)}


async def test_a_regional_auditor_cannot_subtract_their_councils_from_wales(
    tmp_path: Path,
) -> None:
    db = await open_db(tmp_path)
    for slug, n in zip(SLUGS[:4], (9, 8, 7, 6), strict=True):
        await add_people(db, slug, "member", invited=n, submitted=n, answers=_answers)
    await release(db, small_questionnaire(), unanimity_safe_size=0)
    powys = await council(db, "powys")
    rows = await report_input(db, powys.id)
    await db.close()
    q = small_questionnaire()

    def wales(covers: frozenset[str]) -> int | None:
        report = build_report(q, rows, powys, "en", 5, generated_on=ON, reader_covers=covers)
        cells = {c.key: c for c in report.shown_cells()}
        return cells["wales"].respondents if "wales" in cells else None

    # Powys's own auditor: the rest of Wales is Cardiff, Conwy and Gwynedd, never Powys.
    assert wales(frozenset()) == 8 + 7 + 6
    # An auditor of Powys and Cardiff: Conwy and Gwynedd are still two others.
    assert wales(frozenset({"powys", "cardiff"})) == 8 + 7 + 6
    # An auditor of Powys, Cardiff and Conwy would learn Gwynedd's figures: not shown, and said.
    covers = frozenset({"powys", "cardiff", "conwy"})
    assert wales(covers) is None
    report = build_report(q, rows, powys, "cy", 5, generated_on=ON, reader_covers=covers)
    assert any("mwy nag un cyngor" in w for w in report.withheld)
    english = build_report(q, rows, powys, "en", 5, generated_on=ON, reader_covers=covers)
    assert any("more than one council" in w for w in english.withheld)


contributions = st.dictionaries(
    st.sampled_from(SLUGS),
    st.dictionaries(
        st.sampled_from(["v1", "v2", "vlevel"]),
        st.dictionaries(st.sampled_from(["a", "d", "1", "2"]), st.integers(5, 40), min_size=1),
        min_size=1,
    ),
)


@given(contributions, st.sampled_from(SLUGS), st.frozensets(st.sampled_from(SLUGS)))
def test_every_wales_figure_pools_two_councils_the_reader_does_not_cover(
    given_: dict[str, dict[str, dict[str, int]]], own: str, covers: frozenset[str]
) -> None:
    pooled = wales_pooled(given_, own, covers)
    for qid, total in pooled.items():
        contributing = {slug for slug, questions in given_.items() if qid in questions}
        assert len(contributing - covers - {own}) >= WALES_MIN_OTHERS
        expected: dict[str, int] = {}
        for slug in contributing - {own}:  # the rest of Wales: never the report's own council
            for choice, n in given_[slug][qid].items():
                expected[choice] = expected.get(choice, 0) + n
        assert total == expected
    # Every copy such a reader holds (a report of each council they cover) shows the rest of
    # Wales less that copy's own council, whose figure the reader sees anyway: each copy, with
    # its council added back, is the same one equation, never two that differ by a council the
    # reader does not cover.
    mine = covers | {own}

    def with_own(slug: str) -> dict[str, dict[str, int]]:
        out = {qid: dict(c) for qid, c in wales_pooled(given_, slug, mine).items()}
        for qid, counts in out.items():
            for choice, n in given_.get(slug, {}).get(qid, {}).items():
                counts[choice] = counts.get(choice, 0) + n
        return out

    for other in mine:
        assert with_own(other) == with_own(own)
