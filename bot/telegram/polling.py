"""Long polling that confirms an update to Telegram only once its outcome is stored.

Telegram forgets an update once getUpdates is called with an offset past it. aiogram's polling
moves the offset past each update as soon as it has handed it to a handler, so a bot killed while
handling it never sees it again: harmless for a tap, which the person repeats, but a typed
comment simply vanishes. Here the offset stays at the oldest update still *unsettled* (received,
its outcome not yet stored), so after a crash Telegram delivers again everything whose outcome
was not stored, and the ``handled_updates`` row (``OncePerUpdate``) skips everything whose
outcome was. An update settles as soon as its survey step commits (the step's transaction records
it: `storage.repository.handling`), or else once its handling ends.

Holding the offset back means Telegram sends the unsettled updates again with each poll; they are
recognised by their ids and dropped here before anything parses them (`Unconfirmed.receive`,
`GetRawUpdates`). The next poll waits (`SETTLE_WAIT`) for the updates just received to settle,
which takes milliseconds and spares most of those repeats (under load it also gathers the
updates into larger batches), and a poll that brought nothing new waits for something to settle
before it asks again, so the bot never spins. An update that stays unsettled
longer than `HOLD_LIMIT` (a report being built, a chat being paced) stops holding the offset: for
it the bot is back to aiogram's rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig
from pydantic import ValidationError

from bot.telegram.unread import Unread

log = logging.getLogger(__name__)

HOLD_LIMIT = 5.0
"""Seconds an unsettled update may hold the offset back (an answer settles in milliseconds)."""
IDLE_WAIT = 0.05
"""The longest pause before asking again, after a poll that brought only updates in hand."""
SETTLE_WAIT = 0.1
"""How long the next poll waits for the updates just received to settle (they mostly do in a
few milliseconds); asking at once would only bring them back."""


class Unconfirmed:
    """The updates received and not yet settled, and the offset that confirms all the rest."""

    def __init__(self, *, clock: Any = None, hold_limit: float = HOLD_LIMIT) -> None:
        self._clock = clock or asyncio.get_running_loop().time
        self.hold_limit = hold_limit
        self._unsettled: dict[int, float] = {}
        """update id -> when it was received."""
        self._seen: set[int] = set()
        """Ids received at or above the offset last sent (to drop what Telegram sends again)."""
        self._next = 0
        """One past the highest id received."""
        self._settled = asyncio.Event()

    def receive(self, update_id: int) -> bool:
        """True for an update to handle; False for one already in hand here (received since
        the offset was last moved). Anything older that comes again (Telegram lost a
        confirmation) is handed on, for ``OncePerUpdate``'s check of ``handled_updates``."""
        if update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._unsettled[update_id] = self._clock()
        self._next = max(self._next, update_id + 1)
        return True

    def settle(self, update_id: int) -> None:
        """The update's outcome is stored (or its handling is over): it may be confirmed."""
        if self._unsettled.pop(update_id, None) is not None:
            self._settled.set()

    def offset(self) -> int | None:
        """The offset for the next getUpdates: the oldest update still held, else one past the
        newest received (None before any)."""
        if not self._next:
            return None
        floor = self._floor()
        self._seen = {u for u in self._seen if u >= floor}
        return floor

    def _floor(self) -> int:
        now = self._clock()
        held = [u for u, t in self._unsettled.items() if now - t < self.hold_limit]
        return min(held) if held else self._next

    async def wait_settled(self, timeout: float, ids: list[int] | None = None) -> None:
        """Returns when something settles (with ``ids``: when all of those have), or after
        ``timeout``."""
        # asyncio.timeout, not wait_for: on Python 3.11, wait_for swallows a cancellation (the
        # bot's stop) that arrives in the same turn of the loop as the event it waits for.
        try:
            async with asyncio.timeout(timeout):
                while ids is None or any(u in self._unsettled for u in ids):
                    self._settled.clear()
                    await self._settled.wait()
                    if ids is None:
                        return
        except TimeoutError:
            return


class GetRawUpdates(GetUpdates, Unread):
    """getUpdates answered as plain dicts (`Unread`: not validated on the way in; the loop
    checks each update's id, and `parse_update` the rest): the updates already in hand, which
    Telegram sends again while the offset is held, are dropped by their id before anything
    parses them (parsing an update costs far more than reading its id)."""

    __returning__ = list[dict[str, Any]]


def parse_update(raw: dict[str, Any], bot: Bot) -> Update | None:
    """An update as aiogram's polling would have parsed it, or None for one that does not parse:
    only its id is logged (as `bot.telegram.session.MalformedUpdates` does for aiogram's own
    parsing), never its content."""
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError:
        log.warning("update %s could not be read; skipped", raw.get("update_id"))
        return None


class ConfirmingDispatcher(Dispatcher):
    """aiogram's dispatcher with long polling that confirms an update only once it settled (see
    the module's notes). Webhook mode (`bot.telegram.webhook`) does not poll, and is unchanged.

    It overrides two of aiogram's internal methods (``_listen_updates``, ``_process_update``),
    pinned by uv.lock; the kill -9 tests in tests/e2e/test_faults.py hold them to their promise."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unconfirmed: Unconfirmed | None = None

    def settle(self, update_id: int) -> None:
        if self.unconfirmed is not None:
            self.unconfirmed.settle(update_id)

    async def _process_update(
        self, bot: Bot, update: Update, call_answer: bool = True, **kwargs: Any
    ) -> bool:
        try:
            return await super()._process_update(bot, update, call_answer, **kwargs)
        finally:
            self.settle(update.update_id)

    async def _listen_updates(  # type: ignore[override]
        self,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        """aiogram's loop (``Dispatcher._listen_updates``: retry with backoff, never stop),
        with the offset from `Unconfirmed`."""
        unconfirmed = self.unconfirmed = Unconfirmed()
        backoff = Backoff(config=backoff_config)
        get_updates = GetRawUpdates(timeout=polling_timeout, allowed_updates=allowed_updates)
        kwargs = {}
        if bot.session.timeout:
            kwargs["request_timeout"] = int(bot.session.timeout + polling_timeout)
        failed = False
        while True:
            get_updates.offset = unconfirmed.offset()
            try:
                # Plain dicts (GetRawUpdates), whatever aiogram's annotation of getUpdates says.
                result = await bot(cast(GetUpdates, get_updates), **kwargs)
                updates: list[Any] = list(result)
            except Exception as e:  # as aiogram's: polling never stops
                failed = True
                # An unreachable API is said by the session's retry policy (`Reachability`:
                # once, with the URL, then ERROR after a minute); anything else here in a line
                # of its own, with Telegram's words (a second bot polling: TelegramConflictError).
                if isinstance(e, TelegramAPIError) and not isinstance(e, TelegramNetworkError):
                    log.error("getUpdates failed: %s: %s", type(e).__name__, e.message)
                elif not isinstance(e, TelegramNetworkError):
                    log.error("getUpdates failed: %s", type(e).__name__)  # may quote updates
                log.debug("polling again in %.1f s", backoff.next_delay)
                await backoff.asleep()
                continue
            if failed:
                backoff.reset()
                failed = False
            fresh: list[Update] = []
            for raw in updates:
                if not (isinstance(raw, dict) and isinstance(raw.get("update_id"), int)):
                    continue
                if not unconfirmed.receive(raw["update_id"]):
                    continue
                update = parse_update(raw, bot)
                if update is None:  # nothing to handle: confirmed with the next poll
                    unconfirmed.settle(raw["update_id"])
                else:
                    fresh.append(update)
            for update in fresh:
                yield update
            if fresh:
                await unconfirmed.wait_settled(SETTLE_WAIT, [u.update_id for u in fresh])
            elif updates:
                # Only updates in hand came back: wait for one to settle before asking again.
                await unconfirmed.wait_settled(IDLE_WAIT)
