"""When the survey ran, for the method sections: a council's survey window (its report), and
the fieldwork across Wales (the national report: the earliest opening and the latest closing of
the councils' windows).

The window comes from storage (``storage.windows``: the first day open, the last day open, a
close by hand) as plain dates; whether it has closed is judged against the report's own date, so
the same window and date always give the same sentence. Dates are written as the rest of the
report writes them: Babel's long form, in Welsh "2 Rhagfyr 2026".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from babel.dates import format_date
from pydantic import BaseModel, ConfigDict

from reports.text import messages
from rubric.schema import Lang


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SurveyWindow(_Frozen):
    """A council's stored window as dates: what `storage.windows` holds, closed by hand on
    `closed_on` (the date in the survey's time zone) when it was."""

    opens_on: date | None = None
    closes_on: date | None = None
    closed_on: date | None = None

    @property
    def ends_on(self) -> date | None:
        """The last day open: the closing date, or the day it was closed by hand if earlier."""
        ends = [d for d in (self.closes_on, self.closed_on) if d is not None]
        return min(ends) if ends else None


class SurveyDates(_Frozen):
    """When the survey ran, as the report says it."""

    opened: date | None
    """The first day open (None: no opening date was set)."""
    ends: date | None
    """The last day open (None: no closing date yet)."""
    closed: bool
    """The last day open is before the report's date (or it was closed by hand)."""
    sentence: str


def long_date(on: date, lang: Lang) -> str:
    """ "2 December 2026", "2 Rhagfyr 2026": as the report's own date is written."""
    return format_date(on, format="long", locale="en_GB" if lang == "en" else "cy")


def _dates(
    prefix: str, opened: date | None, ends: date | None, closed: bool, lang: Lang, today: date
) -> SurveyDates | None:
    if opened is None and ends is None:
        return None
    if ends is None:
        assert opened is not None
        key = "opens" if opened > today else "open"
    elif opened is None:
        key = "closed_only" if closed else "closes_only"
    else:
        key = "closed" if closed else ("not_yet" if opened > today else "open_until")
    values = {name: long_date(d, lang) for name, d in (("opened", opened), ("ends", ends)) if d}
    return SurveyDates(
        opened=opened,
        ends=ends,
        closed=closed,
        sentence=messages()(lang, f"{prefix}.{key}", **values),
    )


def _closed(window: SurveyWindow, today: date) -> bool:
    """Closed by hand by `today`, or its last day open is past."""
    ends = window.ends_on
    return (window.closed_on is not None and window.closed_on <= today) or (
        ends is not None and ends < today
    )


def survey_dates(window: SurveyWindow | None, lang: Lang, today: date) -> SurveyDates | None:
    """A council's survey window in words, or None when no date was ever set."""
    if window is None:
        return None
    return _dates(
        "method.dates", window.opens_on, window.ends_on, _closed(window, today), lang, today
    )


def fieldwork(surveys: Iterable[SurveyDates | None], lang: Lang, today: date) -> SurveyDates | None:
    """The fieldwork across Wales: from the earliest opening to the latest closing of the
    councils' windows (`surveys`: those of the councils taking part, as their own reports give
    them). While any of them has no closing date (none set, or no window at all), the fieldwork
    has none either; it has closed when every one of them has."""
    every = list(surveys)
    known = [s for s in every if s is not None]
    if not known:
        return None
    opens = [s.opened for s in known if s.opened is not None]
    ends = [s.ends for s in every if s is not None and s.ends is not None]
    last = max(ends) if len(ends) == len(every) else None
    closed = last is not None and all(s.closed for s in known)
    return _dates("national.fieldwork", min(opens, default=None), last, closed, lang, today)
