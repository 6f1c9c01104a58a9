"""The record of Telegram updates handled (``handled_updates``): an update recorded in the
transaction that stores its outcome (`handling`), or by one statement after; pruned when old."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from storage.database import to_iso
from storage.store import Store


@dataclass
class Handling:
    """The Telegram update this task is handling (see `handling`); ``recorded`` once its
    ``handled_updates`` row is written."""

    update_id: int
    recorded: bool = False
    on_recorded: Callable[[int], None] | None = None
    """Told the update's id as soon as its row commits (the polling loop may confirm it)."""

    def mark_recorded(self) -> None:
        self.recorded = True
        if self.on_recorded is not None:
            self.on_recorded(self.update_id)


HANDLING: ContextVar[Handling | None] = ContextVar("handling_update", default=None)


@contextlib.contextmanager
def handling(
    update_id: int, on_recorded: Callable[[int], None] | None = None
) -> Iterator[Handling]:
    """Within this block, a saved survey step also records the update as handled, in the same
    transaction: once the answer is stored a delivery of the update again is a no-op, even if
    the worker dies before it could say so (a typed answer would otherwise be applied again, to
    the question after); and until it is stored, a delivery again is handled (nothing typed is
    lost). What the block did not record this way, `Repository.record_update` records after."""
    marker = Handling(update_id, on_recorded=on_recorded)
    token = HANDLING.set(marker)
    try:
        yield marker
    finally:
        HANDLING.reset(token)


RECORD_UPDATE_SQL = (
    "INSERT INTO handled_updates (update_id, handled_at, finished_at) VALUES (?, ?, ?)"
    " ON CONFLICT (update_id) DO UPDATE SET finished_at = excluded.finished_at"
)


class UpdateBook(Store):
    """Updates recorded as handled."""

    async def record_update(self, update_id: int) -> None:
        """Records an update as handled (one statement): a delivery of it again is a no-op. An
        update that saved a survey step was recorded in that step's own transaction instead
        (`handling`)."""
        now = self._now()
        await self.db.execute_alone(RECORD_UPDATE_SQL, (update_id, now, now))

    async def prune_updates(self, older_than: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM handled_updates WHERE handled_at < ?", (to_iso(older_than),)
        )
