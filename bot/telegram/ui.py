"""Small helpers for talking to people: the language to use, notices, and edits that never
provoke Telegram's "message is not modified"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.respondent.journey import Respondent
from bot.respondent.screens import Context, Rendered
from flows import Notice
from flows.window import Window, WindowState, window_state
from rubric.catalog import Messages
from rubric.models import Lang, Questionnaire
from storage.repository import Repository

_TAG = re.compile(r"<[^>]+>")


def say(texts: Messages, lang: Lang | None, key: str, **values: object) -> str:
    """In the person's language, or in both (Welsh first) while it is not known."""
    return texts(lang, key, **values) if lang else texts.both(key, **values)


def notice_text(texts: Messages, lang: Lang, notice: Notice, **values: object) -> str:
    return texts(lang, f"notice.{notice}", **values)


def context(
    questionnaire: Questionnaire,
    texts: Messages,
    settings: Settings,
    respondent: Respondent,
    lang: Lang,
) -> Context:
    return Context(
        questionnaire=questionnaire,
        texts=texts,
        lang=lang,
        group=respondent.invitee.group,
        council_name=respondent.council.name(lang),
        min_group_size=settings.min_group_size,
    )


def _visible(html_text: str) -> str:
    return unescape(_TAG.sub("", html_text)).strip()


def _same_markup(a: InlineKeyboardMarkup | None, b: InlineKeyboardMarkup | None) -> bool:
    rows_a = a.inline_keyboard if a else []
    rows_b = b.inline_keyboard if b else []
    return [[(x.text, x.callback_data) for x in r] for r in rows_a] == [
        [(x.text, x.callback_data) for x in r] for r in rows_b
    ]


async def edit(message: Message, rendered: Rendered) -> None:
    """Edit a message unless it already shows exactly this (a double tap edits once)."""
    if (message.text or "").strip() == _visible(rendered.text) and _same_markup(
        message.reply_markup, rendered.markup
    ):
        return
    try:
        await message.edit_text(rendered.text, reply_markup=rendered.markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message and "not found" not in exc.message:
            raise


async def drop_buttons(message: Message) -> None:
    """Take the buttons off a message that is no longer the current one."""
    if message.reply_markup is None or not message.reply_markup.inline_keyboard:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message and "not found" not in exc.message:
            raise


async def load_window(repo: Repository, council_id: int) -> Window:
    """The council's survey window as the pure rule takes it (no window set: ``Window()``)."""
    stored = await repo.window(council_id)
    if stored is None:
        return Window()
    closes_on, closed_at, opens_on = stored
    return Window(closes_on=closes_on, closed_at=closed_at, opens_on=opens_on)


async def window_now(repo: Repository, council_id: int, tz: str) -> tuple[WindowState, Window]:
    """Where the council's survey window stands today, and the window itself."""
    window = await load_window(repo, council_id)
    return window_state(window, datetime.now(UTC), ZoneInfo(tz)), window


async def survey_open(repo: Repository, council_id: int, tz: str) -> bool:
    state, _ = await window_now(repo, council_id, tz)
    return state == "open"
