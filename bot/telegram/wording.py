"""Which words a person gets: theirs, or both languages (Welsh first) while theirs is unknown."""

from __future__ import annotations

from flows import Notice
from rubric.catalog import Messages
from rubric.models import Lang


def say(texts: Messages, lang: Lang | None, key: str, **values: object) -> str:
    """In the person's language, or in both (Welsh first) while it is not known."""
    return texts(lang, key, **values) if lang else texts.both(key, "\n\n", **values)


def notice_text(texts: Messages, lang: Lang, notice: Notice, **values: object) -> str:
    return texts(lang, f"notice.{notice}", **values)
