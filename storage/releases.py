"""Releases: the stored snapshots that every report's figures come from (migration 0005).

`reports.confidentiality.make_release` decides what a new release shows; this module only reads
what it needs (the live counts, earlier releases) and stores what it decided. Live rows and
releases carry no person: counts per (group, team), and response ids only to record membership.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Callable
from typing import Any

from storage.database import Connection, Database, to_iso, utcnow
from storage.reporting import (
    _TEAM,
    COUNTED_IN,
    AnswerCountRow,
    CountedIn,
    FigureRow,
    LiveRows,
    NewRelease,
    PastRelease,
    ReleaseGroupRow,
    ReleaseRow,
    ReleaseSizeRow,
    Roll,
    RollChoice,
    RollPerson,
)

__all__ = [
    "FigureRow",
    "LiveRows",
    "NewRelease",
    "PastRelease",
    "ReleaseGroupRow",
    "ReleaseRow",
    "ReleaseSizeRow",
    "Roll",
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


async def roll(db: Database, council_id: int) -> Roll:
    """The council's people for the rule between releases: every submitted response now, with
    the releases that count it and its chosen options, and everyone an earlier release counted
    who has withdrawn since (`release_departed`: group, team and releases only)."""
    people = await db.fetchall(
        f"SELECT r.id, i.grp, {_TEAM} AS team, r.language FROM responses AS r"
        " JOIN invitees AS i ON i.id = r.invitee_id"
        " WHERE i.council_id = ? AND r.submitted_at IS NOT NULL ORDER BY r.id",
        (council_id,),
    )
    counted: dict[int, list[CountedIn]] = {}
    for response_id, release_id, grp, team, now_grp, now_team in await db.fetchall(
        f"SELECT m.response_id, m.release_id, m.grp, NULLIF(TRIM(m.team), ''), i.grp, {_TEAM}"
        " FROM release_members AS m JOIN releases AS l ON l.id = m.release_id"
        " JOIN responses AS r ON r.id = m.response_id JOIN invitees AS i ON i.id = r.invitee_id"
        " WHERE l.council_id = ? ORDER BY m.release_id",
        (council_id,),
    ):
        counted.setdefault(response_id, []).append(
            CountedIn(
                release=release_id,
                group=grp or now_grp,
                team=team if grp is not None else now_team,
            )
        )
    departed: dict[str, list[CountedIn]] = {}
    for key, grp, team, release_id in await db.fetchall(
        "SELECT d.departure, d.grp, d.team, d.release_id FROM release_departed AS d"
        " JOIN releases AS l ON l.id = d.release_id WHERE l.council_id = ?"
        " ORDER BY d.departure, d.release_id",
        (council_id,),
    ):
        departed.setdefault(key, []).append(
            CountedIn(release=release_id, group=grp, team=_team(team))
        )
    choices = await db.fetchall(
        "SELECT a.response_id, a.question_id, a.choice FROM answers AS a"
        " JOIN responses AS r ON r.id = a.response_id JOIN invitees AS i ON i.id = r.invitee_id"
        " WHERE i.council_id = ? AND r.submitted_at IS NOT NULL AND a.choice IS NOT NULL",
        (council_id,),
    )
    return Roll(
        people=(
            *(
                RollPerson(
                    response_id=r,
                    group=g,
                    team=t,
                    language=lang,
                    releases=tuple(counted.get(r, ())),
                )
                for r, g, t, lang in people
            ),
            *(
                RollPerson(
                    response_id=None,
                    departure=key,
                    group=rels[-1].group,
                    team=rels[-1].team,
                    language=None,
                    releases=tuple(rels),
                )
                for key, rels in sorted(departed.items())
            ),
        ),
        choices=tuple(RollChoice(response_id=r, question_id=q, choice=c) for r, q, c in choices),
    )


async def history(db: Database, council_id: int) -> list[PastRelease]:
    """Every earlier release of the council, oldest first: what each showed."""
    releases = await db.fetchall(
        "SELECT id, final, responses FROM releases WHERE council_id = ? ORDER BY id",
        (council_id,),
    )
    cells: dict[int, list[tuple[str, str]]] = {r[0]: [] for r in releases}
    for release_id, question_id, cell in await db.fetchall(
        "SELECT c.release_id, c.question_id, c.cell FROM release_cells AS c"
        " JOIN releases AS l ON l.id = c.release_id WHERE l.council_id = ?"
        " ORDER BY c.release_id, c.question_id, c.cell",
        (council_id,),
    ):
        # A release stored between the two reads (another task's) is not in this history;
        # `store` then finds it after the one decided against and decides again (`Stale`).
        if release_id in cells:
            cells[release_id].append((question_id, cell))
    return [
        PastRelease(id=i, final=bool(f), responses=n, cells=tuple(cells[i])) for i, f, n in releases
    ]


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
    meantime are simply not recorded. A release that `repeats` an earlier one takes its
    figures, cells, groups and members (and those who withdrew since are recorded as counted
    in it too: its figures still count them).

    Then the figures of every release of the council that no report shows any more (not the
    latest, not pooled in the current Wales release) are deleted: only which cells they showed,
    and how many were asked, stay, which is all the rule between releases needs. So a
    withdrawal's answers do not stay in old figures, beside the others' answers, for longer
    than the figures that count them are shown."""

    async def write(conn: Connection) -> int:
        newest = await conn.fetchone(
            "SELECT MAX(id) FROM releases WHERE council_id = ?", (council_id,)
        )
        if (None if newest is None else newest[0]) != after:
            raise Stale(f"council {council_id} has a release after {after}")
        inserted = await conn.fetchone(
            "INSERT INTO releases (council_id, made_at, responses, final, min_group_size,"
            " repeats) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                council_id,
                to_iso(utcnow()),
                new.responses,
                int(new.final),
                min_group_size,
                new.repeats,
            ),
        )
        assert inserted is not None
        release_id = int(inserted[0])
        if new.repeats is not None:
            for table, columns in _REPEATED:
                await conn.execute(
                    f"INSERT INTO {table} (release_id, {columns})"
                    f" SELECT ?, {columns} FROM {table} WHERE release_id = ?",
                    (release_id, new.repeats),
                )
        else:
            await conn.executemany(
                f"INSERT INTO release_members (release_id, response_id, grp, team)"
                f" SELECT ?, r.id, i.grp, {_TEAM} FROM responses AS r"
                " JOIN invitees AS i ON i.id = r.invitee_id WHERE r.id = ?",
                [(release_id, m) for m in new.members],
            )
            await conn.executemany(
                "INSERT INTO release_groups (release_id, grp, team, respondents)"
                " VALUES (?, ?, ?, ?)",
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
        await conn.execute(_FORGET_SUPERSEDED, (council_id, release_id))
        return release_id

    return await db.serializable(write)


_REPEATED = (
    ("release_members", "response_id, grp, team"),
    ("release_departed", "departure, grp, team"),
    ("release_groups", "grp, team, respondents"),
    ("release_sizes", "grp, team, question_id, asked, views"),
    ("release_cells", "question_id, cell"),
    ("release_figures", "question_id, cell, choice, n"),
)

# The figures of the council's releases that nothing shows any more: older than the latest,
# and not the one the current Wales release pools.
_FORGET_SUPERSEDED = """
DELETE FROM release_figures WHERE release_id IN (
  SELECT l.id FROM releases AS l WHERE l.council_id = ? AND l.id < ?
  AND l.id NOT IN (SELECT release_id FROM wales_members
                   WHERE wales_release_id = (SELECT MAX(id) FROM wales_releases))
)
"""


async def record_departure(conn: Connection, invitee_ids: list[int]) -> None:
    """Inside the withdrawal's transaction, before the response is deleted: the releases that
    counted it keep a note that someone of that group and team, under a random key, has left
    them (the check between releases needs it; no answer, no response id)."""
    for invitee_id in invitee_ids:
        rows = await conn.fetchall(
            f"SELECT m.release_id, {COUNTED_IN}"
            " FROM release_members AS m JOIN responses AS r ON r.id = m.response_id"
            " JOIN invitees AS i ON i.id = r.invitee_id WHERE i.id = ?",
            (invitee_id,),
        )
        key = secrets.token_hex(16)
        for release_id, grp, team in rows:
            await conn.execute(
                "INSERT INTO release_departed (release_id, departure, grp, team)"
                " VALUES (?, ?, ?, ?)",
                (release_id, key, grp, team or ""),
            )


async def withdraw(conn: Connection, invitee_ids: list[int]) -> int:
    """The one path by which answers leave, for `/forget` (`Accounts.forget`) and for
    `datatool roster remove` (`Roster.remove_invitees`) alike, inside the caller's
    transaction: the departure noted in the releases that counted them (`record_departure`),
    then their responses and answers deleted. The caller clears or deletes the roster row and
    checkpoints afterwards. How many responses went."""
    await record_departure(conn, invitee_ids)
    gone = 0
    for invitee_id in invitee_ids:
        gone += await conn.execute("DELETE FROM responses WHERE invitee_id = ?", (invitee_id,))
    return gone


async def withdrawn_since(db: Database, release: ReleaseRow) -> int:
    """Members of the release who have withdrawn since it was made."""
    row = await db.fetchone(
        "SELECT COUNT(*) FROM release_members WHERE release_id = ?", (release.id,)
    )
    return release.responses - (int(row[0]) if row else 0)


Decide = Callable[[Roll, list[PastRelease], bool], NewRelease | None]
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
    new = decide(await roll(db, council_id), await history(db, council_id), final)
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


# --- Wales ----------------------------------------------------------------------------------

WalesMove = Callable[[dict[int, int], dict[int, int]], bool]
"""`reports.confidentiality.wales_may_move`: (council -> release the current Wales release
pools, council -> its latest release) -> whether Wales may move to the latter."""


async def _effective_latest(db: Database) -> dict[int, int]:
    """Each council's latest release, as the release whose figures it shows (a final release
    that repeats an earlier one shows that one's figures)."""
    rows = await db.fetchall(
        "SELECT council_id, id, repeats FROM releases"
        " WHERE id IN (SELECT MAX(id) FROM releases GROUP BY council_id)"
    )
    return {c: (r if r is not None else i) for c, i, r in rows}


async def wales_pool(db: Database) -> dict[int, int]:
    """council -> release (as `_effective_latest` names it) that the current Wales release pools."""
    rows = await db.fetchall(
        "SELECT m.council_id, m.release_id, l.repeats FROM wales_members AS m"
        " JOIN releases AS l ON l.id = m.release_id"
        " WHERE m.wales_release_id = (SELECT MAX(id) FROM wales_releases)"
    )
    return {c: (r if r is not None else i) for c, i, r in rows}


async def advance_wales(db: Database, may_move: WalesMove) -> bool:
    """Makes a new Wales release from every council's latest release when `may_move` says the
    step is safe; True if it did. On a read-only database nothing moves."""
    pooled, latest_ = await wales_pool(db), await _effective_latest(db)
    if pooled == latest_ or not may_move(pooled, latest_):
        return False
    try:
        async with db.transaction() as conn:
            inserted = await conn.fetchone(
                "INSERT INTO wales_releases (made_at) VALUES (?) RETURNING id", (to_iso(utcnow()),)
            )
            assert inserted is not None
            await conn.executemany(
                "INSERT INTO wales_members (wales_release_id, council_id, release_id)"
                " VALUES (?, ?, ?)",
                [(int(inserted[0]), c, r) for c, r in sorted(latest_.items())],
            )
            for council_id, release_id in latest_.items():
                await conn.execute(_FORGET_SUPERSEDED, (council_id, release_id))
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        return False
    return True
