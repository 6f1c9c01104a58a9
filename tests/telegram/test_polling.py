"""The polling offset that confirms only settled updates (bot.telegram.polling)."""

from __future__ import annotations

import asyncio

from bot.telegram.polling import Unconfirmed


async def test_offset_stays_at_the_oldest_unsettled_update() -> None:
    now = [0.0]
    book = Unconfirmed(clock=lambda: now[0], hold_limit=5.0)
    assert book.offset() is None  # nothing received: Telegram's own first offset
    assert book.receive(10) and book.receive(11) and book.receive(12)
    assert book.offset() == 10
    book.settle(11)
    assert book.offset() == 10, "an older update is not stored yet"
    # Telegram sends 10 and 12 again (they are not confirmed): they are in hand, not new.
    assert not book.receive(10) and not book.receive(12)
    book.settle(10)
    assert book.offset() == 12
    # Below the offset now: if Telegram sends it again (a lost confirmation) it is handed on,
    # for the handled_updates check (OncePerUpdate), not dropped here.
    assert book.receive(11)
    book.settle(11)
    book.settle(12)
    assert book.offset() == 13
    assert book.receive(13)


async def test_an_update_held_too_long_stops_holding_the_offset() -> None:
    now = [0.0]
    book = Unconfirmed(clock=lambda: now[0], hold_limit=5.0)
    assert book.receive(1) and book.receive(2)
    book.settle(2)
    assert book.offset() == 1
    assert not book.receive(1), "in hand"
    now[0] = 6.0  # update 1 (a report being built) has been going for six seconds
    assert book.offset() == 3


async def test_waiting_for_updates_to_settle() -> None:
    book = Unconfirmed()
    assert book.receive(1) and book.receive(2)
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, book.settle, 1)
    loop.call_later(0.02, book.settle, 2)
    started = loop.time()
    await book.wait_settled(2.0, [1, 2])
    assert 0.015 < loop.time() - started < 1.0
    started = loop.time()
    await book.wait_settled(0.05)  # nothing left to settle: the pause runs out
    assert loop.time() - started >= 0.04
