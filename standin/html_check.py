"""Telegram's HTML parse mode, checked the way the Bot API checks it.

This is a port of the parser Telegram runs for ``parse_mode=HTML`` (tdlib's ``parse_html``):
the same tag subset, the same attribute rules, the same error descriptions with byte offsets.
It is stricter than Telegram in one place, on purpose: a bare ``&`` that does not start one of
the entities Telegram knows (``&lt; &gt; &amp; &quot;`` and numeric ``&#NN; &#xHH;``) is refused,
because Telegram's own documentation requires it escaped and the quiet fallback (showing the
raw ``&nbsp;`` to the reader) is a bug in the sender. Pass ``strict=False`` for Telegram's exact
leniency.

The bot's own tests reuse :func:`check_text` and :func:`visible_text`, so a message that passes
here is one Telegram accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
"""Telegram's limits after entity parsing, in code points (tdlib counts ``utf8_length``)."""
MAX_RAW = 1 << 15
"""The Bot API refuses raw text (before parsing) over 32,768 bytes: "text is too long"."""
DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
"""The documented date-time entity formats ("Date-time entity formatting" in the Bot API)."""

PREFIX = "Bad Request: can't parse entities: "

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SPACES = frozenset(" \t\r\n\0\v\f")
_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


class TelegramRuleError(ValueError):
    """A refusal Telegram would answer with 400; ``description`` is Telegram's exact text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class HtmlError(TelegramRuleError):
    """Telegram could not parse the HTML ("Bad Request: can't parse entities: ...")."""


@dataclass
class Parsed:
    """Visible text and the message entities Telegram would attach to it."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit of entity offsets."""
        return utf16_len(self.text)

    @property
    def chars(self) -> int:
        """Length in code points, the unit of Telegram's text and caption limits."""
        return len(self.text)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# tdlib's is_empty_string: these become spaces, then the text is trimmed ...
_SPACE_LIKE = frozenset(
    "\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202e\u202f\u205f\u2800\u3000\ufffc"
)
# ... and a text left with nothing but these is empty ("message text is empty").
_EMPTY = frozenset(" \n\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0")
_INVISIBLE = _SPACE_LIKE | _EMPTY | frozenset(" \t\r\n\0\v\f")


def is_empty_text(text: str) -> bool:
    """True if Telegram sees no visible character: only spaces, zero-width characters, marks
    of direction, no-break spaces, Braille blanks and the like (tdlib's ``is_empty_string``)."""
    for ch in text:  # one character of no kind below is visible: most texts end at the first
        if ch not in _INVISIBLE and not 0xE0000 <= ord(ch) <= 0xE007F:
            return False
    spaced = "".join(
        " " if ch in _SPACE_LIKE or 0xE0000 <= ord(ch) <= 0xE007F else ch for ch in text
    )
    return all(ch in _EMPTY for ch in spaced.strip(" \t\r\n\0\v\f"))


def _is_space(ch: str) -> bool:
    return ch in _SPACES


def _decode_entity(html: str, pos: int, *, strict: bool) -> tuple[int, int]:
    """Decode the character reference at ``pos`` (an ``&``); return (code point, end) or (0, pos).

    Telegram accepts a missing ``;``; strict mode requires it.
    """

    def at(k: int) -> str:
        return html[k] if k < len(html) else "\0"

    end = pos + 1
    res = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in "0123456789abcdefABCDEF" and at(end) != "\0":
                res = res * 16 + int(at(end), 16)
                end += 1
        else:
            while at(end).isascii() and at(end).isdigit():
                res = res * 10 + int(at(end))
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        name = html[pos + 1 : end]
        res = {"lt": 60, "gt": 62, "amp": 38, "quot": 34}.get(name, 0)
        if res == 0:
            return 0, pos
    if at(end) == ";":
        return res, end + 1
    if strict:
        return 0, pos
    return res, end


def parse_html(html: str, *, strict: bool = True) -> Parsed:
    """Parse Telegram HTML into visible text and entities, or raise :class:`HtmlError`."""
    n = len(html)

    def at(k: int) -> str:
        return html[k] if k < n else "\0"

    def byte_offset(k: int) -> int:
        return len(html[:k].encode("utf-8", "surrogatepass"))

    def fail(message: str) -> HtmlError:
        return HtmlError(PREFIX + message)

    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    # open tags: (tag name, argument, utf16 offset, index into out)
    stack: list[tuple[str, str, int, int]] = []
    i = 0
    while i < n:
        c = html[i]
        if c == "&":
            code, end = _decode_entity(html, i, strict=strict)
            if code:
                out.append(chr(code))
                utf16 += 2 if code > 0xFFFF else 1
                i = end
                continue
            if strict:
                raise fail(f'Unescaped "&" at byte offset {byte_offset(i)}; use &amp;')
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while not _is_space(at(i)) and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = html[begin + 1 : i].lower()
            if tag not in ALLOWED_TAGS:
                raise fail(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument = ""
            expandable = False
            time_attrs: dict[str, str] = {}
            while at(i) != ">":
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while not _is_space(at(i)) and at(i) not in "=>" and i < n:
                    i += 1
                attr = html[attr_begin:i]
                if not attr:
                    raise fail(
                        f'Empty attribute name in the tag "{tag}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if tag == "blockquote" and attr.lower() == "expandable" and at(i) != "=":
                    expandable = True
                    continue
                if at(i) != "=":
                    raise fail(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i += 1
                while at(i) != "\0" and _is_space(at(i)):
                    i += 1
                if at(i) == "\0":
                    raise fail(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while (at(i).isascii() and at(i).isalnum()) or at(i) in ".-":
                        i += 1
                    value = html[token_begin:i].lower()
                    if not _is_space(at(i)) and at(i) != ">":
                        where = byte_offset(token_begin)
                        raise fail(f"Unexpected end of name token at byte offset {where}")
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) != quote and at(i) != "\0":
                        if at(i) == "&":
                            code, end = _decode_entity(html, i, strict=False)
                            if code:
                                chars.append(chr(code))
                                i = end
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if at(i) == "\0":
                    raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "tg-time" and attr in ("unix", "format"):
                    time_attrs[attr] = value
            if tag == "span" and argument != "spoiler":
                raise fail(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            if tag == "blockquote" and expandable:
                argument = "expandable"
            if tag == "tg-time":
                argument = _time_argument(time_attrs, byte_offset(begin))
            stack.append((tag, argument, utf16, len(out)))
            i += 1  # past '>'
            continue

        # an end tag
        if not stack:
            raise fail(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while not _is_space(at(i)) and at(i) != ">":
            i += 1
        end_tag = html[begin + 2 : i].lower()
        while _is_space(at(i)) and at(i) != "\0":
            i += 1
        if at(i) != ">":
            raise fail(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        tag, argument, offset, out_index = stack[-1]
        if end_tag and end_tag != tag:
            raise fail(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        stack.pop()
        i += 1
        length = utf16 - offset
        if length > 0:
            entity = _make_entity(tag, argument, offset, length, "".join(out[out_index:]))
            if entity is not None:
                _merge_pre_code(entities, entity)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(out), _clean(entities))


def _time_argument(attrs: dict[str, str], offset: int) -> str:
    """``unix`` (required, a positive whole number) and ``format`` (optional, as documented),
    kept as "unix|format". The refusals' wording is the stand-in's: Telegram documents the
    tag and the formats, not the messages."""
    unix = attrs.get("unix", "")
    if not unix.isdigit() or int(unix) == 0:
        raise HtmlError(f'{PREFIX}Tag "tg-time" must have a valid "unix" at byte offset {offset}')
    fmt = attrs.get("format", "")
    if not DATE_TIME_FORMAT.fullmatch(fmt):
        raise HtmlError(f'{PREFIX}Invalid date-time format "{fmt}" at byte offset {offset}')
    return f"{int(unix)}|{fmt}"


def _make_entity(
    tag: str, argument: str, offset: int, length: int, inner: str
) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": offset, "length": length}
    if tag in _ENTITY_TYPE:
        entity["type"] = _ENTITY_TYPE[tag]
    elif tag == "a":
        url = argument or inner
        if url.startswith("tg://user?id="):
            user_id = url.removeprefix("tg://user?id=")
            if not user_id.isdigit():
                return None
            entity.update(type="text_mention", user={"id": int(user_id), "is_bot": False})
        elif not url.strip():
            return None
        else:
            entity.update(type="text_link", url=url)
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise TelegramRuleError("Bad Request: Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=argument)
    elif tag == "tg-time":
        unix, _, fmt = argument.partition("|")
        entity.update(type="date_time", unix_time=int(unix))
        if fmt:
            entity["date_time_format"] = fmt
    elif tag == "pre":
        entity["type"] = "pre"
    elif tag == "code":
        entity["type"] = "code"
        if argument:
            entity["_language"] = argument
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if argument == "expandable" else "blockquote"
    return entity


def _merge_pre_code(entities: list[dict[str, Any]], entity: dict[str, Any]) -> None:
    """``<pre><code class="language-x">`` becomes one ``pre`` entity with a language."""
    language = entity.pop("_language", None)
    last = entities[-1] if entities else None
    same_span = (
        last is not None
        and last["offset"] == entity["offset"]
        and last["length"] == entity["length"]
    )
    if entity["type"] == "pre" and same_span and last is not None and last["type"] == "code":
        lang = last.pop("_language", None)
        last["type"] = "pre"
        if lang:
            last["language"] = lang
        return
    if entity["type"] == "code" and same_span and last is not None and last["type"] == "pre":
        if language:
            last["language"] = language
        return
    if language and entity["type"] == "code":
        entity["_language"] = language
    entities.append(entity)


def _clean(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entity in entities:
        entity.pop("_language", None)
    return entities


def _strip(parsed: Parsed) -> Parsed:
    """Telegram trims surrounding whitespace; entities are shifted and clipped to match."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return Parsed(stripped, entities)


def check_text(
    text: str | None,
    parse_mode: str | None = "HTML",
    *,
    caption: bool = False,
    strict: bool = True,
) -> Parsed:
    """Check a message text (or caption) as sendMessage / sendDocument would.

    Returns the visible text and entities; raises :class:`TelegramRuleError` with Telegram's
    description: raw text over 32,768 bytes, bad HTML, a text with nothing visible in it, or
    one over 4096 (a caption over 1024) code points after parsing.
    """
    raw = text or ""
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_RAW:
        raise TelegramRuleError("Bad Request: text is too long")
    mode = (parse_mode or "").lower()
    if mode == "html":
        parsed = parse_html(raw, strict=strict)
    elif mode in ("", "none"):
        parsed = Parsed(raw, [])
    else:
        raise TelegramRuleError(f"Bad Request: unsupported parse_mode {parse_mode!r} in stand-in")
    parsed = _strip(parsed)
    if caption:
        if parsed.chars > MAX_CAPTION:
            raise TelegramRuleError("Bad Request: message caption is too long")
        return parsed
    if is_empty_text(parsed.text):
        raise TelegramRuleError("Bad Request: message text is empty")
    if parsed.chars > MAX_TEXT:
        raise TelegramRuleError("Bad Request: message is too long")
    return parsed


def visible_text(html: str, *, strict: bool = True) -> str:
    """The text a reader sees for Telegram HTML ``html``; raises :class:`HtmlError` if refused."""
    return parse_html(html, strict=strict).text
