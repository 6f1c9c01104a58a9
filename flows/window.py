"""A council's survey window, as a plain rule: the respondents' "closed" message and the
reminder schedule both ask it, so they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

WindowState = Literal["open", "not_yet", "closed"]


@dataclass(frozen=True)
class Window:
    """No window set at all is ``Window()``: open, with no end."""

    closes_on: date | None = None
    """The last day open, in the survey's time zone."""
    closed_at: datetime | None = None
    """Closed by hand (``datatool survey close``)."""
    opens_on: date | None = None
    """The first day open; before it respondents are told when it opens."""


def window_state(window: Window, now: datetime, tz: ZoneInfo) -> WindowState:
    if window.closed_at is not None and window.closed_at <= now:
        return "closed"
    today = now.astimezone(tz).date()
    if window.closes_on is not None and today > window.closes_on:
        return "closed"
    if window.opens_on is not None and today < window.opens_on:
        return "not_yet"
    return "open"


def window_open(window: Window, now: datetime, tz: ZoneInfo) -> bool:
    return window_state(window, now, tz) == "open"
