"""A council's survey window read from storage and judged by the pure rule (``flows.window``),
for the respondents' screens and the reminders alike."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flows.window import Window, WindowState, window_state
from storage.repository import Repository


async def load_window(repo: Repository, council_id: int) -> Window:
    """The council's survey window as the pure rule takes it (no window set: ``Window()``)."""
    stored = await repo.window(council_id)
    if stored is None:
        return Window()
    closes_on, closed_at, opens_on = stored
    return Window(closes_on=closes_on, closed_at=closed_at, opens_on=opens_on)


async def window_now(repo: Repository, council_id: int, tz: str) -> tuple[WindowState, Window]:
    """Where the council's survey window stands today, and the window itself."""
    window = await load_window(repo, council_id)
    return window_state(window, datetime.now(UTC), ZoneInfo(tz)), window


async def survey_open(repo: Repository, council_id: int, tz: str) -> bool:
    state, _ = await window_now(repo, council_id, tz)
    return state == "open"
