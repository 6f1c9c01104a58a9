"""The report inputs (`storage.reporting`): one council's (`report_input`) and every council's
at once (`national_input`), which reads the shared rows once and each release table in one
query, must give each council exactly the rows its own report reads."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database
from storage.reporting import national_input, report_input
from storage.rows import Council
from tests.reports.test_national import answers
from tests.support.reports import add_people, open_db, release, small_questionnaire


async def _db(tmp_path: Path) -> Database:
    """Powys and Cardiff released; then three more Powys officers submit (pending), and
    Gwynedd's respondents are never released; nobody at all elsewhere."""
    db = await open_db(tmp_path)
    await add_people(db, "powys", "officer", invited=12, submitted=10, answers=answers(0))
    await add_people(db, "powys", "member", invited=9, submitted=6, answers=answers(0))
    await add_people(db, "cardiff", "member", invited=10, submitted=8, answers=answers(0))
    await release(db, small_questionnaire(), slugs=("powys", "cardiff"))
    await add_people(db, "powys", "officer", invited=4, submitted=3, answers=answers(0))
    await add_people(db, "gwynedd", "officer", invited=7, submitted=6, answers=answers(0))
    return db


async def _councils(db: Database) -> list[Council]:
    return [Council(**dict(r)) for r in await db.fetchall("SELECT * FROM councils ORDER BY id")]


async def test_national_input_is_each_councils_own_input(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        await _same_inputs(db)
    finally:
        await db.close()  # an open database keeps its thread, and pytest, from ending


async def _same_inputs(db: Database) -> None:
    councils = await _councils(db)
    every = await national_input(db, councils, comments=True)
    plain = await national_input(db, councils)
    assert list(every) == [c.slug for c in councils]
    for c in councils:
        own = await report_input(db, c.id)
        assert every[c.slug] == own, c.slug
        # The national report quotes no comment, so by default it reads none.
        assert plain[c.slug] == own.model_copy(update={"comments": ()}), c.slug
    powys, cardiff, gwynedd = every["powys"], every["cardiff"], every["gwynedd"]
    assert powys.comments and not plain["powys"].comments
    # The rows every council's input has are read once and shared.
    assert powys.wales is cardiff.wales and powys.responses is gwynedd.responses


async def test_release_rows_pending_and_councils_without_a_release(tmp_path: Path) -> None:
    db = await _db(tmp_path)
    try:
        await _release_rows(db)
    finally:
        await db.close()


async def _release_rows(db: Database) -> None:
    councils = {c.slug: c for c in await _councils(db)}
    powys = await report_input(db, councils["powys"].id)
    assert powys.release is not None
    assert (powys.release.responses, powys.release.pending) == (16, 3)
    (release_id,) = (
        await db.fetchall(
            "SELECT MAX(id) FROM releases WHERE council_id = ?", (councils["powys"].id,)
        )
    )[0]
    stored = await db.fetchall(
        "SELECT question_id, cell, choice, n FROM release_figures WHERE release_id = ?"
        " ORDER BY question_id, cell, choice",
        (release_id,),
    )
    assert [tuple(f.model_dump().values()) for f in powys.figures] == [tuple(r) for r in stored]
    assert {(g.group, g.team, g.respondents) for g in powys.groups} == {
        ("officer", None, 10),
        ("member", None, 6),
    }
    cardiff = await report_input(db, councils["cardiff"].id)
    assert cardiff.release is not None and cardiff.release.pending == 0
    # Gwynedd has submissions but no release: its response counts and Wales, no figures.
    gwynedd = await report_input(db, councils["gwynedd"].id)
    assert gwynedd.release is None and not gwynedd.figures and not gwynedd.groups
    assert [(r.invited, r.submitted) for r in gwynedd.council_responses()] == [(7, 6)]
    # Wales: two councils have moved on, and a Wales release needs more than two (a step of
    # one or two councils' figures is one council's to a reader of the other): none yet.
    assert gwynedd.wales == () and gwynedd.wales_steps == ()
    from reports.confidentiality import wales_may_move
    from storage import releases

    assert await releases.advance_wales(db, wales_may_move) is False
    # Once a third council moves on, Wales pools the released "all respondents" figures (of
    # the councils whose own reports show them).
    await release(db, small_questionnaire(), slugs=("gwynedd",))
    wales = await report_input(db, councils["conwy"].id)
    assert {w.council_slug for w in wales.wales} >= {"powys", "cardiff"}
    assert {s.council_slug for s in wales.wales_steps} >= {"powys", "cardiff"}
