"""The words of reminders, in one language or both (Welsh first), and the Telegram reminder."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.dates import format_date

from bot.respondent.callbacks import Nav, NavCb
from rubric.catalog import Messages
from rubric.models import LANGS, Lang
from storage.models import Council

LOCALES = Path(__file__).parent / "locales"
_BABEL_LOCALE: dict[Lang, str] = {"en": "en_GB", "cy": "cy"}


def load_texts() -> Messages:
    return Messages(LOCALES)


def closing_date(closes_on: date, lang: Lang) -> str:
    """'27 November 2026' / '27 Tachwedd 2026' (no weekday: 'ddydd' would need a mutation)."""
    return format_date(closes_on, "d MMMM y", locale=_BABEL_LOCALE[lang])


def council_values(council: Council, lang: Lang) -> dict[str, str]:
    """`{council}` in the radical form, `{council_nasal}` for after 'yng' (English: the name)."""
    return {
        "council": council.name(lang),
        "council_nasal": council.name_cy_nasal if lang == "cy" else council.name_en,
    }


def languages(lang: Lang | None) -> tuple[Lang, ...]:
    """One language when known, else both, Welsh first."""
    return (lang,) if lang else LANGS


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
