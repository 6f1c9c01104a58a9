"""``datatool run``: the bot itself (long polling, or a webhook with ``WEBHOOK_URL``, and the
reminder schedule beside it)."""

from __future__ import annotations

import argparse

from bot.app import run
from bot.cli.telegram import telegram_failures
from bot.config import Settings


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    settings.token()
    async with telegram_failures(settings):
        await run(settings)
    return 0
