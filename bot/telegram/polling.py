"""Long polling that confirms an update to Telegram only once its outcome is stored.

Telegram forgets an update once getUpdates is called with an offset past it. aiogram's polling
moves the offset past each update as soon as it has handed it to a handler, so a bot killed while
handling it never sees it again: harmless for a tap, which the person repeats, but a typed
comment simply vanishes. Here the offset stays at the oldest update still *unsettled* (received,
its outcome not yet stored), so after a crash Telegram delivers again everything whose outcome
was not stored, and the ``handled_updates`` row (``OncePerUpdate``) skips everything whose
outcome was. An update settles as soon as its survey step commits (the step's transaction records
it: `storage.repository.handling`), or else once its handling ends.

The loop is aiogram's public doors only, as aiogram's own templates poll by hand: getUpdates is
``bot(GetUpdates(offset=...))`` and each update is handed to ``dp.feed_update`` in a task of its
own (as aiogram's ``handle_as_tasks``). Holding the offset back means Telegram sends the
unsettled updates again with each poll; they are recognised by their ids and dropped
(`Unconfirmed.receive`), but aiogram has parsed each of them by then (a whole update, as costly
as the message it carries). So the next poll waits (`SETTLE_WAIT`) until the updates just
received have all settled: at a person's pace that takes milliseconds; under load it spares the
repeats (polling every 0.1 s instead, getUpdates and its parsing took a quarter of the bot's
samples under load; waiting took its CPU per answer from 3.8 to 3.0 ms, issue 24) and gathers
the updates into larger batches. A poll
that brought nothing new waits for something to settle before it asks again, so the bot never
spins. An update that stays unsettled longer than `HOLD_LIMIT` (a report being built, a chat
being paced) stops holding the offset: for it the bot is back to aiogram's rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)

HOLD_LIMIT = 5.0
"""Seconds an unsettled update may hold the offset back (an answer settles in milliseconds)."""
IDLE_WAIT = 0.05
"""The longest pause before asking again, after a poll that brought only updates in hand."""
SETTLE_WAIT = 1.0
"""The longest the next poll waits for the updates just received to settle (they mostly do in a
few milliseconds; a report being built holds the next poll this long, once); asking before they
have would only bring them back, to be parsed again."""
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
"""After a failed getUpdates: aiogram's own polling's pauses (its default back-off)."""


class Unconfirmed:
    """The updates received and not yet settled, and the offset that confirms all the rest."""

    def __init__(
        self, *, clock: Callable[[], float] | None = None, hold_limit: float = HOLD_LIMIT
    ) -> None:
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


class ConfirmingPolling:
    """Long polling for ``dp`` that confirms an update only once it settled (see the module's
    notes). Webhook mode (`bot.telegram.webhook`) does not poll.

    ``settle`` is given to ``OncePerUpdate``, which calls it as soon as an update's outcome is
    committed; an update also settles when its handling ends, however it ends."""

    def __init__(self, dp: Dispatcher, *, hold_limit: float = HOLD_LIMIT) -> None:
        self.dp = dp
        self.hold_limit = hold_limit
        self.unconfirmed: Unconfirmed | None = None
        self.in_flight: set[asyncio.Task[None]] = set()
        """The updates being handled (a strong reference to each task until it ends)."""

    def settle(self, update_id: int) -> None:
        if self.unconfirmed is not None:
            self.unconfirmed.settle(update_id)

    async def run(
        self,
        bot: Bot,
        *,
        polling_timeout: int = 10,
        allowed_updates: list[str] | None = None,
        **data: Any,
    ) -> None:
        """Polls until cancelled, retrying with a back-off when getUpdates fails (as aiogram's
        polling: it never stops by itself). ``data`` goes to the handlers with each update."""
        if allowed_updates is None:
            allowed_updates = self.dp.resolve_used_update_types()
        unconfirmed = self.unconfirmed = Unconfirmed(hold_limit=self.hold_limit)
        backoff = Backoff(config=BACKOFF)
        # As aiogram's: the request may take the whole long poll, and then the session's time.
        request_timeout = (
            int(bot.session.timeout + polling_timeout) if bot.session.timeout else None
        )
        failed = False
        while True:
            method = GetUpdates(
                offset=unconfirmed.offset(),
                timeout=polling_timeout,
                allowed_updates=allowed_updates,
            )
            try:
                updates = await bot(method, request_timeout=request_timeout)
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
            fresh = [u for u in updates if unconfirmed.receive(u.update_id)]
            for update in fresh:
                self._handle(bot, update, data)
            if fresh:
                await unconfirmed.wait_settled(SETTLE_WAIT, [u.update_id for u in fresh])
            elif updates:
                # Only updates in hand came back: wait for one to settle before asking again.
                await unconfirmed.wait_settled(IDLE_WAIT)

    def _handle(self, bot: Bot, update: Update, data: dict[str, Any]) -> None:
        if not update.model_fields_set - {"update_id"}:
            # Nothing but its id (one that could not be read: `MalformedUpdates`): nothing to
            # handle, confirmed with the next poll.
            self.settle(update.update_id)
            return
        task = asyncio.create_task(self._feed(bot, update, data))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def _feed(self, bot: Bot, update: Update, data: dict[str, Any]) -> None:
        try:
            await self.dp.feed_update(bot, update, **data)
        except Exception as e:  # the error handlers have had it; polling goes on
            # The exception's type, not its message: a message can quote what a person typed.
            log.error("update %s failed: %s", update.update_id, type(e).__name__)
        finally:
            self.settle(update.update_id)

    async def finish(self, timeout: float) -> bool:
        """Waits up to ``timeout`` for the updates in flight (after the polling stopped), then
        cancels the rest; False if some were cancelled. Either way nothing is confirmed that was
        not stored: what did not settle comes again to the next process."""
        if not self.in_flight:
            return True
        _, pending = await asyncio.wait(set(self.in_flight), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return not pending
