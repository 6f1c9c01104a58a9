"""Bulk sends to Telegram, safe under its limits and faults.

One `TelegramSender` (one `AsyncLimiter` at ``SEND_RATE``) serves every bulk send of a process:
the schedule and ``/remind`` share it through the dispatcher (`shared_sender`). A 429 pauses
*every* send for ``retry_after`` (the limit is global, so one chat's wait is everybody's) and
then sends the same message again; a 403 means the person blocked the bot and is never retried;
a network fault or a 5xx is tried again with exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiolimiter import AsyncLimiter

from bot.reminders.outcome import SENT, SendResult, refused

log = logging.getLogger(__name__)
SENDER_KEY = "reminder_sender"
BURST = 3


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        rate: float,
        *,
        attempts: int = 5,
        max_waits: int = 20,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.rate = rate
        # A bucket of `BURST` refilled at `rate`: a bucket as big as `rate` would let twice the
        # rate through in the first second, a bucket of one loses time to timer jitter.
        self.limiter = AsyncLimiter(BURST, BURST / rate)
        self.attempts = attempts
        self.max_waits = max_waits
        self.backoff = backoff
        self._sleep = sleep
        self._resume_at = 0.0
        self.retry_afters = 0
        """How many 429s Telegram answered (a figure for the benchmark and the logs)."""

    async def _turn(self) -> None:
        """Wait out any 429 pause, then for the limiter."""
        loop = asyncio.get_running_loop()
        while (wait := self._resume_at - loop.time()) > 0:
            await self._sleep(wait)
        await self.limiter.acquire()

    async def send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> SendResult:
        faults = waits = 0
        delay = self.backoff
        loop = asyncio.get_running_loop()
        while True:
            await self._turn()
            try:
                await self.bot.send_message(chat_id, text, reply_markup=markup)
                return SENT
            except TelegramRetryAfter as exc:
                self.retry_afters += 1
                waits += 1
                self._resume_at = max(self._resume_at, loop.time() + exc.retry_after)
                if waits > self.max_waits:
                    return SendResult("failed", f"429 more than {self.max_waits} times")
                log.warning("Telegram asked to wait %ss (429)", exc.retry_after)
            except TelegramForbiddenError as exc:
                return SendResult("blocked", exc.message)
            except TelegramBadRequest as exc:
                return refused(f"400: {exc.message}")
            except (TelegramNetworkError, TelegramServerError, TimeoutError) as exc:
                faults += 1
                if faults >= self.attempts:
                    return SendResult("failed", f"{type(exc).__name__}: {exc}")
                log.warning("send to Telegram failed (%s); trying again", type(exc).__name__)
                await self._sleep(delay)
                delay *= 2
            except TelegramAPIError as exc:
                # Anything else (a refused token, a conflict): the channel's fault, not theirs.
                return SendResult("failed", f"{type(exc).__name__}: {exc.message}")


def shared_sender(data: MutableMapping[str, Any], bot: Bot, rate: float) -> TelegramSender:
    """The process's one sender, kept in the dispatcher's workflow data (not a global)."""
    sender = data.get(SENDER_KEY)
    if not isinstance(sender, TelegramSender) or sender.bot is not bot:
        sender = TelegramSender(bot, rate)
        data[SENDER_KEY] = sender
    return sender
