"""Reminder bookkeeping: who might be reminded, which steps they have had, and the claim that
makes each (invitee, step) go out at most once however many runs overlap or crash.

A run *claims* a step (a 'sending' row naming the run) in one transaction before it sends, and
marks it 'sent' in another after. A claim left behind by a run that died is taken over by the
next run (the caller says which owners are dead), so a crash never skips anyone; the only
message that can go twice is one that was on the wire at the very moment of the crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from rubric.schema import Group, Lang
from storage.database import Database, from_iso, to_iso, utcnow
from storage.rows import Unreachable

Channel = Literal["telegram", "email"]
Status = Literal["sending", "sent", "failed"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Candidate(_Row):
    """An invitee with everything the cadence needs to decide about them."""

    invitee_id: int
    council_id: int
    group: Group
    name: str
    email: str
    token: str | None
    telegram_id: int | None
    roster_language: Lang | None
    response_language: Lang | None
    account_language: Lang | None
    created_at: datetime
    opened_at: datetime | None
    emailed_at: datetime | None
    started_at: datetime | None
    updated_at: datetime | None
    submitted_at: datetime | None
    unreachable: Unreachable | None

    @property
    def language(self) -> Lang | None:
        """The person's recorded language: their answer's, their account's, the roster's."""
        return self.response_language or self.account_language or self.roster_language


class ReminderRecord(_Row):
    invitee_id: int
    step: str
    channel: Channel
    status: Status
    owner: str
    claimed_at: datetime
    sent_at: datetime | None
    error: str | None
    failures: int = 0
    """Attempts that failed for this person's own reasons (see `mark_failed`)."""


class Claim(_Row):
    owner: str
    claimed_at: datetime


_CANDIDATE_SQL = (
    'SELECT i.id AS invitee_id, i.council_id, i.grp AS "group", i.name, i.email, i.token,'
    " i.telegram_id, i.language AS roster_language, r.language AS response_language,"
    " a.language AS account_language, i.created_at, i.opened_at, i.emailed_at, r.started_at,"
    " r.updated_at, r.submitted_at, i.unreachable"
    " FROM invitees i LEFT JOIN responses r ON r.invitee_id = i.id"
    " LEFT JOIN accounts a ON a.telegram_id = i.telegram_id"
)


class ReminderBook:
    """The reminder tables' API. `clock` is injectable so tests can move time."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    def _now(self) -> str:
        return to_iso(self._clock())

    # --- reading ------------------------------------------------------------------------

    async def council_ids(self) -> list[int]:
        """Councils that have anyone on their roster."""
        rows = await self.db.fetchall("SELECT DISTINCT council_id FROM invitees ORDER BY 1")
        return [r[0] for r in rows]

    async def candidates(self, council_id: int) -> list[Candidate]:
        rows = await self.db.fetchall(
            _CANDIDATE_SQL + " WHERE i.council_id = ? ORDER BY i.id", (council_id,)
        )
        return [Candidate(**dict(r)) for r in rows]

    async def history(self, council_id: int) -> dict[int, list[ReminderRecord]]:
        rows = await self.db.fetchall(
            "SELECT m.invitee_id, m.step, m.channel, m.status, m.owner, m.claimed_at,"
            " m.sent_at, m.error, m.failures"
            " FROM reminders m JOIN invitees i ON i.id = m.invitee_id"
            " WHERE i.council_id = ? ORDER BY m.id",
            (council_id,),
        )
        found: dict[int, list[ReminderRecord]] = {}
        for r in rows:
            found.setdefault(r["invitee_id"], []).append(ReminderRecord(**dict(r)))
        return found

    async def open_claims(self) -> list[Claim]:
        """Every claim not yet settled ('sending'), one per owner: the latest."""
        rows = await self.db.fetchall(
            "SELECT owner, MAX(claimed_at) AS claimed_at FROM reminders"
            " WHERE status = 'sending' GROUP BY owner"
        )
        return [Claim(owner=r[0], claimed_at=from_iso(r[1])) for r in rows]

    async def records(self, invitee_id: int) -> list[ReminderRecord]:
        rows = await self.db.fetchall(
            "SELECT invitee_id, step, channel, status, owner, claimed_at, sent_at, error,"
            " failures FROM reminders WHERE invitee_id = ? ORDER BY id",
            (invitee_id,),
        )
        return [ReminderRecord(**dict(r)) for r in rows]

    # --- claiming and settling ----------------------------------------------------------

    async def claim(
        self,
        invitee_id: int,
        step: str,
        channel: Channel,
        owner: str,
        *,
        dead_owners: Iterable[str] = (),
    ) -> bool:
        """Takes (invitee, step) for `owner`. True when it is ours to send: a new step, one that
        failed before, or one left 'sending' by an owner in `dead_owners`. False when it was sent
        already or another live run is sending it."""
        dead = sorted(set(dead_owners))
        marks = ",".join("?" * len(dead)) or "NULL"
        now = self._now()
        claimed = await self.db.execute(
            "INSERT INTO reminders (invitee_id, step, channel, status, owner, claimed_at)"
            " VALUES (?, ?, ?, 'sending', ?, ?)"
            " ON CONFLICT (invitee_id, step) DO UPDATE SET status = 'sending',"
            " owner = excluded.owner, channel = excluded.channel,"
            " claimed_at = excluded.claimed_at, attempts = reminders.attempts + 1, error = NULL"
            " WHERE reminders.status = 'failed'"
            f" OR (reminders.status = 'sending' AND reminders.owner IN ({marks}))",
            (invitee_id, step, channel, owner, now, *dead),
        )
        return claimed == 1

    async def mark_sent(self, invitee_id: int, step: str, owner: str) -> None:
        """The step went out. An email also counts as the person having been emailed."""
        now = self._now()
        async with self.db.transaction() as conn:
            if await conn.execute(
                "UPDATE reminders SET status = 'sent', sent_at = ?, error = NULL"
                " WHERE invitee_id = ? AND step = ? AND owner = ?",
                (now, invitee_id, step, owner),
            ):
                await conn.execute(
                    "UPDATE invitees SET emailed_at = COALESCE(emailed_at, ?) WHERE id = ?"
                    " AND EXISTS (SELECT 1 FROM reminders WHERE invitee_id = ? AND step = ?"
                    " AND channel = 'email')",
                    (now, invitee_id, invitee_id, step),
                )

    async def mark_failed(
        self,
        invitee_id: int,
        step: str,
        owner: str,
        error: str,
        *,
        unreachable: Unreachable | None = None,
        personal: bool = False,
    ) -> None:
        """The step did not go out, for the reason `error`. With `unreachable` the person is
        marked so ('blocked' also on their Telegram account) and nothing more is sent to them;
        `personal` (the message to this person was refused) counts towards the cap on tries."""
        now = self._now()
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE reminders SET status = 'failed', error = ?, failures = failures + ?"
                " WHERE invitee_id = ? AND step = ? AND owner = ?",
                (error[:500], int(personal), invitee_id, step, owner),
            )
            if unreachable is not None:
                await conn.execute(
                    "UPDATE invitees SET unreachable = ? WHERE id = ?", (unreachable, invitee_id)
                )
            if unreachable == "blocked":
                await conn.execute(
                    "UPDATE accounts SET blocked_at = ? WHERE telegram_id ="
                    " (SELECT telegram_id FROM invitees WHERE id = ?)",
                    (now, invitee_id),
                )

    # --- survey windows and reports ------------------------------------------------------

    async def closed_unreported(self, today: date) -> list[int]:
        """Councils whose survey has closed (closed by hand, or its last day before `today`)
        and whose report has not yet been sent to their auditors."""
        rows = await self.db.fetchall(
            "SELECT council_id FROM survey_windows WHERE report_sent_at IS NULL"
            " AND (closed_at <= ? OR (closes_on IS NOT NULL AND closes_on < ?))"
            " ORDER BY council_id",
            (self._now(), today.isoformat()),
        )
        return [r[0] for r in rows]

    async def mark_report_sent(self, council_id: int) -> None:
        await self.db.execute(
            "UPDATE survey_windows SET report_sent_at = COALESCE(report_sent_at, ?)"
            " WHERE council_id = ?",
            (self._now(), council_id),
        )

    async def auditor_chats(
        self, council_id: int, extra_ids: Iterable[int] = ()
    ) -> list[tuple[int, Lang | None]]:
        """The auditors of a council (those named for it or for every council, and `extra_ids`
        from the settings), each with their account's language if known."""
        named = await self.db.fetchall(
            "SELECT DISTINCT telegram_id FROM auditors WHERE council_id IS NULL OR council_id = ?",
            (council_id,),
        )
        ids = sorted({r[0] for r in named} | set(extra_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetchall(
            f"SELECT telegram_id, language FROM accounts WHERE telegram_id IN ({marks})", ids
        )
        languages = {r[0]: r[1] for r in rows}
        return [(i, languages.get(i)) for i in ids]
