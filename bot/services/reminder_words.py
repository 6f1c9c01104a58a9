"""The words of reminders, in one language or both (Welsh first): their catalog
(``bot/services/locales``), the council's name and the closing date as a reminder says them.
The Telegram reminder, with its button, is ``bot.reminders.telegram_reminder``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.dates import format_date

from rubric.catalog import Messages
from rubric.schema import LANGS, Lang
from storage.rows import Council

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
