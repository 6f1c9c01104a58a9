"""The Bot API as the commands that talk to Telegram (``run``, ``invites``, ``remind``) see it:
a bot whose failures end the command with one line that says what to fix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

from bot.app import create_bot
from bot.cli.common import Failure
from bot.cli.words import t
from bot.config import Settings


@asynccontextmanager
async def telegram_failures(settings: Settings) -> AsyncIterator[None]:
    """A refused token or an unreachable API as the operator's one-line failure."""
    try:
        yield
    except TelegramUnauthorizedError:
        raise Failure(t("err.token_refused"), code=2) from None
    except TelegramNetworkError:
        raise Failure(t("err.api_unreachable", url=settings.telegram_api_url)) from None


@asynccontextmanager
async def open_bot(settings: Settings, *, attempts: int = 10) -> AsyncIterator[Bot]:
    """The bot for one command, its session closed afterwards whatever happens."""
    async with telegram_failures(settings):
        bot = create_bot(settings, attempts=attempts)
        try:
            yield bot
        finally:
            await bot.session.close()
