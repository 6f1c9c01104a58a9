"""Who may read what, decided in one place: an auditor's scope, whether it covers a council,
the councils a reader's Wales figures must not let them subtract, and the council an auditor
named (or why not). No aiogram: the filter and the one refusal that use these are
``bot.auditor.gate``; an answer to the auditor is handed in as a callable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Literal

from bot.config import Settings
from bot.services.wording import languages, say
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.councils import names_wales
from storage.repository import Repository
from storage.rows import Council

Scope = set[int] | Literal["all"]

REPORT = ("report", "adroddiad")
STATUS = ("status", "statws")
REMIND = ("remind", "atgoffa")
PREVIEW = ("preview", "rhagolwg")
COMMANDS = (*REPORT, *STATUS, *REMIND, *PREVIEW)


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


def auditor_lang(language_code: str | None, lang: Lang | None) -> Lang | None:
    """The auditor's chosen language; else Welsh when their Telegram client is in Welsh (a
    hint: the client's ``language_code``); else None: not known, so they are answered in both
    languages, Welsh first."""
    if lang:
        return lang
    code = language_code or ""
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


Answer = Callable[[str], Awaitable[object]]
"""Says a text to the auditor (a message's ``answer``)."""


async def resolve_council(
    answer: Answer,
    repo: Repository,
    texts: Messages,
    lang: Lang | None,
    query: str,
    scope: Scope,
) -> Council | None:
    """The council an auditor named, or None after saying why (unknown, not theirs, or every
    council where the command needs one). ``lang`` is the auditor's (``auditor_lang``'s)."""
    if names_wales(query) and scope == "all":
        await answer(say(texts, lang, "auditor.one_council", query=escape(query[:100])))
        return None
    council = None if names_wales(query) else await repo.find_council(query)
    if council is None:
        await answer_unknown(answer, repo, texts, lang, query, scope)
        return None
    if not covers(scope, council):
        await answer(say(texts, lang, "auditor.denied"))
        return None
    return council


async def answer_unknown(
    answer: Answer,
    repo: Repository,
    texts: Messages,
    lang: Lang | None,
    query: str,
    scope: Scope,
) -> None:
    """ "I don't know a council called ...", with the auditor's own councils that come close;
    in both languages, Welsh first, while the auditor's language is not known."""
    suggestions = [c for c in await repo.suggest_councils(query) if covers(scope, c)]
    parts = []
    for each in languages(lang):
        text = texts(each, "auditor.unknown_council", query=escape(query[:100]))
        if suggestions:
            names = ", ".join(
                # What to type back, in the reader's language: "Cyngor Caerdydd (caerdydd)".
                f"{escape(c.name(each))} (<code>{c.slug_cy if each == 'cy' else c.slug}</code>)"
                for c in suggestions
            )
            text += " " + texts(each, "auditor.suggest", names=names)
        parts.append(text)
    await answer("\n\n".join(parts))
