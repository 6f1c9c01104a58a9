"""Outer middlewares: each update once, one at a time per person, floods throttled, and the
person's language and invitation looked up before any handler runs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.respondent.journey import Respondent
from bot.respondent.survey import Survey
from rubric.catalog import Messages
from storage.repository import Repository

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class OncePerUpdate(BaseMiddleware):
    """Telegram may deliver an update again (after a crash or a webhook retry); the
    ``handled_updates`` table makes the second delivery a no-op."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and not await self.repo.claim_update(event.update_id):
            log.info("update %s delivered again; skipped", event.update_id)
            return None
        return await handler(event, data)


class OnePersonAtATime(BaseMiddleware):
    """Serialises one person's updates (a double tap arrives as two concurrent updates) and
    throttles a person who floods the bot, without slowing anyone else.

    The locks and buckets live in this middleware instance, which the dispatcher owns."""

    def __init__(self, rate: float, burst: int = 8) -> None:
        self.rate = rate
        self.burst = burst
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._buckets: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()

    def _allow(self, user_id: int) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(user_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self._buckets[user_id] = (tokens - 1 if allowed else tokens, now)
        return allowed

    async def _slow_down(self, user_id: int, event: TelegramObject, data: dict[str, Any]) -> None:
        """A throttled tap is still answered (no endless spinner); a throttled message is
        dropped, with one notice at the start of each burst."""
        texts: Messages = data["texts"]
        if not isinstance(event, Update):
            return
        notice = texts.both("notice.slow_down", separator=" / ")
        if event.callback_query is not None:
            await event.callback_query.answer(notice[:200])
        elif event.message is not None and user_id not in self._warned:
            self._warned.add(user_id)
            await event.message.answer(texts.both("notice.slow_down"))

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        if not self._allow(user.id):
            log.info("throttled an update from user %s", user.id)
            await self._slow_down(user.id, event, data)
            return None
        self._warned.discard(user.id)
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiting[user.id] = self._waiting.get(user.id, 0) + 1
        try:
            async with lock:
                return await handler(event, data)
        finally:
            self._waiting[user.id] -= 1
            if not self._waiting[user.id]:
                del self._waiting[user.id]
                self._locks.pop(user.id, None)


class WhoIsThis(BaseMiddleware):
    """Puts ``respondent`` and its ``survey`` (or None) and ``account_lang`` into the
    handler's data."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        data["respondent"] = None
        data["survey"] = None
        data["account_lang"] = None
        if user is not None and not user.is_bot:
            invitee, council, account_lang = await self.repo.whois(user.id)
            if invitee is not None and council is not None:
                respondent = Respondent(invitee=invitee, council=council)
                data["respondent"] = respondent
                data["survey"] = Survey(
                    data["bot"],
                    user.id,
                    self.repo,
                    data["questionnaire"],
                    data["texts"],
                    data["settings"],
                    respondent,
                )
            data["account_lang"] = account_lang
        return await handler(event, data)
