"""Telegram messages shown in a terminal, as a phone would show them.

The bot writes Telegram HTML (``<b>``, ``<i>``, ``<a>``, ``<code>`` …); a terminal shows the
visible text with bold and italics kept as styles (plain text when output is not a terminal).
"""

from __future__ import annotations

from html.parser import HTMLParser

from rich.text import Text

from standin import StoredMessage

STYLES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
    "a": "underline",
    "code": "cyan",
    "pre": "cyan",
    "blockquote": "italic",
    "tg-spoiler": "dim",
    "span": "dim",
}


class _ToRich(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self._styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._styles.append(STYLES.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if self._styles:
            self._styles.pop()

    def handle_data(self, data: str) -> None:
        style = " ".join(s for s in self._styles if s)
        self.text.append(data, style=style or None)


def telegram_html(html: str) -> Text:
    """Telegram HTML as styled terminal text: tags dropped, entities decoded."""
    parser = _ToRich()
    parser.feed(html)
    parser.close()
    return parser.text


def message_body(message: StoredMessage) -> Text:
    """What the chat shows as the message: its text, or a document's caption."""
    if message.html is not None:
        return telegram_html(message.html)
    return Text(message.shown)


def numbered_buttons(message: StoredMessage, first: int = 1) -> Text:
    """The inline keyboard, one row a line: ``[1] Cymraeg  [2] English``."""
    out = Text()
    number = first
    for row in message.buttons:
        if out:
            out.append("\n")
        cells = []
        for label, _ in row:
            cells.append(f"[{number}] {label}")
            number += 1
        out.append("  ".join(cells), style="bold cyan")
    return out
