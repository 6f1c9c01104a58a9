"""Edits that never provoke Telegram's "message is not modified" or fail on a deleted message."""

from __future__ import annotations

import re
from html import unescape
from typing import Protocol

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

_TAG = re.compile(r"<[^>]+>")


class Rendered(Protocol):
    """A screen as shown: its text and buttons (``bot.respondent.screens.Rendered``)."""

    @property
    def text(self) -> str: ...

    @property
    def markup(self) -> InlineKeyboardMarkup | None: ...


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
