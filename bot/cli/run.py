"""``datatool run``: the bot itself (long polling, or a webhook with ``WEBHOOK_URL``, and the
reminder schedule beside it)."""

from __future__ import annotations

import argparse

from bot.app import run_polling, run_webhook
from bot.cli.telegram import telegram_failures
from bot.config import Settings
from bot.reminders.schedule import reminder_loop


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    settings.token()
    async with telegram_failures(settings):
        if settings.webhook_url is not None:
            await run_webhook(settings, background=[reminder_loop])
        else:
            await run_polling(settings, background=[reminder_loop])
    return 0
