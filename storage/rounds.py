"""A council's rounds: the survey run again, each on the questionnaire version newest when it
opened (issue 25). The current round's window is the council's ``survey_windows`` row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from storage.store import Store
from storage.windows import OPEN_WINDOW_SQL, window_params


@dataclass(frozen=True)
class RoundRow:
    id: int
    council_id: int
    label: str
    questionnaire_version: int | None
    """None: the packaged questionnaire (or, for a round from before rounds, unpinned)."""
    created_at: str | None
    """None: made by the migration from the council's window before rounds."""


class RoundExists(Exception):
    """The council already has a round of that label."""


_COLUMNS = "id, council_id, label, questionnaire_version, created_at"


def _row(r: Any) -> RoundRow:
    return RoundRow(
        int(r[0]),
        int(r[1]),
        str(r[2]),
        None if r[3] is None else int(r[3]),
        None if r[4] is None else str(r[4]),
    )


class RoundBook(Store):
    """The rounds, oldest first; opening one."""

    async def rounds(self, council_id: int) -> list[RoundRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM rounds WHERE council_id = ? ORDER BY id", (council_id,)
        )
        return [_row(r) for r in rows]

    async def open_round(
        self, council_id: int, label: str, closes_on: date | None, opens_on: date | None = None
    ) -> RoundRow:
        """Makes the council's next round, on the newest published questionnaire version, and
        opens its window (`closes_on`, `opens_on`; the close and the report's sending of the
        round before are cleared), in one transaction; `RoundExists` when the label is taken.
        Whether the round before has closed is the caller's check (it needs the clock and the
        zone)."""
        now = self._now()
        async with self.db.transaction() as conn:
            if await conn.fetchone(
                "SELECT 1 FROM rounds WHERE council_id = ? AND label = ?", (council_id, label)
            ):
                raise RoundExists(label)
            row = await conn.fetchone(
                "INSERT INTO rounds (council_id, label, questionnaire_version, created_at)"
                " SELECT ?, ?, (SELECT MAX(id) FROM questionnaire_versions"
                " WHERE published_at IS NOT NULL), ?"
                f" RETURNING {_COLUMNS}",
                (council_id, label, now),
            )
            await conn.execute(OPEN_WINDOW_SQL, window_params(council_id, closes_on, opens_on))
            await conn.execute(
                "UPDATE survey_windows SET report_sent_at = NULL WHERE council_id = ?",
                (council_id,),
            )
        assert row is not None  # RETURNING gives the new row
        return _row(row)
