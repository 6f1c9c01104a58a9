"""`/remind COUNCIL`: an auditor's deliberate chase, from Telegram.

Like `datatool remind`, it reminds now everyone unfinished at the council who has had nothing in
the last 24 hours. Whoever is not an auditor for that council gets the one polite refusal.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.auditor.handlers import admit, resolve_council
from bot.config import Settings
from bot.reminders.sender import shared_sender
from bot.reminders.service import run_reminders
from bot.reminders.texts import council_values, load_texts
from bot.telegram.registry import Handlers
from bot.telegram.ui import survey_open
from rubric.catalog import Messages
from rubric.models import Lang
from storage.repository import Repository

handlers = Handlers("reminders")
TEXTS_KEY = "reminder_texts"


def reminder_texts(data: dict[str, Any]) -> Messages:
    """The reminders' catalog, read once per dispatcher."""
    found = data.get(TEXTS_KEY)
    if not isinstance(found, Messages):
        found = data[TEXTS_KEY] = load_texts()
    return found


@handlers.message(Command("remind", "atgoffa"))
async def remind(
    message: Message,
    command: CommandObject,
    bot: Bot,
    dispatcher: Dispatcher,
    account_lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
) -> None:
    admitted = await admit(message, repo, texts, settings, account_lang)
    if admitted is None:
        return
    lang, scope = admitted
    query = (command.args or "").strip()
    if not query:
        await message.answer(texts(lang, "auditor.usage_remind"))
        return
    council = await resolve_council(message, repo, texts, lang, query, scope)
    if council is None:
        return
    words = reminder_texts(dispatcher.workflow_data)
    names = {k: escape(v) for k, v in council_values(council, lang).items()}
    if not await survey_open(repo, council.id, settings.timezone):
        await message.answer(words(lang, "chase.closed", **names))
        return
    await message.answer(words(lang, "chase.started", **names))
    summary = await run_reminders(
        repo,
        bot,
        settings,
        council_ids=[council.id],
        deliberate=True,
        sender=shared_sender(dispatcher.workflow_data, bot, settings.send_rate),
        texts=words,
    )
    text = words(
        lang,
        "chase.done",
        telegram=summary.telegram,
        email=summary.email,
        unreachable=summary.unreachable,
        skipped=summary.skipped_total,
        **names,
    )
    if summary.failed:
        text += "\n" + words(lang, "chase.failed", failed=summary.failed)
    if not settings.email_enabled:
        text += "\n" + words(lang, "chase.no_email")
    await message.answer(text)
