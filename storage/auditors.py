"""The auditors: who may read which council's results."""

from __future__ import annotations

from typing import Literal

from storage.store import Store


class AuditorBook(Store):
    """Auditors added and removed by the command line, and their scope."""

    async def add_auditor(self, telegram_id: int, council_id: int | None) -> bool:
        """Lets a Telegram user see one council's results (or every council's: None)."""
        added = await self.db.execute(
            "INSERT INTO auditors (telegram_id, council_id, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (telegram_id, council_id, self._now()),
        )
        return added == 1

    async def remove_auditor(self, telegram_id: int, council_id: int | None) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM auditors WHERE telegram_id = ? AND COALESCE(council_id, 0) = ?",
                (telegram_id, council_id or 0),
            )
            > 0
        )

    async def list_auditors(self) -> list[tuple[int, str | None]]:
        rows = await self.db.fetchall(
            "SELECT a.telegram_id, c.slug FROM auditors a LEFT JOIN councils c"
            " ON c.id = a.council_id ORDER BY a.telegram_id, c.slug IS NOT NULL, c.slug"
        )
        return [(r[0], r[1]) for r in rows]

    async def auditor_scope(self, telegram_id: int) -> set[int] | Literal["all"] | None:
        """The councils an auditor may see: 'all', a set of council ids, or None (no auditor)."""
        rows = await self.db.fetchall(
            "SELECT council_id FROM auditors WHERE telegram_id = ?", (telegram_id,)
        )
        if not rows:
            return None
        ids = {r[0] for r in rows}
        return "all" if None in ids else ids
