"""The roster: importing it (all rows or none), the invitees, their personal codes, and whether
they can be reached."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from storage import releases
from storage.council_lookup import CouncilBook, find_in
from storage.database import Connection, Row
from storage.rows import (
    ImportResult,
    Invitation,
    Invitee,
    RemoveResult,
    RosterRow,
    Unreachable,
)

TOKEN_BYTES = 24
"""192 random bits, 32 characters of A-Za-z0-9_-: a valid /start payload, impossible to guess;
the first is always a letter or digit (see `new_token`)."""


RowReason = Literal["unknown_council", "listed_twice"]
"""Why `import_roster` refused a row: ``unknown_council`` (``params["council"]``, as written) or
``listed_twice`` (``params["email"]`` at the council ``params["council"]``, a slug). A code, not
a sentence: the caller words it in its reader's language."""


@dataclass(frozen=True)
class RowProblem:
    index: int
    """0-based index into the rows given to `import_roster`."""
    code: RowReason
    params: dict[str, str] = field(default_factory=dict, hash=False)
    also_index: int | None = None
    """For a person listed twice: the 0-based index of their first row."""


class RosterError(Exception):
    """Roster rows that cannot be imported (every one found); nothing was imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        first = problems[0]
        also = "" if first.also_index is None else f" (and row {first.also_index})"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        # For a log or a traceback only: the command line words each problem itself.
        super().__init__(f"row {first.index}: {first.code} {first.params}{also}{more}")
        self.problems = problems
        self.line_index = first.index
        self.code = first.code
        self.params = first.params
        self.also_index = first.also_index


def new_token() -> str:
    """A personal code: TOKEN_BYTES random bytes in base64url, drawn again until it starts with
    a letter or a digit, because a spreadsheet reads a cell starting with - as a formula (the
    redraw costs under a tenth of a bit of the 192)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if token[0].isascii() and token[0].isalnum():
            return token


INVITEE_SQL = (
    'SELECT i.id, i.council_id, c.slug AS council_slug, i.grp AS "group", i.name, i.email,'
    " i.language, i.team, i.token, i.telegram_id, i.opened_at, i.emailed_at, i.unreachable"
    " FROM invitees i JOIN councils c ON c.id = i.council_id"
)


def invitee_of(row: Row) -> Invitee:
    return Invitee(**dict(row))


class RosterBook(CouncilBook):
    """The roster and the invitations."""

    async def import_roster(self, rows: list[RosterRow]) -> ImportResult:
        """Adds or updates invitees; all rows or none. A person is (council, email): a changed
        name, group, language or team updates their row, an identical row changes nothing."""
        councils = await self.councils()
        resolved: list[int] = []
        seen: dict[tuple[int, str], int] = {}
        problems: list[RowProblem] = []
        for index, row in enumerate(rows):
            council = find_in(councils, row.council)
            if council is None:
                problems.append(RowProblem(index, "unknown_council", {"council": row.council}))
                continue
            person = (council.id, row.email)
            if person in seen:
                params = {"email": row.email, "council": council.slug}
                problems.append(RowProblem(index, "listed_twice", params, seen[person]))
                continue
            seen[person] = index
            resolved.append(council.id)
        if problems:
            raise RosterError(problems)

        now = self._now()

        async def write(conn: Connection) -> ImportResult:
            added = updated = unchanged = 0
            for council_id, row in zip(resolved, rows, strict=True):
                existing = await conn.fetchone(
                    "SELECT grp, name, language, team FROM invitees"
                    " WHERE council_id = ? AND email = ?",
                    (council_id, row.email),
                )
                fields = (row.group, row.name, row.language, row.team)
                if existing is None:
                    await conn.execute(
                        "INSERT INTO invitees (council_id, grp, name, email, language, team,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (council_id, row.group, row.name, row.email, row.language, row.team, now),
                    )
                    added += 1
                elif tuple(existing) == fields:
                    unchanged += 1
                else:
                    await conn.execute(
                        "UPDATE invitees SET grp = ?, name = ?, language = ?, team = ?"
                        " WHERE council_id = ? AND email = ?",
                        (*fields, council_id, row.email),
                    )
                    # A corrected row (a name that broke the email header) earns its failed
                    # reminders a fresh set of tries.
                    await conn.execute(
                        "DELETE FROM reminders WHERE status = 'failed' AND invitee_id ="
                        " (SELECT id FROM invitees WHERE council_id = ? AND email = ?)",
                        (council_id, row.email),
                    )
                    updated += 1
            return ImportResult(added=added, updated=updated, unchanged=unchanged)

        # Each row is read, then written as read: alone (SERIALIZABLE on PostgreSQL, tried
        # again after a concurrent import), so that two imports at once both succeed.
        return await self.db.serializable(write)

    async def invitees(self, council_id: int) -> list[Invitee]:
        rows = await self.db.fetchall(
            INVITEE_SQL + " WHERE i.council_id = ? ORDER BY i.grp, i.name, i.email",
            (council_id,),
        )
        return [invitee_of(r) for r in rows]

    async def ensure_tokens(self, council_id: int) -> list[Invitation]:
        """Gives every invitee of the council a personal code, keeping codes already given (an
        invitation already sent must keep working); returns all the council's invitations."""
        async with self.db.transaction() as conn:
            missing = [
                r[0]
                for r in await conn.fetchall(
                    "SELECT id FROM invitees WHERE council_id = ? AND token IS NULL", (council_id,)
                )
            ]
            await conn.executemany(
                # A code already given, by a concurrent run, stays: an invitation may carry it.
                "UPDATE invitees SET token = ? WHERE id = ? AND token IS NULL",
                [(new_token(), invitee_id) for invitee_id in missing],
            )
            rows = await conn.fetchall(
                "SELECT c.slug, i.grp, i.name, i.email, i.language, i.token"
                " FROM invitees i JOIN councils c ON c.id = i.council_id"
                " WHERE i.council_id = ? ORDER BY i.grp, i.name, i.email",
                (council_id,),
            )
        return [
            Invitation(
                council_slug=r[0], group=r[1], name=r[2], email=r[3], language=r[4], token=r[5]
            )
            for r in rows
        ]

    async def invitee(self, invitee_id: int) -> Invitee | None:
        row = await self.db.fetchone(INVITEE_SQL + " WHERE i.id = ?", (invitee_id,))
        return None if row is None else invitee_of(row)

    async def invitee_by_token(self, token: str) -> Invitee | None:
        row = await self.db.fetchone(INVITEE_SQL + " WHERE i.token = ?", (token,))
        return None if row is None else invitee_of(row)

    async def invitee_by_telegram(self, telegram_id: int) -> Invitee | None:
        row = await self.db.fetchone(INVITEE_SQL + " WHERE i.telegram_id = ?", (telegram_id,))
        return None if row is None else invitee_of(row)

    async def mark_emailed(self, invitee_ids: Iterable[int]) -> None:
        now = self._now()
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE invitees SET emailed_at = ? WHERE id = ?",
                [(now, i) for i in invitee_ids],
            )

    async def mark_unreachable(self, invitee_id: int, reason: Unreachable | None) -> None:
        """Records that an invitee cannot be reached ('blocked', 'bounced'), or no longer so."""
        await self.db.execute(
            "UPDATE invitees SET unreachable = ? WHERE id = ?", (reason, invitee_id)
        )

    async def remove_invitees(self, council_id: int, emails: Iterable[str]) -> RemoveResult:
        """Takes people off a council's roster, all or none (an email the roster does not have
        removes nobody): their row, their code, their reminders, and (for anyone who had
        answered) their response and answers, as `forget` does, so a removal is a withdrawal:
        the releases that counted them keep only that someone of their group and team left,
        and the next release moves only as the confidentiality rule allows."""
        wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        found: list[tuple[str, Row]] = []
        async with self.db.transaction() as conn:
            for email in wanted:
                row = await conn.fetchone(
                    "SELECT i.id, i.telegram_id, r.id FROM invitees i"
                    " LEFT JOIN responses r ON r.invitee_id = i.id"
                    " WHERE i.council_id = ? AND i.email = ?",
                    (council_id, email),
                )
                if row is not None:
                    found.append((email, row))
            unknown = [e for e in wanted if e not in {email for email, _ in found}]
            if unknown:
                return RemoveResult(removed=[], answered=[], unknown=unknown)
            # As `forget` does: the releases that counted them note that someone of their group
            # and team left them (the rule between releases needs it), then the answers go.
            await releases.withdraw(conn, [row[0] for _, row in found])
            for _, row in found:
                # The roster row goes too, and with it their code and when they first opened
                # the bot (what `forget` clears on a row it keeps).
                await conn.execute("DELETE FROM reminders WHERE invitee_id = ?", (row[0],))
                await conn.execute("DELETE FROM invitees WHERE id = ?", (row[0],))
                if row[1] is not None:
                    await conn.execute("DELETE FROM accounts WHERE telegram_id = ?", (row[1],))
        answered = [email for email, row in found if row[2] is not None]
        if answered:
            await self.db.checkpoint()  # as for `forget`: no old copy left in the -wal file
        return RemoveResult(removed=[e for e, _ in found], answered=answered, unknown=[])
