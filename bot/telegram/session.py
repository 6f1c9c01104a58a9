"""The bot's one retry policy, at aiogram's session: what Telegram asks us to wait for, we wait
for, and every caller (replies, reminders, reports, one-off commands) goes through it.

A 429 pauses *every* request of the session for ``retry_after`` seconds (Telegram's limits are
per bot, so one chat's wait is everybody's) and then sends the same request again; a 5xx or a
network error is tried again after a short back-off; a 403 (blocked) or 400 is never retried,
since sending again cannot succeed. So a busy moment (a whole council answering in one lunch
hour) slows replies down instead of losing them. Nothing above the session retries again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Update
from aiolimiter import AsyncLimiter
from pydantic import ValidationError

log = logging.getLogger(__name__)


SENDS = frozenset({"sendMessage", "sendDocument"})


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def json_session(api: TelegramAPIServer | None = None) -> AiohttpSession:
    """aiogram's own aiohttp session, with orjson for the JSON it reads and writes (its public
    ``json_loads``/``json_dumps``: Telegram's answers, and the keyboards inside each call)."""
    if api is None:
        return AiohttpSession(json_loads=orjson.loads, json_dumps=_dumps)
    return AiohttpSession(api=api, json_loads=orjson.loads, json_dumps=_dumps)


class SendPacer(BaseRequestMiddleware):
    """Keeps all of the bot's sends under Telegram's overall rate, so that a council answering
    at once queues for a few milliseconds instead of collecting 429s.

    One bucket of ``rate`` units a second serves every send of the process, for its whole life;
    when several workers send for one bot, each send takes ``workers`` units, so each worker
    keeps to its share. The bucket is never replaced: a new one, swapped in when the share
    changes, would let the sends already queued on the old one go on at the old pace beside
    the new pace (two workers down to one gave 1.5 times the rate, and 429s)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.workers = 1
        # A burst of about a second's sends, and at least one (a rate under 1 a second).
        self.capacity = max(rate, 1.0)
        self.limiter = AsyncLimiter(self.capacity, self.capacity / rate)

    def share(self, workers: int) -> None:
        """Several workers send for one bot: each keeps to its share of the overall rate."""
        self.workers = max(1, workers)

    async def _turn(self) -> None:
        units = float(self.workers)
        while units > 0:  # more workers than the bucket holds: take it in bucketfuls
            step = min(units, self.capacity)
            await self.limiter.acquire(step)
            units -= step

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if method.__api_method__ in SENDS:
            await self._turn()
        return await make_request(bot, method)


class KeepResponseModels(BaseRequestMiddleware):
    """aiogram reads each answer as ``Response[the method's result type]``, a pydantic generic
    model that pydantic caches only weakly: the garbage collector drops it now and then and the
    next call builds the model again, a few milliseconds of schema work on the bot's one thread
    (seen in py-spy under load: 8% of the bot's samples under the answer-path benchmark, issue
    24). One strong reference per method type, on this session, keeps them built. Public doors
    only: ``Response[...]`` is how aiogram itself names the model, and holding a reference
    changes nothing but when the model is built."""

    def __init__(self) -> None:
        self._kept: dict[type[Any], type[Any]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)


UNREACHABLE_ERROR_AFTER = 60.0
"""Seconds of an unreachable Bot API after which its WARNING becomes an ERROR."""


class Reachability:
    """Says, once each, that the Bot API cannot be reached (WARNING, with its URL and the
    setting that names it), that it still cannot after a minute (ERROR), and that it can again
    (INFO): a few lines for an outage, however many requests fail in it."""

    def __init__(
        self,
        api_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        error_after: float = UNREACHABLE_ERROR_AFTER,
    ) -> None:
        self.api_url = api_url
        self._clock = clock
        self.error_after = error_after
        self._since: float | None = None
        self._escalated = False

    def failed(self, method: str, exc: BaseException) -> None:
        now = self._clock()
        cause = f"{type(exc).__name__}: {exc}"
        if self._since is None:
            self._since = now
            log.warning(
                "cannot reach the Bot API at %s (TELEGRAM_API_URL): %s: %s; trying again",
                self.api_url,
                method,
                cause,
            )
        elif not self._escalated and now - self._since >= self.error_after:
            self._escalated = True
            log.error(
                "the Bot API at %s (TELEGRAM_API_URL) has been unreachable for %.0f s: %s",
                self.api_url,
                now - self._since,
                cause,
            )

    def reached(self) -> None:
        if self._since is not None:
            log.info(
                "reached the Bot API at %s again after %.0f s",
                self.api_url,
                self._clock() - self._since,
            )
            self._since, self._escalated = None, False


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        attempts: int = 10,
        backoff: float = 0.25,
        max_wait: float = 60.0,
        *,
        api_url: str = "the Bot API",
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reach = Reachability(api_url, clock=clock)
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self.clock = clock
        self.resume_at = 0.0
        self.retry_afters = 0
        """How many 429s Telegram answered (a figure for the logs and the benchmarks)."""

    async def _turn(self) -> None:
        """Waits out any 429 pause that Telegram asked of this session."""
        while (wait := self.resume_at - self.clock()) > 0:
            await self._sleep(wait)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            await self._turn()
            try:
                result = await make_request(bot, method)
            except TelegramNetworkError as exc:
                self.reach.failed(method.__api_method__, exc)
                if attempt == self.attempts or method.__api_method__ == "getUpdates":
                    raise
                await self._sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            except TelegramRetryAfter as exc:
                self.retry_afters += 1
                if attempt == self.attempts:
                    raise
                wait = min(float(exc.retry_after), self.max_wait)
                self.resume_at = max(self.resume_at, self.clock() + wait)
                log.info("%s: 429, every request waits %.1f s", method.__api_method__, wait)
            except TelegramServerError as exc:
                self.reach.reached()
                if attempt == self.attempts or method.__api_method__ == "getUpdates":
                    raise
                log.info(
                    "%s: %s, retrying in %.2f s", method.__api_method__, type(exc).__name__, delay
                )
                await self._sleep(delay)
                delay = min(delay * 2, 5.0)
            else:
                self.reach.reached()
                return result
        raise AssertionError("unreachable")


def retry_policy(bot: Bot) -> RetryMiddleware | None:
    """The retry policy on this bot's session (None for a bare test bot)."""
    return next((m for m in bot.session.middleware if isinstance(m, RetryMiddleware)), None)


class MalformedUpdates(BaseRequestMiddleware):
    """A getUpdates batch that aiogram cannot parse would be refused whole, logged whole (with
    what people typed) and fetched again for ever. Instead each update is parsed on its own; one
    that does not parse becomes an empty update with its id, so polling moves past it, and only
    its id is logged."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        try:
            return await make_request(bot, method)
        except ClientDecodeError as exc:
            result = exc.data.get("result") if isinstance(exc.data, dict) else None
            if method.__api_method__ != "getUpdates" or not isinstance(result, list):
                raise ClientDecodeError(
                    "the Bot API's answer could not be read", exc, None
                ) from None
            updates = []
            for raw in result:
                try:
                    updates.append(Update.model_validate(raw, context={"bot": bot}))
                except ValidationError:
                    update_id = raw.get("update_id") if isinstance(raw, dict) else None
                    if not isinstance(update_id, int):
                        continue
                    log.warning("update %s could not be read; skipped", update_id)
                    updates.append(Update(update_id=update_id))
            return updates
