"""The Telegram reminder: its words (``bot.services.reminder_words``) and the button that resumes
the survey."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.reminder_words import closing_date, council_values, languages
from bot.telegram.callbacks import Nav, NavCb
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.rows import Council


def telegram_reminder(
    texts: Messages,
    council: Council,
    lang: Lang | None,
    *,
    last_call: bool,
    closes_on: date | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder message and its button, which resumes the survey where the person left it."""
    key = "telegram.last" if last_call and closes_on is not None else "telegram.reminder"
    parts = []
    for each in languages(lang):
        values = {k: escape(v) for k, v in council_values(council, each).items()}
        if closes_on is not None:
            values["closes"] = closing_date(closes_on, each)
        parts.append(texts(each, key, **values))
    label = " / ".join(texts(each, "telegram.resume") for each in languages(lang))
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=NavCb(action=Nav.RESUME).pack())]
        ]
    )
    return "\n\n".join(parts), markup
