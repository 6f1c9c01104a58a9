"""The stand-in's test for an empty text (Telegram's "message text is empty") has a fast path;
it must decide exactly as tdlib's rule written out plainly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from standin.html_check import _EMPTY, _SPACE_LIKE, is_empty_text

ALPHABET = sorted(_EMPTY | _SPACE_LIKE | set(" \t\r\n\0\v\f") | {"a", "é", "\U000e0041", "1"})


def plainly_empty(text: str) -> bool:
    spaced = "".join(
        " " if ch in _SPACE_LIKE or 0xE0000 <= ord(ch) <= 0xE007F else ch for ch in text
    )
    return all(ch in _EMPTY for ch in spaced.strip(" \t\r\n\0\v\f"))


@given(st.text(alphabet=ALPHABET, max_size=12))
def test_the_fast_path_decides_as_the_rule(text: str) -> None:
    assert is_empty_text(text) == plainly_empty(text)
