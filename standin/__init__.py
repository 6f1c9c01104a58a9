"""A local Telegram Bot API stand-in, as strict as Telegram, for tests and the offline demo.

No aiogram here: it is an HTTP server (aiohttp) that aiogram talks to like api.telegram.org.
"""

from standin.html_check import (
    HtmlError,
    Parsed,
    TelegramRuleError,
    check_text,
    parse_html,
    utf16_len,
    visible_text,
)
from standin.phone import Phone
from standin.server import StandIn
from standin.state import (
    ApiError,
    Call,
    Faults,
    FloodControl,
    Injected,
    StoredMessage,
    Violation,
)

__all__ = [
    "ApiError",
    "Call",
    "Faults",
    "FloodControl",
    "HtmlError",
    "Injected",
    "Parsed",
    "Phone",
    "StandIn",
    "StoredMessage",
    "TelegramRuleError",
    "Violation",
    "check_text",
    "parse_html",
    "utf16_len",
    "visible_text",
]
