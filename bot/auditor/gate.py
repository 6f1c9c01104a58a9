"""Who may use the auditor commands, checked in one place.

The auditor rooms' handlers (``/report``, ``/status``, ``/remind``) live on one router whose
filter admits an auditor and hands the handlers their ``scope`` and ``lang``; whoever else sends
one of those commands gets the one polite refusal, the same whatever they asked, so that nobody
learns which councils exist in the data or have answers. The decisions are
``bot.services.access``'s.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.types import Message

from bot.config import Settings
from bot.services.access import COMMANDS, auditor_lang, auditor_scope
from bot.services.wording import say
from bot.telegram.registry import Handlers
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.repository import Repository


def client_language(message: Message) -> str | None:
    """The language the sender's Telegram client is set to, if it says."""
    return message.from_user.language_code if message.from_user else None


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
        return {"scope": scope, "lang": auditor_lang(client_language(message), lang)}


async def refuse(message: Message, texts: Messages, lang: Lang | None) -> None:
    await message.answer(say(texts, auditor_lang(client_language(message), lang), "auditor.denied"))


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
