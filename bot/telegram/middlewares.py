"""Outer middlewares: each update once, floods throttled, and the person's language and
invitation looked up before any handler runs. (One person's updates run one at a time by
aiogram's ``SimpleEventIsolation``, which the dispatcher is built with.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Chat, TelegramObject, Update, User
from aiolimiter import AsyncLimiter

from bot.respondent.journey import Respondent
from bot.respondent.survey import Survey
from bot.telegram.wording import say, toast
from rubric.catalog import Messages
from rubric.models import Lang
from storage.repository import Repository, handling

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
PRUNE_AT = 1024


class OncePerUpdate(BaseMiddleware):
    """Telegram may deliver an update again (after a crash or a webhook retry); the
    ``handled_updates`` table makes a delivery of an update already handled a no-op.

    The claim is made when handling starts and finished once the outcome is stored, so an
    update whose worker died half-way is handled again by the next delivery, never lost. It
    runs under the person's lock (`PersonIsolation`): an unfinished claim is then never a live
    handler's."""

    def __init__(self, repo: Repository, *, take_over: bool = True) -> None:
        self.repo = repo
        self.take_over = take_over
        """Handle again an update whose handling never finished: it was never acknowledged (a
        webhook's 2xx, or long polling's offset, which passes an update only once it has been
        handled: ``bot.telegram.polling``), so its worker died half-way."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        if not await self.repo.claim_update(event.update_id, take_over=self.take_over):
            log.info("update %s delivered again; skipped", event.update_id)
            return None
        with handling(event.update_id):
            result = await handler(event, data)
        await self.repo.finish_update(event.update_id)
        return result


class PersonIsolation(BaseEventIsolation):
    """aiogram's per-person isolation (one update at a time for one person, in this process),
    and on top of it the database's lock for that person, so that workers sharing a database
    also handle one person's updates one at a time and in order."""

    def __init__(self, repo: Repository) -> None:
        self._local = SimpleEventIsolation()
        self._repo = repo

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with self._local.lock(key), self._repo.person_lock(key.user_id):
            yield

    async def close(self) -> None:
        await self._local.close()


class PrivateChatsOnly(BaseMiddleware):
    """The bot works in private chats only. In a group, whatever is asked (a report, /status,
    /start with an invitation code) would be read by everyone in it, so a command gets one line,
    in Welsh and English, asking to write privately, and nothing else happens: no report, no
    code bound, no answer stored. Other messages and taps in groups are ignored."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if not isinstance(event, Update) or chat is None or chat.type == "private":
            return await handler(event, data)
        texts: Messages = data["texts"]
        if event.callback_query is not None:
            await event.callback_query.answer()
        elif event.message is not None and (event.message.text or "").startswith("/"):
            await event.message.answer(texts.both("chat.private_only", separator=" / "))
        log.info("update %s from a %s chat: not handled", event.update_id, chat.type)
        return None


class Throttle(BaseMiddleware):
    """Throttles a person who floods the bot, without slowing anyone else: each person has an
    ``aiolimiter`` bucket of ``burst`` updates refilled at ``rate`` a second; the buckets live
    in this middleware instance, which the dispatcher owns."""

    def __init__(self, rate: float, burst: int = 8, repo: Repository | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self.repo = repo
        """For the slow-down notice's language: this runs before ``WhoIsThis``, so it looks the
        person up itself, and only when it has something to tell them."""
        self._buckets: dict[int, AsyncLimiter] = {}
        self._warned: set[int] = set()

    async def _allow(self, user_id: int) -> bool:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= PRUNE_AT:
                self._prune()
            bucket = self._buckets[user_id] = AsyncLimiter(self.burst, self.burst / self.rate)
        if not bucket.has_capacity():
            return False
        await bucket.acquire()  # returns at once: there is capacity
        return True

    def _prune(self) -> None:
        """Forgets the buckets that have drained (their people are quiet), so that thousands
        of respondents over weeks do not keep one bucket each."""
        for user_id in [u for u, b in self._buckets.items() if b.has_capacity(self.burst)]:
            del self._buckets[user_id]

    async def _slow_down(self, user_id: int, event: TelegramObject, data: dict[str, Any]) -> None:
        """A throttled tap is still answered (no endless spinner); a throttled message is
        dropped, with one notice at the start of each burst."""
        texts: Messages = data["texts"]
        if not isinstance(event, Update):
            return
        if event.callback_query is not None:
            lang = await self._lang(user_id)
            await event.callback_query.answer(toast(texts, lang, "notice.slow_down"))
        elif event.message is not None and user_id not in self._warned:
            self._warned.add(user_id)
            await event.message.answer(say(texts, await self._lang(user_id), "notice.slow_down"))

    async def _lang(self, user_id: int) -> Lang | None:
        """The person's language (their survey's, else their account's); None while unknown:
        then the notice is in both, Welsh first."""
        if self.repo is None:
            return None
        _, _, lang = await self.repo.whois(user_id)
        return lang

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        if not await self._allow(user.id):
            log.info("throttled an update from user %s", user.id)
            await self._slow_down(user.id, event, data)
            return None
        self._warned.discard(user.id)
        return await handler(event, data)


class WhoIsThis(BaseMiddleware):
    """Works out who wrote, once per update, before any handler runs: ``respondent`` and its
    ``survey`` (or None), and ``lang``, the person's language (their survey's, else their
    account's; None while unknown), so that no handler looks it up again."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        data["respondent"] = None
        data["survey"] = None
        data["lang"] = None
        if user is not None and not user.is_bot:
            invitee, council, lang = await self.repo.whois(user.id)
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
            data["lang"] = lang
        return await handler(event, data)
