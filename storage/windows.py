"""Each council's survey window (when it opens and closes, and a close by hand) and its
response counts by group."""

from __future__ import annotations

from datetime import date, datetime

from rubric.schema import GROUPS
from storage.database import from_iso, to_iso
from storage.rows import StatusRow
from storage.store import Store

OPEN_WINDOW_SQL = (
    "INSERT INTO survey_windows (council_id, closes_on, opens_on) VALUES (?, ?, ?)"
    " ON CONFLICT (council_id) DO UPDATE SET closes_on = excluded.closes_on,"
    " opens_on = excluded.opens_on, closed_at = NULL"
)
"""Opens (or re-opens) a council's window: `window_params`'s values."""


def window_params(
    council_id: int, closes_on: date | None, opens_on: date | None
) -> tuple[int, str | None, str | None]:
    return (
        council_id,
        None if closes_on is None else closes_on.isoformat(),
        None if opens_on is None else opens_on.isoformat(),
    )


class WindowBook(Store):
    """The survey windows and the status counts."""

    async def status(self, council_id: int) -> list[StatusRow]:
        """Counts by group, both groups always present (officers first)."""
        rows = await self.db.fetchall(
            "SELECT i.grp, COUNT(*) AS invited, COUNT(i.emailed_at) AS emailed,"
            " COUNT(i.opened_at) AS opened, COUNT(r.id) AS started,"
            " COUNT(r.submitted_at) AS submitted, COUNT(i.unreachable) AS unreachable"
            " FROM invitees i LEFT JOIN responses r ON r.invitee_id = i.id"
            " WHERE i.council_id = ? GROUP BY i.grp",
            (council_id,),
        )
        by_group = {r["grp"]: r for r in rows}
        counts = ("invited", "emailed", "opened", "started", "submitted", "unreachable")
        return [
            StatusRow(
                group=group,
                **{k: (by_group[group][k] if group in by_group else 0) for k in counts},
            )
            for group in GROUPS
        ]

    async def set_window(
        self, council_id: int, closes_on: date | None, opens_on: date | None = None
    ) -> None:
        """Opens (or re-opens) the council's survey, until the end of `closes_on` (None: no end).
        A council's first window is its first round too (labelled with the year it opens, and
        pinning no questionnaire version, as the migration made them from windows before
        rounds); a later round is `RoundBook.open_round`'s."""
        first_label = str((opens_on or self._clock().date()).year)
        async with self.db.transaction() as conn:
            await conn.execute(OPEN_WINDOW_SQL, window_params(council_id, closes_on, opens_on))
            if not await conn.fetchone("SELECT 1 FROM rounds WHERE council_id = ?", (council_id,)):
                await conn.execute(
                    "INSERT INTO rounds (council_id, label) VALUES (?, ?)",
                    (council_id, first_label),
                )

    async def close_survey(self, council_id: int, at: datetime | None = None) -> None:
        """Closes the council's survey now (or at `at`); the first close time is kept."""
        moment = to_iso(at) if at is not None else self._now()
        await self.db.execute(
            "INSERT INTO survey_windows (council_id, closed_at) VALUES (?, ?)"
            " ON CONFLICT (council_id) DO UPDATE SET"
            " closed_at = COALESCE(survey_windows.closed_at, excluded.closed_at)",
            (council_id, moment),
        )

    async def windows(self) -> dict[int, tuple[date | None, datetime | None, date | None]]:
        """Every council's stored window (see `window`), in one query."""
        rows = await self.db.fetchall(
            "SELECT council_id, closes_on, closed_at, opens_on FROM survey_windows"
        )
        return {
            r[0]: (
                None if r[1] is None else date.fromisoformat(r[1]),
                from_iso(r[2]),
                None if r[3] is None else date.fromisoformat(r[3]),
            )
            for r in rows
        }

    async def window(
        self, council_id: int
    ) -> tuple[date | None, datetime | None, date | None] | None:
        """(closes_on, closed_at, opens_on), or None when no window was ever set (open)."""
        row = await self.db.fetchone(
            "SELECT closes_on, closed_at, opens_on FROM survey_windows WHERE council_id = ?",
            (council_id,),
        )
        if row is None:
            return None
        closes_on = None if row[0] is None else date.fromisoformat(row[0])
        opens_on = None if row[2] is None else date.fromisoformat(row[2])
        return closes_on, from_iso(row[1]), opens_on
