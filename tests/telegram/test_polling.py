"""Long polling confirms an update only once it has been handled: one still in flight when the
process dies is given again by Telegram (here the stand-in) to the next process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bot.telegram.polling import ConfirmingDispatcher, InFlight
from standin import StandIn

TOKEN = "123:ABC"


async def _until(ok: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ok():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _listening(dp: Dispatcher, api: StandIn) -> tuple[Bot, asyncio.Task[None]]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    return bot, polling


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

        first = ConfirmingDispatcher()
        first.include_router(router)
        bot, polling = _listening(first, api)
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
        second = ConfirmingDispatcher()

        @second.message()
        async def handle_again(message: Message) -> None:
            again.append(message.text)

        bot, polling = _listening(second, api)
        try:
            await _until(lambda: "a long comment" in again)
            await _until(lambda: not api.state.pending)  # and now it is confirmed
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await bot.session.close()


async def test_the_offset_never_passes_an_update_in_flight() -> None:
    flight = InFlight()
    assert flight.offset is None
    assert flight.take(10) and flight.take(11) and flight.take(12)
    assert not flight.take(11), "given again while in flight: not handed out twice"
    flight.done(11)
    flight.done(12)
    assert flight.offset == 10
    assert not flight.take(12), "handled already: not handed out again"
    flight.done(10)
    assert flight.offset == 13
    # After a week without updates Telegram numbers afresh, at random: a lower id is new.
    assert flight.take(5) and flight.offset == 5


def test_updates_in_flight_are_dropped_before_aiogram_parses_them() -> None:
    flight = InFlight()
    answer = '{"ok": true, "result": [{"update_id": 7}, {"update_id": 8}]}'
    assert flight.loads(answer)["result"] == [{"update_id": 7}, {"update_id": 8}]
    flight.take(7)
    assert flight.loads(answer)["result"] == [{"update_id": 8}], "7 is still being handled"
    assert flight.loads('{"ok": true, "result": [1, 2]}')["result"] == [1, 2], "not updates"
    assert flight.loads('{"ok": true, "result": true}')["result"] is True
