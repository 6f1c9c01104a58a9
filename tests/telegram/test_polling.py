"""The polling offset that confirms only settled updates (bot.telegram.polling); and, with the
stand-in, an update still being handled when the process dies is given again to the next, a
stop waits for the updates in flight, and an update that cannot be read is skipped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bot.telegram.polling import ConfirmingPolling, Unconfirmed
from bot.telegram.session import MalformedUpdates
from standin import StandIn

TOKEN = "123:ABC"


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


async def test_a_stop_that_comes_as_an_update_settles_is_not_lost() -> None:
    """SIGTERM cancels the polling just as the last reply settles its update. Python 3.11's
    ``asyncio.wait_for`` returns the inner result when both happen in one turn of the loop,
    swallowing the cancellation, and the bot polled on instead of stopping (seen in CI)."""
    book = Unconfirmed()
    assert book.receive(1)
    waiting = asyncio.create_task(book.wait_settled(10.0, [1]))
    await asyncio.sleep(0)  # it is waiting now
    book.settle(1)  # the update settles ...
    waiting.cancel()  # ... in the same turn of the loop as the stop
    await asyncio.wait([waiting])
    assert waiting.cancelled(), "the stop was swallowed"


async def _until(ok: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ok():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _listening(polling: ConfirmingPolling, api: StandIn) -> tuple[Bot, asyncio.Task[None]]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    session.middleware(MalformedUpdates())
    bot = Bot(TOKEN, session=session)
    return bot, asyncio.create_task(polling.run(bot, polling_timeout=1))


async def test_an_update_in_flight_at_a_crash_is_given_again_to_the_next_process() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(1, "Ann")
        seen: list[str | None] = []
        never = asyncio.Event()
        router = Router()

        @router.message()
        async def handle(message: Message) -> None:
            seen.append(message.text)
            if message.text == "a long comment":
                await never.wait()  # still being handled when the process dies

        first = Dispatcher()
        first.include_router(router)
        bot, polling = _listening(ConfirmingPolling(first), api)
        await phone.send("a long comment")
        await phone.send("next")
        await _until(lambda: seen == ["a long comment", "next"])
        polls = api.state.poll_generation
        await _until(lambda: api.state.poll_generation > polls + 1)  # it has asked again since
        pending = [u["message"]["text"] for u in api.state.pending]
        assert pending[0] == "a long comment", "the update in flight is not confirmed"

        polling.cancel()  # the process dies with the comment unhandled
        await asyncio.gather(polling, return_exceptions=True)
        await bot.session.close()

        again: list[str | None] = []
        second = Dispatcher()

        @second.message()
        async def handle_again(message: Message) -> None:
            again.append(message.text)

        bot, polling = _listening(ConfirmingPolling(second), api)
        try:
            await _until(lambda: "a long comment" in again)
            await _until(lambda: not api.state.pending)  # and now it is confirmed
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await bot.session.close()


async def test_a_stop_lets_the_updates_in_flight_finish_and_confirms_nothing_unstored() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(1, "Ann")
        release = asyncio.Event()
        done: list[str | None] = []
        dp = Dispatcher()

        @dp.message()
        async def handle(message: Message) -> None:
            await release.wait()
            done.append(message.text)

        polling = ConfirmingPolling(dp)
        bot, task = _listening(polling, api)
        try:
            await phone.send("a comment")
            await _until(lambda: len(polling.in_flight) == 1)
            task.cancel()  # the stop: no more polling
            await asyncio.gather(task, return_exceptions=True)
            asyncio.get_running_loop().call_later(0.05, release.set)
            assert await polling.finish(10.0), "the update in flight was cut short"
            assert done == ["a comment"] and not polling.in_flight
            # Never confirmed (no poll after it settled): the next process is given it again,
            # and its handled_updates row (OncePerUpdate) keeps it from counting twice.
            assert [u["message"]["text"] for u in api.state.pending] == ["a comment"]
        finally:
            await bot.session.close()


async def test_an_update_cut_short_by_the_stop_is_cancelled_not_left_running() -> None:
    async with StandIn(token=TOKEN) as api:
        phone = api.phone(1, "Ann")
        dp = Dispatcher()
        cancelled = asyncio.Event()

        @dp.message()
        async def handle(message: Message) -> None:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

        polling = ConfirmingPolling(dp)
        bot, task = _listening(polling, api)
        try:
            await phone.send("a comment")
            await _until(lambda: len(polling.in_flight) == 1)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert not await polling.finish(0.05)
            assert cancelled.is_set() and not polling.in_flight
        finally:
            await bot.session.close()
