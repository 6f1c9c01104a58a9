"""An unreachable Bot API is said plainly (issue 26): a WARNING naming the URL and the setting
at the first failure, an ERROR once it has lasted a minute, an INFO when it is back, and no line
for each of the many requests in between."""

from __future__ import annotations

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
