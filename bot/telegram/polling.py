"""Long polling that confirms an update to Telegram only once it has been handled.

aiogram's polling confirms an update (``offset`` on the next ``getUpdates``) as soon as it has
handed it to a task, so a process killed while handling it loses it: harmless for a tap, which
the person repeats, but a typed comment would simply vanish. Here the offset never passes an
update still being handled; after a crash Telegram gives it again, and ``handled_updates``
(``OncePerUpdate``) skips whatever had been stored already.

The price: while an update is in flight, ``getUpdates`` returns it again at once. The loop then
waits for a handling to finish (a fraction of a second at most) before asking again, so it
never spins, and one slow update (a PDF report) delays the others by at most that fraction;
and the updates given again while in flight are dropped from the answer before aiogram's models
are built for them (``InFlight.loads``), which would otherwise cost more than handling them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)

WAIT_FOR_FINISH = 0.2
"""How long the loop waits for an update in flight to finish before asking Telegram again."""

REMEMBERED = 1000
"""Handled updates remembered, to skip when Telegram gives them again: more than one batch."""

BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)


class InFlight:
    """The updates handed out and not yet handled, and the offset that confirms the rest."""

    def __init__(self) -> None:
        self.handling: set[int] = set()
        self.recent: dict[int, None] = {}
        """Updates handled lately, in order (a bounded memory: only those that Telegram can
        still give again, because something older was in flight, matter)."""
        self.last: int | None = None
        """The last update Telegram gave. Not "the highest": after a week without updates
        Telegram starts its numbering afresh at random."""
        self.finished = asyncio.Event()

    def take(self, update_id: int) -> bool:
        """A fetched update: True if it is new (not handed out before)."""
        self.last = update_id
        if update_id in self.handling or update_id in self.recent:
            return False
        self.handling.add(update_id)
        return True

    def loads(self, content: str) -> Any:
        """The session's JSON reader: a ``getUpdates`` answer (a list of updates) loses those
        still in flight, since the loop would only skip them after aiogram had parsed them."""
        data = json.loads(content)
        if not self.handling or not isinstance(data, dict):
            return data
        result = data.get("result")
        updates = result if isinstance(result, list) and result else [None]
        if isinstance(updates[0], dict) and "update_id" in updates[0]:
            data["result"] = [
                u
                for u in updates
                if not (isinstance(u, dict) and u.get("update_id") in self.handling)
            ]
        return data

    def done(self, update_id: int) -> None:
        self.handling.discard(update_id)
        self.recent[update_id] = None
        if len(self.recent) > REMEMBERED:
            del self.recent[next(iter(self.recent))]
        self.finished.set()

    @property
    def offset(self) -> int | None:
        """Confirms every update below the lowest still in flight (or all that were given)."""
        if self.handling:
            return min(self.handling)
        return None if self.last is None else self.last + 1

    async def settle(self) -> None:
        """While anything is in flight, waits (briefly) for one to finish, since asking again
        at once would only be given the same updates back."""
        if not self.handling:
            return
        self.finished.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.finished.wait(), WAIT_FOR_FINISH)


class ConfirmingDispatcher(Dispatcher):
    """aiogram's dispatcher whose long polling confirms only what has been handled."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = InFlight()

    async def _process_update(
        self, bot: Bot, update: Update, call_answer: bool = True, **kwargs: Any
    ) -> bool:
        try:
            return await super()._process_update(bot, update, call_answer, **kwargs)
        finally:
            self.in_flight.done(update.update_id)

    async def _listen_updates(  # type: ignore[override]
        self,
        bot: Bot,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = BACKOFF,
        allowed_updates: list[str] | None = None,
    ) -> AsyncGenerator[Update, None]:
        """aiogram's loop (a classmethod there, an instance's here, since the offset depends
        on this dispatcher's updates in flight), with its back-off on a failed fetch."""
        backoff = Backoff(config=backoff_config)
        kwargs: dict[str, Any] = {}
        if bot.session.timeout:
            kwargs["request_timeout"] = int(bot.session.timeout + polling_timeout)
        in_flight = self.in_flight
        bot.session.json_loads = in_flight.loads
        while True:
            await in_flight.settle()
            ask = GetUpdates(
                offset=in_flight.offset, timeout=polling_timeout, allowed_updates=allowed_updates
            )
            try:
                updates = await bot(ask, **kwargs)
            except Exception as exc:
                log.error("could not fetch updates (%s); trying again", type(exc).__name__)
                await backoff.asleep()
                continue
            backoff.reset()
            for update in updates:
                if in_flight.take(update.update_id):
                    yield update
                elif ask.offset is not None and update.update_id < ask.offset:
                    # Confirmed already, and given again all the same (Telegram's side).
                    log.info("update %s delivered again; skipped", update.update_id)
