"""`/remind COUNCIL`: an auditor's deliberate chase, from Telegram.

Like `datatool remind`, it reminds now everyone unfinished at the council who has had nothing in
the last 24 hours. It sits behind the auditor filter (``bot.auditor.gate``), and uses the
process's one reminder sender and the reminders' catalog, which the dispatcher holds.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.reminders.sender import TelegramReminders, TelegramSender
from bot.services.access import REMIND, Scope, resolve_council
from bot.services.reminder_run import run_reminders
from bot.services.reminder_words import council_values
from bot.services.wording import languages, say
from bot.survey_window import survey_open
from bot.telegram.registry import Handlers
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.repository import Repository

handlers = Handlers("reminders")


@handlers.message(Command(*REMIND))
async def remind(
    message: Message,
    command: CommandObject,
    bot: Bot,
    scope: Scope,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
    reminder_sender: TelegramSender,
    reminder_texts: Messages,
) -> None:
    query = (command.args or "").strip()
    if not query:
        await message.answer(say(texts, lang, "auditor.usage_remind"))
        return
    council = await resolve_council(message.answer, repo, texts, lang, query, scope)
    if council is None:
        return
    words = reminder_texts
    langs = languages(lang)  # the auditor's, or both (Welsh first) while it is not known
    names = {
        each: {k: escape(v) for k, v in council_values(council, each).items()} for each in langs
    }

    def told(key: str) -> str:
        return "\n\n".join(words(each, key, **names[each]) for each in langs)

    if not await survey_open(repo, council.id, settings.timezone):
        await message.answer(told("chase.closed"))
        return
    await message.answer(told("chase.started"))
    summary = await run_reminders(
        repo,
        TelegramReminders(bot, reminder_sender, words),
        settings,
        council_ids=[council.id],
        deliberate=True,
        texts=words,
    )
    parts = []
    for each in langs:
        text = words(
            each,
            "chase.done",
            telegram=summary.telegram,
            email=summary.email,
            unreachable=summary.unreachable,
            skipped=summary.skipped_total,
            **names[each],
        )
        if summary.failed:
            text += "\n" + words(each, "chase.failed", failed=summary.failed)
        if not settings.email_enabled:
            text += "\n" + words(each, "chase.no_email")
        parts.append(text)
    await message.answer("\n\n".join(parts))
