"""``datatool run`` with ``WEBHOOK_URL`` set: a webhook instead of long polling.

Telegram posts each update to ``WEBHOOK_URL`` with the ``X-Telegram-Bot-Api-Secret-Token``
header; a request without the matching secret is refused (401) and never handled. An update is
handled inside its request, and the request answered only once the outcome is stored: a worker
that dies mid-update answers nothing, Telegram delivers the update again (to this worker once it
is back, or to another behind the same URL), and the update's row in ``handled_updates``
(committed with its outcome) keeps the second delivery from counting twice. SIGTERM stops taking
updates (503, so Telegram tries again elsewhere), lets those in flight finish, and only then
closes the database.

The route is plain aiohttp calling aiogram's public ``dp.feed_update`` (not aiogram's
``SimpleRequestHandler``, which after 55 seconds answers 200 and goes on handling in the
background: a crash then would lose an update already acknowledged).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web

from bot.config import Settings
from bot.telegram.session import SendPacer
from storage.repository import Repository

log = logging.getLogger(__name__)

DRAIN_SECONDS = 60.0
"""The longest SIGTERM waits for updates in flight (Telegram waits about as long for an answer)."""
PING_SECONDS = 2.0
"""How long /healthz waits for the database before calling it unreachable."""
HEARTBEAT = timedelta(seconds=3)
"""How often a worker says it is alive."""
COUNTED_FOR = 10 * HEARTBEAT
"""How long a worker not heard from still counts: long, since erring this way only slows the
others (a busy worker whose beat comes late must not make them send at the full rate)."""


async def share_send_rate(bot: Bot, repo: Repository, owner: str) -> None:
    """Keeps this worker's sends to its share of the overall rate (``REPLY_RATE`` divided by the
    workers alive on this database), however many workers are started or stopped."""
    pacers = [m for m in bot.session.middleware if isinstance(m, SendPacer)]
    beats = repo.heartbeats()
    try:
        while True:
            try:
                workers = await beats.beat(owner, COUNTED_FOR)
            except Exception:
                log.warning("heartbeat failed; keeping the current share of the send rate")
            else:
                for pacer in pacers:
                    if pacer.workers != workers:
                        log.info("%s worker(s) share the send rate", workers)
                    pacer.share(workers)
            await asyncio.sleep(HEARTBEAT.total_seconds())
    finally:
        with contextlib.suppress(Exception):
            await asyncio.shield(beats.leave(owner))


class ListenFailed(Exception):
    """The webhook could not listen on ``WEBHOOK_LISTEN`` (a port in use, an address not on
    this machine): the command says so, and never blames the database."""

    def __init__(self, address: str, cause: str) -> None:
        super().__init__(f"cannot listen on {address} (WEBHOOK_LISTEN): {cause}")
        self.address, self.cause = address, cause


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateRoute:
    """The webhook's route: an update with the right secret is handled inside its request, and
    the request answered only once the handling is over (its outcome stored). It counts the
    requests in flight, so that SIGTERM can wait for them."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.secret_token = secret_token
        self.in_flight = 0
        self.draining = False
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
            return web.Response(status=401, text="Unauthorized")
        if self.draining:
            return web.Response(status=503, text="shutting down")
        bot = self.bot
        update = Update.model_validate(
            await request.json(loads=bot.session.json_loads), context={"bot": bot}
        )
        self.in_flight += 1
        self.idle.clear()
        try:
            await self.dispatcher.feed_update(bot, update)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()
        return web.json_response({})

    async def drain(self, timeout: float) -> bool:
        """Refuse new updates and wait for those in flight; False if some were still running."""
        self.draining = True
        try:
            async with asyncio.timeout(timeout):
                await self.idle.wait()
        except TimeoutError:
            return False
        return True


def build_app(settings: Settings, dp: Dispatcher, bot: Bot, repo: Repository) -> web.Application:
    """The webhook's aiohttp application: the update route and ``GET /healthz``."""
    app = web.Application()
    handler = UpdateRoute(dp, bot, secret_token=settings.secret())
    app["webhook_handler"] = handler
    app.router.add_post(settings.webhook_path, handler.handle)

    async def healthz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(PING_SECONDS):
                healthy = await repo.ping()
        except TimeoutError:
            healthy = False
        if handler.draining:
            return web.Response(status=503, text="shutting down")
        return web.Response(status=200 if healthy else 503, text="ok" if healthy else "no database")

    app.router.add_get("/healthz", healthz)
    return app


async def serve_webhook(
    settings: Settings,
    dp: Dispatcher,
    bot: Bot,
    repo: Repository,
    background: list[Callable[..., object]],
    register_commands: Callable[[Bot, Any], Awaitable[None]],
    *,
    owner: str,
) -> None:
    """Serves the webhook until SIGTERM or SIGINT (built by ``bot.app.run_webhook``); ``owner``
    names this worker in the heartbeats."""
    app = build_app(settings, dp, bot, repo)
    handler: UpdateRoute = app["webhook_handler"]
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    host, port = settings.listen_address
    site = web.TCPSite(runner, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    tasks: list[asyncio.Task[object]] = []
    try:
        try:
            await site.start()
        except OSError as exc:
            raise ListenFailed(f"{host}:{port}", exc.strerror or str(exc)) from None
        log.info("webhook listening on %s:%s%s", host, port, settings.webhook_path)
        gc.freeze()  # as for polling: see bot.app.run_polling
        await register_commands(bot, dp["texts"])
        await bot.set_webhook(
            settings.webhook_url or "",
            secret_token=settings.secret(),
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        tasks.append(asyncio.create_task(share_send_rate(bot, repo, owner)))
        for start in background:
            tasks.append(asyncio.create_task(start(bot=bot, dp=dp, repo=repo)))  # type: ignore[arg-type]
        await stop.wait()
        log.info(
            "stopping: %s received, finishing %s update(s) in flight",
            received[0] if received else "stop",
            handler.in_flight,
        )
        if not await handler.drain(DRAIN_SECONDS):
            log.warning(
                "%s update(s) still in flight after %.0f s", handler.in_flight, DRAIN_SECONDS
            )
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await runner.cleanup()
        await bot.session.close()
