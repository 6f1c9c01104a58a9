"""Releases: the stored snapshots that every report's figures come from (migration 0005).

`reports.confidentiality.make_release` decides what a new release shows; this module only reads
what it needs (the live counts, earlier releases) and stores what it decided. Live rows and
releases carry no person: counts per (group, team), and response ids only to record membership.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from typing import Any

from storage.database import Connection, Database, to_iso, utcnow
from storage.reporting import (
    _TEAM,
    AnswerCountRow,
    FigureRow,
    History,
    LiveRows,
    NewRelease,
    ReleaseGroupRow,
    ReleaseRow,
    ReleaseSizeRow,
)

__all__ = [
    "FigureRow",
    "History",
    "LiveRows",
    "NewRelease",
    "ReleaseGroupRow",
    "ReleaseRow",
    "ReleaseSizeRow",
]


def _team(value: str) -> str | None:
    return value or None


async def live_rows(db: Database, council_id: int, release_id: int | None = None) -> LiveRows:
    """The council's submitted responses now; with `release_id`, only its members."""
    member = (
        ""
        if release_id is None
        else " AND r.id IN (SELECT response_id FROM release_members WHERE release_id = :release_id)"
    )
    params: dict[str, Any] = {"council_id": council_id, "release_id": release_id}
    people = await db.fetchall(
        f"SELECT r.id, i.grp, {_TEAM} AS team FROM responses AS r"
        " JOIN invitees AS i ON i.id = r.invitee_id"
        " WHERE i.council_id = :council_id AND r.submitted_at IS NOT NULL" + member,
        params,
    )
    groups: dict[tuple[str, str | None], int] = {}
    for _, grp, team in people:
        groups[(grp, team)] = groups.get((grp, team), 0) + 1
    answers = await db.fetchall(
        f"SELECT i.grp, {_TEAM} AS team, a.question_id, a.choice, COUNT(*)"
        " FROM responses AS r JOIN invitees AS i ON i.id = r.invitee_id"
        " JOIN answers AS a ON a.response_id = r.id"
        " WHERE i.council_id = :council_id AND r.submitted_at IS NOT NULL"
        " AND a.choice IS NOT NULL" + member + f" GROUP BY i.grp, {_TEAM}, a.question_id, a.choice",
        params,
    )
    return LiveRows(
        groups=tuple(
            ReleaseGroupRow(group=g, team=t, respondents=n)
            for (g, t), n in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        ),
        answers=tuple(
            AnswerCountRow(council_slug="", group=g, team=t, question_id=q, choice=c, n=n)
            for g, t, q, c, n in answers
        ),
        members=tuple(sorted(r[0] for r in people)),
    )


async def latest(db: Database, council_id: int) -> ReleaseRow | None:
    row = await db.fetchone(
        "SELECT id, council_id, made_at, responses, final FROM releases"
        " WHERE council_id = ? ORDER BY id DESC LIMIT 1",
        (council_id,),
    )
    if row is None:
        return None
    return ReleaseRow(
        id=row[0], council_id=row[1], made_at=row[2], responses=row[3], final=bool(row[4])
    )


async def members(db: Database, release_id: int) -> set[int]:
    rows = await db.fetchall(
        "SELECT response_id FROM release_members WHERE release_id = ?", (release_id,)
    )
    return {r[0] for r in rows}


async def history(db: Database, council_id: int) -> list[History]:
    """Every earlier release of the council, oldest first."""
    out = []
    for (release_id,) in await db.fetchall(
        "SELECT id FROM releases WHERE council_id = ? ORDER BY id", (council_id,)
    ):
        groups = await db.fetchall(
            "SELECT grp, team, respondents FROM release_groups WHERE release_id = ?",
            (release_id,),
        )
        sizes = await db.fetchall(
            "SELECT grp, team, question_id, asked, views FROM release_sizes WHERE release_id = ?",
            (release_id,),
        )
        cells = await db.fetchall(
            "SELECT question_id, cell FROM release_cells WHERE release_id = ?"
            " ORDER BY question_id, cell",
            (release_id,),
        )
        out.append(
            History(
                id=release_id,
                groups=tuple(
                    ReleaseGroupRow(group=g, team=_team(t), respondents=n) for g, t, n in groups
                ),
                sizes=tuple(
                    ReleaseSizeRow(group=g, team=_team(t), question_id=q, asked=a, views=v)
                    for g, t, q, a, v in sizes
                ),
                cells=tuple((q, c) for q, c in cells),
                overlap=await live_rows(db, council_id, release_id),
            )
        )
    return out


ADVANCE_TRIES = 5
"""How many times `advance` decides again when another release was stored meanwhile."""


class Stale(Exception):
    """Another release of the council was stored after the one a decision was made against."""


async def store(
    db: Database,
    council_id: int,
    new: NewRelease,
    min_group_size: int,
    *,
    after: int | None,
) -> int:
    """Stores a release decided by `reports.confidentiality.make_release` against the council's
    releases up to ``after`` (its latest then); returns its id. Raises `Stale` if another was
    stored since: the rule compares each release with every one before it, and one decided
    without the other's knowledge was never compared with it. Alone (`Database.serializable`),
    so that two workers storing at once cannot both find none new. Members who withdrew in the
    meantime are simply not recorded."""

    async def write(conn: Connection) -> int:
        newest = await conn.fetchone(
            "SELECT MAX(id) FROM releases WHERE council_id = ?", (council_id,)
        )
        if (None if newest is None else newest[0]) != after:
            raise Stale(f"council {council_id} has a release after {after}")
        inserted = await conn.fetchone(
            "INSERT INTO releases (council_id, made_at, responses, final, min_group_size)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (council_id, to_iso(utcnow()), new.responses, int(new.final), min_group_size),
        )
        assert inserted is not None
        release_id = int(inserted[0])
        await conn.executemany(
            "INSERT INTO release_members (release_id, response_id)"
            " SELECT ?, id FROM responses WHERE id = ?",
            [(release_id, m) for m in new.members],
        )
        await conn.executemany(
            "INSERT INTO release_groups (release_id, grp, team, respondents) VALUES (?, ?, ?, ?)",
            [(release_id, g.group, g.team or "", g.respondents) for g in new.groups],
        )
        await conn.executemany(
            "INSERT INTO release_sizes (release_id, grp, team, question_id, asked, views)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (release_id, s.group, s.team or "", s.question_id, s.asked, s.views)
                for s in new.sizes
            ],
        )
        await conn.executemany(
            "INSERT INTO release_cells (release_id, question_id, cell) VALUES (?, ?, ?)",
            [(release_id, q, c) for q, c in new.cells],
        )
        await conn.executemany(
            "INSERT INTO release_figures (release_id, question_id, cell, choice, n)"
            " VALUES (?, ?, ?, ?, ?)",
            [(release_id, f.question_id, f.cell, f.choice, f.n) for f in new.figures],
        )
        return release_id

    return await db.serializable(write)


async def withdrawn_since(db: Database, release: ReleaseRow) -> int:
    """Members of the release who have withdrawn since it was made."""
    row = await db.fetchone(
        "SELECT COUNT(*) FROM release_members WHERE release_id = ?", (release.id,)
    )
    return release.responses - (int(row[0]) if row else 0)


Decide = Callable[[LiveRows, list[History], bool], NewRelease | None]
"""`reports.confidentiality.make_release` with the questionnaire and minimum bound."""


async def advance(
    db: Database, council_id: int, decide: Decide, min_group_size: int, *, final: bool
) -> ReleaseRow | None:
    """Moves the council's release forward when the rule lets it; returns the release to show
    (None before anyone has submitted). Cheap when nothing changed: one count of members."""
    for _ in range(ADVANCE_TRIES - 1):
        with contextlib.suppress(Stale):  # released meanwhile (another worker): decide again
            return await _advance(db, council_id, decide, min_group_size, final=final)
    return await _advance(db, council_id, decide, min_group_size, final=final)


async def _advance(
    db: Database, council_id: int, decide: Decide, min_group_size: int, *, final: bool
) -> ReleaseRow | None:
    last = await latest(db, council_id)
    now = await db.fetchall(
        "SELECT r.id FROM responses AS r JOIN invitees AS i ON i.id = r.invitee_id"
        " WHERE i.council_id = ? AND r.submitted_at IS NOT NULL",
        (council_id,),
    )
    ids = {r[0] for r in now}
    if last is None and not ids:
        return None
    if last is not None and (last.final or not final) and ids == await members(db, last.id):
        return last
    live = await live_rows(db, council_id)
    new = decide(live, await history(db, council_id), final)
    if new is None:
        return last
    try:
        await store(db, council_id, new, min_group_size, after=None if last is None else last.id)
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        return last  # a read-only copy (`datatool report` on a backup): what was released
    return await latest(db, council_id)


_CHANGED = """
SELECT c.id,
  (SELECT COUNT(*) FROM responses AS r JOIN invitees AS i ON i.id = r.invitee_id
   WHERE i.council_id = c.id AND r.submitted_at IS NOT NULL) AS submitted,
  (SELECT COUNT(*) FROM release_members AS m WHERE m.release_id = l.id) AS members,
  (SELECT COUNT(*) FROM release_members AS m JOIN responses AS r ON r.id = m.response_id
   WHERE m.release_id = l.id AND r.submitted_at IS NOT NULL) AS both_,
  l.id, l.final
FROM councils AS c
LEFT JOIN releases AS l ON l.id = (SELECT MAX(id) FROM releases WHERE council_id = c.id)
ORDER BY c.id
"""


async def pending_councils(db: Database) -> list[tuple[int, bool]]:
    """(council id, changed) for every council with responses whose latest release is not
    final or whose submitted responses differ from that release's members (changed): one query
    for all councils, so that a report finds quickly that nothing needs releasing."""
    out = []
    for council_id, submitted, members_, both, release_id, final in await db.fetchall(_CHANGED):
        if release_id is None and not submitted:
            continue
        changed = release_id is None or not (submitted == members_ == both)
        if changed or not final:
            out.append((council_id, changed))
    return out
