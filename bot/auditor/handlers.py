"""Auditor commands: /report COUNCIL [en|cy] and /status [COUNCIL].

They sit behind the auditor filter (``bot.auditor.access``): a handler here runs for an auditor
only, with their ``scope`` and ``lang``. A council outside the scope gets the same refusal as a
non-auditor does.

"wales" or "cymru" names every council at once (`storage.councils.names_wales`): /report wales
is the national report and /status wales every council's status, for auditors who cover every
council. An auditor of some councils is answered exactly as for a council that does not exist.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.auditor.access import REPORT, STATUS, Scope, covers, refuse
from bot.auditor.delivery import deliver_national, deliver_report
from bot.config import Settings
from bot.telegram.registry import Handlers
from rubric.catalog import Messages
from rubric.models import Lang, Questionnaire
from storage.councils import names_wales
from storage.models import Council
from storage.repository import Repository

handlers = Handlers("auditor")


async def resolve_council(
    message: Message, repo: Repository, texts: Messages, lang: Lang, query: str, scope: Scope
) -> Council | None:
    """The council an auditor named, or None after saying why (unknown, not theirs, or every
    council where the command needs one)."""
    if names_wales(query) and scope == "all":
        await message.answer(texts(lang, "auditor.one_council", query=escape(query[:100])))
        return None
    council = None if names_wales(query) else await repo.find_council(query)
    if council is None:
        await answer_unknown(message, repo, texts, lang, query, scope)
        return None
    if not covers(scope, council):
        await refuse(message, texts, lang)
        return None
    return council


async def answer_unknown(
    message: Message, repo: Repository, texts: Messages, lang: Lang, query: str, scope: Scope
) -> None:
    """ "I don't know a council called ...", with the auditor's own councils that come close."""
    text = texts(lang, "auditor.unknown_council", query=escape(query[:100]))
    suggestions = [c for c in await repo.suggest_councils(query) if covers(scope, c)]
    if suggestions:
        names = ", ".join(f"{escape(c.name(lang))} (<code>{c.slug}</code>)" for c in suggestions)
        text += " " + texts(lang, "auditor.suggest", names=names)
    await message.answer(text)


@handlers.message(Command(*REPORT))
async def report(
    message: Message,
    command: CommandObject,
    bot: Bot,
    scope: Scope,
    lang: Lang,
    repo: Repository,
    texts: Messages,
    settings: Settings,
    questionnaire: Questionnaire,
) -> None:
    words = (command.args or "").split()
    report_lang: Lang = lang
    if words and words[-1].lower() in ("en", "cy"):
        report_lang = "cy" if words.pop().lower() == "cy" else "en"
    if not words:
        await message.answer(texts(lang, "auditor.usage_report"))
        return
    query = " ".join(words)
    if names_wales(query):
        if scope != "all":
            await answer_unknown(message, repo, texts, lang, query, scope)
            return
        await deliver_national(
            bot,
            repo,
            questionnaire,
            settings,
            message.chat.id,
            report_lang,
        )
        return
    council = await resolve_council(message, repo, texts, lang, query, scope)
    if council is None:
        return
    await deliver_report(
        bot,
        repo,
        questionnaire,
        settings,
        council,
        message.chat.id,
        report_lang,
    )


STATUS_COLUMNS = ("invited", "emailed", "opened", "started", "submitted", "unreachable")


async def _status_block(repo: Repository, texts: Messages, lang: Lang, council: Council) -> str:
    rows = await repo.status(council.id)
    labels = {"officer": texts(lang, "status.officer"), "member": texts(lang, "status.member")}
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
    lang: Lang,
    repo: Repository,
    texts: Messages,
) -> None:
    query = (command.args or "").strip()
    header = texts(lang, "status.header")
    if query and names_wales(query):
        if scope != "all":
            await answer_unknown(message, repo, texts, lang, query, scope)
            return
        query = ""
    if query:
        council = await resolve_council(message, repo, texts, lang, query, scope)
        if council is None:
            return
        await message.answer(f"{await _status_block(repo, texts, lang, council)}\n<i>{header}</i>")
        return
    blocks = []
    for council in await repo.councils():
        if covers(scope, council) and any(r.invited for r in await repo.status(council.id)):
            blocks.append(await _status_block(repo, texts, lang, council))
    if not blocks:
        await message.answer(texts(lang, "status.none"))
        return
    text = texts(lang, "status.all_title") + f"\n<i>{header}</i>"
    for block in blocks:
        if len(text) + len(block) > 3900:
            await message.answer(text)
            text = ""
        text += "\n\n" + block
    await message.answer(text.strip())
