"""Who may use the auditor commands, checked in one place.

The auditor rooms' handlers (``/report``, ``/status``, ``/remind``) live on one router whose
filter admits an auditor and hands the handlers their ``scope`` and ``lang``; whoever else sends
one of those commands gets the one polite refusal, the same whatever they asked, so that nobody
learns which councils exist in the data or have answers.
"""

from __future__ import annotations

from typing import Any, Literal

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.types import Message

from bot.config import Settings
from bot.telegram.registry import Handlers
from bot.telegram.wording import languages, say
from rubric.catalog import Messages
from rubric.models import Lang
from storage.models import Council
from storage.repository import Repository

Scope = set[int] | Literal["all"]

REPORT = ("report", "adroddiad")
STATUS = ("status", "statws")
REMIND = ("remind", "atgoffa")
COMMANDS = (*REPORT, *STATUS, *REMIND)


async def auditor_scope(repo: Repository, settings: Settings, telegram_id: int) -> Scope | None:
    """The councils this person audits ("all" for every council), or None: not an auditor."""
    if telegram_id in settings.auditor_ids:
        return "all"
    return await repo.auditor_scope(telegram_id)


def covers(scope: Scope, council: Council) -> bool:
    return scope == "all" or council.id in scope


async def reader_covers(repo: Repository, scope: Scope | None) -> frozenset[str]:
    """The councils (slugs) whose own reports this reader sees, which the Wales figures in
    their copy of a report must not let them subtract. Nothing for a reader of every council:
    they see every council's own figures already, so Wales can tell them nothing more."""
    if scope is None or scope == "all":
        return frozenset()
    return frozenset(c.slug for c in await repo.councils() if c.id in scope)


def auditor_lang(message: Message, lang: Lang | None) -> Lang | None:
    """The auditor's chosen language; else Welsh when their Telegram client is in Welsh (a
    hint); else None: not known, so they are answered in both languages, Welsh first."""
    if lang:
        return lang
    code = (message.from_user.language_code or "") if message.from_user else ""
    return "cy" if code.lower().split("-")[0] == "cy" else None


def auditor_help(texts: Messages, lang: Lang | None, *, respondent: bool) -> str:
    """The auditor commands by their names in each language; for an auditor who is not also a
    respondent (whose own help has them), the commands everyone has as well."""
    parts = []
    for each in languages(lang):
        text = texts(each, "help.auditor")
        if not respondent:
            text += "\n" + texts(each, "help.auditor_general")
        parts.append(text)
    return "\n\n".join(parts)


class IsAuditor(Filter):
    """Admits an auditor, giving the handlers ``scope`` and ``lang`` (None: not known)."""

    async def __call__(
        self, message: Message, repo: Repository, settings: Settings, lang: Lang | None
    ) -> bool | dict[str, Any]:
        if message.from_user is None:
            return False
        scope = await auditor_scope(repo, settings, message.from_user.id)
        if scope is None:
            return False
        return {"scope": scope, "lang": auditor_lang(message, lang)}


async def refuse(message: Message, texts: Messages, lang: Lang | None) -> None:
    await message.answer(say(texts, auditor_lang(message, lang), "auditor.denied"))


def auditor_router(*rooms: Handlers) -> Router:
    """The rooms' handlers behind the auditor filter, then the one refusal for everyone else.

    The command filter goes first so that an ordinary message costs no auditor look-up."""
    admitted = Router(name="auditor.admitted")
    admitted.message.filter(Command(*COMMANDS), IsAuditor())
    admitted.include_routers(*(room.router() for room in rooms))
    refused = Router(name="auditor.refused")
    refused.message.register(refuse, Command(*COMMANDS))
    outer = Router(name="auditor")
    outer.include_routers(admitted, refused)
    return outer
