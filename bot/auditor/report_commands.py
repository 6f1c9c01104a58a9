"""Auditor commands: /report COUNCIL [en|cy] [html] and /status [COUNCIL].

They sit behind the auditor filter (``bot.auditor.gate``): a handler here runs for an auditor
only, with their ``scope`` and ``lang``. A council outside the scope gets the same refusal as a
non-auditor does.

"wales" or "cymru" names every council at once (`storage.councils.names_wales`): /report wales
is the national report and /status wales every council's status, for auditors who cover every
council. An auditor of some councils is answered exactly as for a council that does not exist.

While an auditor's language is not known (``lang`` None), they are answered in
both languages, Welsh first, and a report they did not give a language for comes in both.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.auditor.delivery import deliver_national, deliver_report
from bot.config import Settings
from bot.services.access import (
    REPORT,
    STATUS,
    Scope,
    answer_unknown,
    covers,
    reader_covers,
    resolve_council,
)
from bot.services.report_builder import ReportFormat
from bot.services.report_notes import FinalRefused
from bot.services.wording import languages, say
from bot.telegram.registry import Handlers
from rubric.catalog import Messages
from rubric.schema import Lang, Questionnaire
from storage.councils import names_wales
from storage.repository import Repository
from storage.rows import Council

handlers = Handlers("auditor")
FINAL = ("final", "terfynol")
"""The word after /report COUNCIL that asks for the version to publish, in either language."""


@handlers.message(Command(*REPORT))
async def report(
    message: Message,
    command: CommandObject,
    bot: Bot,
    scope: Scope,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
    settings: Settings,
    questionnaire: Questionnaire,
) -> None:
    words = (command.args or "").split()
    report_lang: Lang | None = lang
    fmt: ReportFormat = "pdf"
    final = False
    # Trailing options in any order: a language (en, cy), a format (pdf, html) and "final"
    # ("terfynol"), the version to publish.
    while words and words[-1].lower() in ("en", "cy", "pdf", "html", *FINAL):
        word = words.pop().lower()
        if word in FINAL:
            final = True
        elif word in ("pdf", "html"):
            fmt = "html" if word == "html" else "pdf"
        else:
            report_lang = "cy" if word == "cy" else "en"
    if not words:
        await message.answer(say(texts, lang, "auditor.usage_report"))
        return
    query = " ".join(words)
    if names_wales(query):
        if scope != "all":
            await answer_unknown(message.answer, repo, texts, lang, query, scope)
            return
        for each in languages(report_lang):  # neither asked for nor known: both, Welsh first
            await deliver_national(bot, repo, questionnaire, settings, message.chat.id, each, fmt)
        return
    council = await resolve_council(message.answer, repo, texts, lang, query, scope)
    if council is None:
        return
    known = await reader_covers(repo, scope)
    for each in languages(report_lang):  # neither asked for nor known: both, Welsh first
        try:
            await deliver_report(
                bot,
                repo,
                questionnaire,
                settings,
                council,
                message.chat.id,
                each,
                fmt,
                known,
                final=final,
            )
        except FinalRefused as refused:
            await message.answer(
                "\n\n".join(escape(refused.say(lang_)) for lang_ in languages(lang))
            )
            return


STATUS_COLUMNS = ("invited", "emailed", "opened", "started", "submitted", "unreachable")


async def _status_block(repo: Repository, texts: Messages, lang: Lang, council: Council) -> str:
    rows = await repo.status(council.id)
    labels = {"officer": texts(lang, "status.officer"), "member": texts(lang, "status.member")}
    # Another audience (the roster's group for a tool of its own) by its name, as typed.
    labels |= {row.group: row.group for row in rows if row.group not in labels}
    width = max(len(v) for v in [*labels.values(), texts(lang, "status.total")])
    lines = []
    for row in rows:
        counts = " / ".join(str(getattr(row, c)) for c in STATUS_COLUMNS)
        lines.append(f"{labels[row.group]:<{width}} {counts}")
    totals = " / ".join(str(sum(getattr(r, c) for r in rows)) for c in STATUS_COLUMNS)
    lines.append(f"{texts(lang, 'status.total'):<{width}} {totals}")
    title = texts(lang, "status.title", council=escape(council.name(lang)))
    return f"{title}\n<pre>{escape(chr(10).join(lines))}</pre>"


@handlers.message(Command(*STATUS))
async def status(
    message: Message,
    command: CommandObject,
    scope: Scope,
    lang: Lang | None,
    repo: Repository,
    texts: Messages,
) -> None:
    query = (command.args or "").strip()
    if query and names_wales(query):
        if scope != "all":
            await answer_unknown(message.answer, repo, texts, lang, query, scope)
            return
        query = ""
    if query:
        council = await resolve_council(message.answer, repo, texts, lang, query, scope)
        if council is None:
            return
        parts = [
            f"{await _status_block(repo, texts, each, council)}\n"
            f"<i>{texts(each, 'status.header')}</i>"
            for each in languages(lang)
        ]
        await message.answer("\n\n".join(parts))
        return
    shown = [
        council
        for council in await repo.councils()
        if covers(scope, council) and any(r.invited for r in await repo.status(council.id))
    ]
    if not shown:
        await message.answer(say(texts, lang, "status.none"))
        return
    for each in languages(lang):  # the auditor's language, or Welsh and then English
        text = texts(each, "status.all_title") + f"\n<i>{texts(each, 'status.header')}</i>"
        for council in shown:
            block = await _status_block(repo, texts, each, council)
            if len(text) + len(block) > 3900:
                await message.answer(text)
                text = ""
            text += "\n\n" + block
        await message.answer(text.strip())
