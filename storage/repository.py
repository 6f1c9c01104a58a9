"""The one API the bot and the command line use: every question they ask of the database.

Each method is one read or one write transaction, so a coroutine can never leave a half-saved
survey behind, and the bot never needs to know SQL. The methods live by topic, one module
each (`council_lookup`, `roster`, `accounts`, `answers`, `updates`, `auditors`, `windows`,
`questionnaires`, `notes`, as `reminders.ReminderBook` does for the reminders); `Repository`
is all of them at once, and hands out the reminder bookkeeping, the report queries and the
export, so nobody reaches through ``repo.db``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from storage import releases
from storage.accounts import AccountBook
from storage.answers import AnswerBook
from storage.auditors import AuditorBook
from storage.export import ExportRow, export_answers, export_comments
from storage.leases import Heartbeats, Leases
from storage.notes import NoteBook
from storage.questionnaires import QuestionnaireBook
from storage.reminders import ReminderBook
from storage.reporting import CommentRow, ReportRows, national_input, report_input
from storage.roster import RosterBook
from storage.rounds import RoundBook
from storage.rows import Council
from storage.updates import UpdateBook
from storage.windows import WindowBook


class Repository(
    RosterBook,
    AccountBook,
    AnswerBook,
    UpdateBook,
    AuditorBook,
    WindowBook,
    QuestionnaireBook,
    RoundBook,
    NoteBook,
):
    """The API over a `Database`: every topic's methods (see the module's notes)."""

    @property
    def location(self) -> str:
        """Where the data lives (the database file, or the server without its password), for
        the operator's log lines."""
        return self.db.label

    def person_lock(self, telegram_id: int) -> AbstractAsyncContextManager[object]:
        """Held while one person's update is handled: one at a time across every worker
        sharing the database (see `Database.person_lock`)."""
        return self.db.person_lock(telegram_id)

    def leases(self, *, clock: Callable[[], datetime] | None = None) -> Leases:
        return Leases(self.db, clock=clock or self._clock)

    def heartbeats(self) -> Heartbeats:
        return Heartbeats(self.db, clock=self._clock)

    async def ping(self) -> bool:
        """True when the database answers (the webhook's /healthz)."""
        return await self.db.ping()

    def reminder_book(self, *, clock: Callable[[], datetime] | None = None) -> ReminderBook:
        return ReminderBook(self.db, clock=clock or self._clock)

    async def report_input(self, council_id: int) -> ReportRows:
        return await report_input(self.db, council_id)

    async def export_answers(self, release_id: int) -> list[ExportRow]:
        return await export_answers(self.db, release_id)

    async def export_comments(self, release_id: int) -> list[CommentRow]:
        return await export_comments(self.db, release_id)

    async def pending_releases(self) -> list[tuple[int, bool]]:
        return await releases.pending_councils(self.db)

    async def advance_release(
        self, council_id: int, decide: releases.Decide, min_group_size: int, *, final: bool
    ) -> releases.ReleaseRow | None:
        return await releases.advance(self.db, council_id, decide, min_group_size, final=final)

    async def advance_wales(self, may_move: releases.WalesMove) -> bool:
        """Moves the Wales release forward when `may_move` (`reports.confidentiality.
        wales_may_move`) finds the step safe."""
        return await releases.advance_wales(self.db, may_move)

    async def release_roll(self, council_id: int) -> releases.Roll:
        """Who the council's releases count (`storage.releases.roll`), for the export's check."""
        return await releases.roll(self.db, council_id)

    async def release_history(self, council_id: int) -> list[releases.PastRelease]:
        return await releases.history(self.db, council_id)

    async def latest_release(self, council_id: int) -> releases.ReleaseRow | None:
        return await releases.latest(self.db, council_id)

    async def withdrawn_since(self, release: releases.ReleaseRow) -> int:
        return await releases.withdrawn_since(self.db, release)

    async def national_input(
        self, councils: Iterable[Council], *, wales: bool = True
    ) -> dict[str, ReportRows]:
        """Each council's report input, for the national report (`reporting.national_input`)."""
        return await national_input(self.db, councils, wales=wales)
