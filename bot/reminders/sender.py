"""Bulk sends to Telegram, paced under its limits.

One `TelegramSender` (one `AsyncLimiter` at ``SEND_RATE``) serves every bulk send of a process:
the dispatcher holds it as ``reminder_sender``, so the schedule and ``/remind`` share it. It does
not retry: the bot's session already does (``bot.telegram.session``: a 429 pauses every request,
a 5xx or a network fault is tried again), so a failure that reaches here is final for this run;
it only says what became of the send. A 403 means the person blocked the bot.
"""

from __future__ import annotations

import logging

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

from bot.reminders.reasons import because
from flows.outcome import SENT, SendResult

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
