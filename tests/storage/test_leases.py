"""Leases and heartbeats, on SQLite and on PostgreSQL: what several workers sharing one
database do once (the reminder schedule) and how they divide the send rate."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.leases import Heartbeats, Leases

START = datetime(2026, 12, 1, 9, tzinfo=UTC)


async def test_one_holder_at_a_time_and_a_lapsed_lease_is_taken_over(db: Database) -> None:
    now = [START]
    leases = Leases(db, clock=lambda: now[0])
    minute = timedelta(minutes=1)
    assert await leases.hold("schedule", "a", minute)
    assert not await leases.hold("schedule", "b", minute)
    now[0] += timedelta(seconds=30)
    assert await leases.hold("schedule", "a", minute), "the holder renews"
    now[0] += timedelta(seconds=61)
    assert await leases.holder("schedule") is None
    assert await leases.hold("schedule", "b", minute), "a lapsed lease is taken over"
    assert not await leases.hold("schedule", "a", minute)
    await leases.release("schedule", "a")  # not a's to give up
    assert await leases.holder("schedule") == "b"
    await leases.release("schedule", "b")
    assert await leases.hold("schedule", "a", minute), "released: free at once"


async def test_many_contenders_at_once_get_one_lease(db: Database) -> None:
    leases = Leases(db)
    won = await asyncio.gather(
        *(leases.hold("schedule", f"w{n}", timedelta(minutes=1)) for n in range(12))
    )
    assert sum(won) == 1


async def test_heartbeats_count_the_workers_seen_lately(db: Database) -> None:
    now = [START]
    beats = Heartbeats(db, clock=lambda: now[0])
    within = timedelta(seconds=9)
    assert await beats.beat("a", within) == 1
    assert await beats.beat("b", within) == 2
    now[0] += timedelta(seconds=6)
    assert await beats.beat("b", within) == 2
    now[0] += timedelta(seconds=6)
    assert await beats.beat("b", within) == 1, "a was not heard from: counted out"
    await beats.leave("b")
    assert await beats.beat("c", within) == 1
