"""Webhook delivery, as Telegram does it once ``setWebhook`` is called.

Each update is POSTed as JSON to the webhook URL with ``X-Telegram-Bot-Api-Secret-Token``;
anything but a 2xx (a refusal, a timeout, a connection reset by a worker that died) leaves the
update queued, and it is posted again after a pause until some answer is a 2xx. Up to
``max_connections`` updates are in flight at once, but only one per user: a user's next update
waits for the answer to the previous one, so one person's updates arrive in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp

from standin.state import State, update_user

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def update_type(update: dict[str, Any]) -> str | None:
    return next((k for k in update if k != "update_id"), None)


class WebhookDelivery:
    """The delivery loop of one stand-in; runs while the stand-in does."""

    def __init__(self, state: State, *, timeout: float = 60.0, retry_delay: float = 0.2) -> None:
        self.state = state
        self.timeout = timeout
        """How long an answer is waited for before the delivery counts as failed."""
        self.retry_delay = retry_delay
        """The first pause before a failed update is posted again (doubling, at most 2 s)."""
        self.attempts: list[tuple[int, int | str]] = []
        """(update_id, status code or error name) of every delivery attempt, for tests."""
        self._busy: set[int | None] = set()
        self._sending: set[int] = set()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # A fresh connection for every delivery: a keep-alive connection to a worker that was
        # killed would only fail once more before a new one is tried.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True, limit=0),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )
        self._loop_task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._loop_task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._in_flight.clear()
        self._busy.clear()
        self._sending.clear()
        if self._session is not None:
            await self._session.close()

    # the loop ----------------------------------------------------------------------------------
    def _next(self) -> dict[str, Any] | None:
        """The oldest queued update whose user has nothing in flight; redeliveries first."""
        state = self.state
        for update in list(state.redeliveries):
            if update_user(update) not in self._busy:
                state.redeliveries.remove(update)
                return update
        for update in state.pending:
            if update["update_id"] in self._sending:
                continue
            if update_user(update) not in self._busy:
                return update
        return None

    async def _run(self) -> None:
        state = self.state
        while True:
            if state.webhook_url:
                while len(self._in_flight) < state.webhook_max_connections:
                    update = self._next()
                    if update is None:
                        break
                    user = update_user(update)
                    if user is not None:
                        self._busy.add(user)
                    self._sending.add(update["update_id"])
                    task = asyncio.create_task(self._deliver(update))
                    self._in_flight[id(task)] = task
                    task.add_done_callback(lambda t: self._in_flight.pop(id(t), None))
            await state.changed.wait(0.1)

    async def _deliver(self, update: dict[str, Any]) -> None:
        state = self.state
        user = update_user(update)
        delay = self.retry_delay
        try:
            allowed = state.webhook_allowed
            if allowed and update_type(update) not in allowed:
                self._acknowledge(update)
                return
            while state.webhook_url:
                if user is not None:
                    state.touch(user)
                outcome = await self._post(update)
                self.attempts.append((update["update_id"], outcome))
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    state.webhook_delivered += 1
                    self._acknowledge(update)
                    return
                state.webhook_failed += 1
                state.webhook_last_error = (int(time.time()), _describe(outcome))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        finally:
            self._busy.discard(user)
            self._sending.discard(update["update_id"])
            if user is not None:
                state.touch(user)
            state.changed.fire()

    async def _post(self, update: dict[str, Any]) -> int | str:
        assert self._session is not None
        headers = {SECRET_HEADER: self.state.webhook_secret} if self.state.webhook_secret else {}
        try:
            async with self._session.post(
                self.state.webhook_url, json=update, headers=headers
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return type(error).__name__

    def _acknowledge(self, update: dict[str, Any]) -> None:
        """A 2xx: the update leaves the queue (a redelivered copy was never in it)."""
        with contextlib.suppress(ValueError):
            self.state.pending.remove(update)


def _describe(outcome: int | str) -> str:
    if isinstance(outcome, int):
        return f"Wrong response from the webhook: {outcome}"
    return f"Connection failed: {outcome}"
