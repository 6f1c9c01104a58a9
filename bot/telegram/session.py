"""A request middleware for aiogram's session: what Telegram asks us to wait for, we wait for.

A 429 is retried after ``retry_after`` seconds, a 5xx or a network error after a short
back-off; a 403 (blocked) or 400 is never retried, since sending again cannot succeed. So a
busy moment (a whole council answering in one lunch hour) slows replies down instead of
losing them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiolimiter import AsyncLimiter

log = logging.getLogger(__name__)


SENDS = frozenset({"sendMessage", "sendDocument"})


class SendPacer(BaseRequestMiddleware):
    """Keeps all of the bot's sends under Telegram's overall rate, so that a council answering
    at once queues for a few milliseconds instead of collecting 429s."""

    def __init__(self, rate: float) -> None:
        self.limiter = AsyncLimiter(rate, 1.0)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if method.__api_method__ in SENDS:
            await self.limiter.acquire()
        return await make_request(bot, method)


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(self, attempts: int = 10, backoff: float = 0.25, max_wait: float = 60.0) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts:
                    raise
                wait = min(float(exc.retry_after), self.max_wait)
                log.info("%s: 429, retrying after %.1f s", method.__api_method__, wait)
                await asyncio.sleep(wait)
            except (TelegramServerError, TelegramNetworkError) as exc:
                if attempt == self.attempts or method.__api_method__ == "getUpdates":
                    raise
                log.info(
                    "%s: %s, retrying in %.2f s", method.__api_method__, type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")
