"""An unreachable Bot API is said plainly (issue 26): a WARNING naming the URL and the setting
at the first failure, an ERROR once it has lasted a minute, an INFO when it is back, and no line
for each of the many requests in between."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetUpdates

from bot.telegram.session import RetryMiddleware

URL = "http://127.0.0.1:9"
BOT = Bot("123:ABC")


async def test_unreachable_is_a_warning_with_the_url_then_an_error_after_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    down = [True]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def request(bot: Bot, method: Any) -> Any:
        if down[0]:
            raise TelegramNetworkError(method=method, message="Cannot connect to host")
        return []

    policy = RetryMiddleware(attempts=3, api_url=URL, sleep=sleep, clock=lambda: now[0])
    caplog.set_level(logging.DEBUG, logger="bot.telegram.session")
    for _ in range(30):  # polling asks again every few seconds, for two and a half minutes
        with pytest.raises(TelegramNetworkError):
            await policy(request, BOT, GetUpdates(timeout=10))
        now[0] += 5
    down[0] = False
    assert await policy(request, BOT, GetUpdates(timeout=10)) == []

    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert len(said) == 3, said
    assert said[0][0] == "WARNING"
    assert said[0][1].startswith(f"cannot reach the Bot API at {URL} (TELEGRAM_API_URL): ")
    assert said[1][0] == "ERROR"
    assert said[1][1].startswith(f"the Bot API at {URL} (TELEGRAM_API_URL) has been unreachable")
    assert said[2] == ("INFO", f"reached the Bot API at {URL} again after 150 s")


async def test_a_second_poller_is_logged_with_telegrams_own_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two bots polling one token (two `datatool run` on one PostgreSQL database): Telegram's
    409 says what is wrong, and the log keeps its words (it said "<withheld>")."""
    from aiogram import Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from bot.telegram.polling import ConfirmingPolling
    from standin import StandIn

    caplog.set_level(logging.ERROR, logger="bot.telegram.polling")
    async with StandIn(token="123:ABC") as api:
        bots, tasks = [], []
        for _ in range(2):
            bot = Bot(
                "123:ABC", session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
            )
            bots.append(bot)
            polling = ConfirmingPolling(Dispatcher())
            tasks.append(asyncio.create_task(polling.run(bot, polling_timeout=1)))
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while not any("TelegramConflictError" in r.getMessage() for r in caplog.records):
                assert loop.time() < deadline, "no conflict was logged"
                await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for bot in bots:
                await bot.session.close()
    line = next(r.getMessage() for r in caplog.records if "Conflict" in r.getMessage())
    assert line.startswith("getUpdates failed: TelegramConflictError: Conflict: terminated by")
    assert "<withheld>" not in line
