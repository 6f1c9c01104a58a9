"""Leases and heartbeats: how workers sharing one database divide what must happen once.

A *lease* (the reminder schedule's) is held by one owner until it expires; the holder renews it
each round, and another worker takes it only once it has lapsed, so a worker killed with -9
hands the schedule on within one lease. A *heartbeat* says a worker is alive; the number of
workers seen lately is what the overall send rate is divided by.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from storage.database import Database, to_iso, utcnow


class Leases:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    async def hold(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Takes or renews the lease `name` for `owner` until now + `ttl`. True when `owner`
        holds it now: it was free, lapsed, or already `owner`'s."""
        now = self._clock()
        held = await self.db.execute(
            "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
            " expires_at = excluded.expires_at"
            " WHERE leases.owner = excluded.owner OR leases.expires_at < ?",
            (name, owner, to_iso(now + ttl), to_iso(now)),
        )
        return held == 1

    async def release(self, name: str, owner: str) -> None:
        """Gives the lease up at once (a worker stopping cleanly), if `owner` holds it."""
        await self.db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    async def holder(self, name: str) -> str | None:
        row = await self.db.fetchone(
            "SELECT owner FROM leases WHERE name = ? AND expires_at >= ?",
            (name, to_iso(self._clock())),
        )
        return None if row is None else row[0]


class Heartbeats:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    async def beat(self, owner: str, within: timedelta) -> int:
        """Records that `owner` is alive; the number of workers seen within `within` (with
        `owner`, so at least one). Workers not seen for long are forgotten."""
        now = self._clock()
        await self.db.execute(
            "INSERT INTO workers (owner, seen_at) VALUES (?, ?)"
            " ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at",
            (owner, to_iso(now)),
        )
        await self.db.execute("DELETE FROM workers WHERE seen_at < ?", (to_iso(now - 20 * within),))
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM workers WHERE seen_at >= ?", (to_iso(now - within),)
        )
        return max(1, int(row[0])) if row is not None else 1

    async def leave(self, owner: str) -> None:
        await self.db.execute("DELETE FROM workers WHERE owner = ?", (owner,))
