"""What a roster field may hold: text that looks like what it is.

A name or a team from a council's spreadsheet ends up in email headers, Telegram messages and
report groupings. A line break there can forge an email header; an invisible character makes
``CMT`` and ``C\\u200bMT`` two teams that look like one; a right-to-left override makes a name
display backwards. So every field refuses control characters and line breaks, and names and
teams are normalised: NFC, every kind of space made one plain space, zero-width characters
removed, and bidirectional-text controls refused (they change how the text around them is
shown, which is the whole trick of a spoofed name).

A refusal is a pydantic error with its own type (``line_break``, ``control_character``,
``formatting_character``, ``bidi_control``) and the character in ``ctx["char"]``, so that the
command line words it in the operator's language; the English message is for logs.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
"""Removed from names and teams: invisible, and harmless once gone."""
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Refused: they reorder how the text around them is displayed."""

_SPACES = re.compile(r"\s+")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _refused(kind: str, english: str, char: str) -> PydanticCustomError:
    """A ValueError (PydanticCustomError is one) of type ``kind``, naming ``char``."""
    return PydanticCustomError(kind, english + " ({char})", {"char": _code(char)})


def check_plain(value: str) -> str:
    """`value` unchanged, or ValueError naming the first line break or control character."""
    for char in value:
        if char in LINE_BREAKS:
            raise _refused("line_break", "contains a line break", char)
        category = unicodedata.category(char)
        if category == "Cc":
            raise _refused("control_character", "contains a control character", char)
        if category == "Cf":
            raise _refused(
                "formatting_character", "contains an invisible formatting character", char
            )
    return value


def clean_words(value: str) -> str:
    """A name or team normalised (NFC, single plain spaces, no zero-width characters), or
    ValueError for a line break, a control character or a bidirectional-text control."""
    for char in value:
        if char in BIDI_CONTROLS:
            raise _refused(
                "bidi_control", "contains a right-to-left or left-to-right control", char
            )
    value = "".join(c for c in value if c not in ZERO_WIDTH)
    check_plain(value)
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()
