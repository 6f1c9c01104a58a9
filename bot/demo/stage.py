"""The real bot and the local Bot API stand-in, both in this process, on a fresh database.

This is what ``datatool run`` does (``bot.app``: the same dispatcher, handlers and
middlewares, long polling over HTTP), pointed at the stand-in instead of api.telegram.org, with a
made-up token: nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiogram import methods
from aiogram.methods.base import Response

from bot.app import build_dispatcher, create_bot, register_commands
from bot.cli.words import t
from bot.config import Settings
from standin import FloodControl, StandIn
from storage.opening import open_database
from storage.repository import Repository
from storage.rows import RosterRow

DEMO_TOKEN = "123456:DEMO"
BOT_USERNAME = "datatool_demo_bot"


class StageError(Exception):
    """The demo's bot could not be started or misbehaved; the message says how, in the
    operator's language."""


REPLIED_WITH = (
    methods.AnswerCallbackQuery,
    methods.DeleteWebhook,
    methods.EditMessageReplyMarkup,
    methods.EditMessageText,
    methods.GetMe,
    methods.GetUpdates,
    methods.SendDocument,
    methods.SendMessage,
    methods.SetMyCommands,
)


def response_models() -> list[type]:
    """aiogram validates every reply as ``Response[T]``; pydantic keeps those generic models
    only weakly, so under the demo's load they are rebuilt again and again (about 10 ms each,
    an eighth of the demo's time). Holding them for the run keeps them built once."""
    # Each method names its result type at run time; no static type can say which.
    return [Response[m.__returning__] for m in REPLIED_WITH]  # type: ignore[name-defined]


@dataclass
class Stage:
    api: StandIn
    repo: Repository
    settings: Settings
    tokens: dict[str, str]
    """Invitation code by invitee email."""
    models: list[type]


def demo_settings(api_url: str, db_path: Path, auditor_ids: frozenset[int]) -> Settings:
    """Settings for the demo alone: a fake token, the stand-in, no email, phones that tap fast."""
    return Settings(
        _env_file=None,
        bot_token=DEMO_TOKEN,
        telegram_api_url=api_url,
        datatool_db=db_path,
        auditor_ids=auditor_ids,
        smtp_host=None,
        min_group_size=5,
        flood_rate=1000.0,
        reply_rate=1000.0,
    )


async def _invite(repo: Repository, rows: list[RosterRow]) -> dict[str, str]:
    await repo.import_roster(rows)
    tokens: dict[str, str] = {}
    for slug in dict.fromkeys(r.council for r in rows):
        council = await repo.find_council(slug)
        if council is None:
            raise StageError(t("demo.err.unknown_council", council=slug))
        for invitation in await repo.ensure_tokens(council.id):
            tokens[invitation.email] = invitation.token
    return tokens


@contextlib.asynccontextmanager
async def demo_bot(
    db_path: Path, rows: list[RosterRow], *, auditor_ids: frozenset[int] = frozenset()
) -> AsyncIterator[Stage]:
    """Imports ``rows`` into a new database at ``db_path``, makes their invitation codes and
    runs the bot against a stand-in until the block ends."""
    # Dozens of simulated phones answer at once, far faster than people: Telegram's overall
    # ~30 messages/s would make the demo crawl, so the stand-in counts it but does not enforce
    # it. Every other rule (HTML, sizes, callbacks, per-chat state) stays as strict as Telegram.
    flood = FloodControl(global_enforced=False)
    async with (
        StandIn(token=DEMO_TOKEN, bot_username=BOT_USERNAME, flood=flood) as api,
        await open_database(db_path) as db,
    ):
        repo = Repository(db)
        tokens = await _invite(repo, rows)
        settings = demo_settings(api.base_url, db_path, auditor_ids)
        bot = create_bot(settings)
        dp = build_dispatcher(settings, repo)
        try:
            await bot.delete_webhook(drop_pending_updates=False)
            await register_commands(bot, dp["texts"])
            polling = asyncio.create_task(dp["polling"].run(bot, polling_timeout=1))
            await _until_polling(api, polling)
            try:
                yield Stage(
                    api=api, repo=repo, settings=settings, tokens=tokens, models=response_models()
                )
            finally:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
                await dp["polling"].finish(5.0)
        finally:
            await bot.session.close()


async def _until_polling(api: StandIn, polling: asyncio.Task[None], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not api.calls_to("getUpdates"):
        if polling.done():
            polling.result()
            raise StageError(t("demo.err.stopped"))
        if loop.time() > deadline:
            raise StageError(t("demo.err.no_polling"))
        await asyncio.sleep(0.02)
