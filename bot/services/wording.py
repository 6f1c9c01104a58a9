"""Which words a person gets: theirs, or both languages (Welsh first) while theirs is unknown."""

from __future__ import annotations

from flows import MAX_TEXT, Notice
from rubric.catalog import Messages
from rubric.schema import LANGS, Lang


def say(texts: Messages, lang: Lang | None, key: str, **values: object) -> str:
    """In the person's language, or in both (Welsh first) while it is not known."""
    return texts(lang, key, **values) if lang else texts.both(key, "\n\n", **values)


def toast(texts: Messages, lang: Lang | None, key: str, **values: object) -> str:
    """A callback answer, on one line while the language is not known. Telegram allows 200
    characters; every toast fits, in both languages together too (tests/test_welsh.py)."""
    return texts(lang, key, **values) if lang else texts.both(key, " / ", **values)


def languages(lang: Lang | None) -> tuple[Lang, ...]:
    """The person's language, or both (Welsh first) while it is not known."""
    return (lang,) if lang else LANGS


def notice_text(texts: Messages, lang: Lang, notice: Notice, **values: object) -> str:
    return texts(lang, f"notice.{notice}", **values)


def too_long_text(texts: Messages, lang: Lang, typed: str) -> str:
    """The refusal of a typed answer over the limit, with its length and the limit."""
    return notice_text(
        texts, lang, "too_long", length=f"{len(typed.strip()):,}", max=f"{MAX_TEXT:,}"
    )
