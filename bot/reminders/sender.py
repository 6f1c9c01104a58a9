"""Bulk sends to Telegram, paced under its limits.

One `TelegramSender` (one `AsyncLimiter` at ``SEND_RATE``) serves every bulk send of a process:
the dispatcher holds it as ``reminder_sender``, so the schedule and ``/remind`` share it. It does
not retry: the bot's session already does (``bot.telegram.session``: a 429 pauses every request,
a 5xx or a network fault is tried again), so a failure that reaches here is final for this run;
it only says what became of the send. A 403 means the person blocked the bot.
"""

from __future__ import annotations

import logging
from datetime import date

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

from bot.config import Settings
from bot.reminders.telegram_reminder import telegram_reminder
from bot.services.reminder_words import load_texts
from bot.services.send_reasons import because
from bot.telegram.session import retry_policy
from flows.outcome import SENT, SendResult
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.rows import Council

log = logging.getLogger(__name__)
BURST = 3


class TelegramSender:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        # A bucket of `BURST` refilled at `rate`: a bucket as big as `rate` would let twice the
        # rate through in the first second, a bucket of one loses time to timer jitter.
        self.limiter = AsyncLimiter(BURST, BURST / rate)

    async def send(
        self, bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> SendResult:
        await self.limiter.acquire()
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramForbiddenError as exc:
            return SendResult("blocked", exc.message)
        except TelegramBadRequest as exc:
            return because("failed", "telegram_400", exc.message, personal=True)
        except TelegramRetryAfter as exc:
            return because("failed", "telegram_429", exc.retry_after)
        except (TelegramNetworkError, TelegramServerError, TimeoutError) as exc:
            log.warning("send to Telegram failed after retries (%s)", type(exc).__name__)
            return SendResult("failed", f"{type(exc).__name__}: {exc}")
        except TelegramAPIError as exc:
            # Anything else (a refused token, a conflict): the channel's fault, not theirs.
            return SendResult("failed", f"{type(exc).__name__}: {exc.message}")
        return SENT


class TelegramReminders:
    """A reminder run's way to Telegram (``bot.services.reminder_run.TelegramChannel``): the
    reminder in the person's language with its resume button, through the process's one
    sender."""

    def __init__(self, bot: Bot, sender: TelegramSender, texts: Messages) -> None:
        self.bot = bot
        self.sender = sender
        self.texts = texts

    @classmethod
    def of(cls, bot: Bot, settings: Settings) -> TelegramReminders:
        """For a run outside the bot process (``datatool remind``): a sender of its own."""
        return cls(bot, TelegramSender(settings.send_rate), load_texts())

    async def remind(
        self,
        chat_id: int,
        council: Council,
        lang: Lang | None,
        *,
        last_call: bool,
        closes_on: date | None,
    ) -> SendResult:
        text, markup = telegram_reminder(
            self.texts, council, lang, last_call=last_call, closes_on=closes_on
        )
        return await self.sender.send(self.bot, chat_id, text, markup)

    async def username(self) -> str:
        return (await self.bot.me()).username or ""

    def retry_afters(self) -> int:
        policy = retry_policy(self.bot)
        return policy.retry_afters if policy else 0
