"""Outer middlewares: each update once, floods throttled, and the person's language and
invitation looked up before any handler runs. (One person's updates run one at a time by
aiogram's ``SimpleEventIsolation``, which the dispatcher is built with.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Chat, TelegramObject, Update, User
from aiolimiter import AsyncLimiter

from bot.services.wording import say, toast
from rubric.catalog import Messages
from rubric.schema import Lang, Questionnaire
from storage.questionnaires import Questionnaires
from storage.repository import Repository
from storage.rows import UpdateContext
from storage.updates import handling

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
PRUNE_AT = 1024


class OncePerUpdate(BaseMiddleware):
    """Reads, once, everything the update needs (`Repository.update_context`: who wrote, their
    survey, their council's window, and whether this update was handled already) and puts it
    in ``data["context"]``; and makes a delivery again of an update already handled a no-op.

    Telegram may deliver an update again (after a crash, or a webhook retry). An update is
    recorded as handled in ``handled_updates`` when its outcome is stored: in the transaction
    that saves the survey step (`storage.updates.handling`), else by one write once the
    handler returns. A worker that dies before that leaves no row, so the next delivery is
    handled (a typed answer is not lost); one that dies after it leaves a row, so the next
    delivery is skipped (nothing is doubled). It runs under the person's lock
    (`PersonIsolation`), so the read and the write see no other handler of that person's."""

    def __init__(
        self,
        repo: Repository,
        *,
        settled: Callable[[int], None] | None = None,
    ) -> None:
        self.repo = repo
        self.settled = settled
        """Told an update's id once its outcome is stored (long polling then confirms it to
        Telegram: `bot.telegram.polling`)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        user: User | None = data.get("event_from_user")
        person = None if user is None or user.is_bot else user.id
        context = await self.repo.update_context(person, event.update_id)
        if context.handled:
            log.info("update %s delivered again; skipped", event.update_id)
            return None
        data["context"] = context
        with handling(event.update_id, self.settled) as marker:
            result = await handler(event, data)
        if not marker.recorded:
            await self.repo.record_update(event.update_id)
            marker.mark_recorded()
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
            lang = await self._lang(user_id, data)
            await event.callback_query.answer(toast(texts, lang, "notice.slow_down"))
        elif event.message is not None and user_id not in self._warned:
            self._warned.add(user_id)
            lang = await self._lang(user_id, data)
            await event.message.answer(say(texts, lang, "notice.slow_down"))

    async def _lang(self, user_id: int, data: dict[str, Any]) -> Lang | None:
        """The person's language (their survey's, else their account's); None while unknown:
        then the notice is in both, Welsh first."""
        context: UpdateContext | None = data.get("context")
        if context is not None:
            return context.language
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


class Surveyed(Protocol):
    """What ``WhoIsThis`` needs of a person's survey
    (``bot.respondent.respondent_survey.Survey``)."""

    @property
    def respondent(self) -> object: ...


class WhoIsThis(BaseMiddleware):
    """Works out who wrote, once per update, before any handler runs: ``respondent`` and its
    ``survey`` (or None), the ``questionnaire`` they answer (their questionnaire version's),
    and ``lang``, the person's language (their survey's, else their
    account's; None while unknown), so that no handler looks it up again. It reads nothing
    itself: ``OncePerUpdate``'s read has it all (read here only when that middleware is not
    in front, as in some tests)."""

    def __init__(
        self,
        repo: Repository,
        *,
        survey_of: Callable[..., Surveyed | None],
        screens_of: Callable[[int | None, Questionnaire], object] | None = None,
    ) -> None:
        self.repo = repo
        self.survey_of = survey_of
        """The respondent room's ``Survey.of``, given by the composition (``bot.app``), so that
        this plumbing imports no room."""
        self.screens_of = screens_of
        """The rendered screens' cache for a questionnaire version (the respondent room's
        ``ScreenCaches.of``), for a person answering a stored version."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        data["respondent"] = None
        data["survey"] = None
        data["lang"] = None
        if user is not None and not user.is_bot:
            context: UpdateContext | None = data.get("context")
            if context is None:
                context = await self.repo.update_context(user.id)
            retired: frozenset[str] = frozenset()
            if context.invitee is not None and context.questionnaire_version is not None:
                # The person answers the version their response is pinned to (or, before
                # they start, the newest): their handlers get that version's questionnaire.
                questionnaires: Questionnaires = data["questionnaires"]
                version = context.questionnaire_version
                data["questionnaire"] = await questionnaires.get(version)
                if self.screens_of is not None:
                    data["screens"] = self.screens_of(version, data["questionnaire"])
                retired = questionnaires.retired(data["questionnaire"])
            survey = self.survey_of(
                context,
                data["bot"],
                user.id,
                self.repo,
                data["questionnaire"],
                data["texts"],
                data["settings"],
                data.get("screens"),
                retired=retired,
            )
            if survey is not None:
                data["respondent"] = survey.respondent
                data["survey"] = survey
            data["lang"] = context.language
        return await handler(event, data)
