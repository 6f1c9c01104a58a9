"""The reminder rules with the clock injected: cadence, working hours, the survey window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from flows.cadence import (
    Progress,
    Sent,
    chase,
    due,
    working_hours,
)
from flows.window import Window, window_open, window_state

LONDON = ZoneInfo("Europe/London")
CADENCE = Settings(_env_file=None).cadence()
OPEN = Window()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A London wall-clock time, as the aware UTC moment the code receives."""
    return datetime(y, m, d, hh, mm, tzinfo=LONDON).astimezone(UTC)


# Monday 2 November 2026 (GMT) and Monday 6 July 2026 (BST).
MON = at(2026, 11, 2)


def emailed(days_ago: float, **kw: object) -> Progress:
    return Progress(email=True, invited_at=MON - timedelta(days=days_ago), **kw)  # type: ignore[arg-type]


def test_defaults_are_the_documented_ones() -> None:
    assert CADENCE.remind_after == timedelta(days=3)
    assert CADENCE.remind_every == timedelta(days=7)
    assert CADENCE.remind_max == 3
    assert CADENCE.last_call_days == 2
    assert CADENCE.work_days == frozenset({0, 1, 2, 3, 4})
    assert (CADENCE.work_start, CADENCE.work_end) == (time(9), time(17))


# --- the survey window -----------------------------------------------------------------------


def test_no_window_is_open() -> None:
    assert window_open(OPEN, MON, LONDON)


def test_open_to_the_end_of_the_last_day_in_london() -> None:
    window = Window(closes_on=date(2026, 7, 6))
    assert window_open(window, at(2026, 7, 6, 23, 59), LONDON)
    not_yet = Window(opens_on=date(2026, 7, 6))
    assert not window_open(not_yet, at(2026, 7, 5, 23, 59), LONDON)
    assert window_open(not_yet, at(2026, 7, 6, 0, 0), LONDON)
    assert window_state(not_yet, at(2026, 7, 5, 12, 0), LONDON) == "not_yet"
    # 23:30 UTC on the 6th is already 00:30 on the 7th in London (BST): closed.
    assert not window_open(window, datetime(2026, 7, 6, 23, 30, tzinfo=UTC), LONDON)
    assert not window_open(window, at(2026, 7, 7, 0, 0), LONDON)


def test_closed_by_hand_is_closed_from_that_moment() -> None:
    window = Window(closes_on=date(2026, 12, 31), closed_at=MON)
    assert not window_open(window, MON, LONDON)
    assert window_open(window, MON - timedelta(seconds=1), LONDON)


def test_nothing_goes_to_a_closed_council_whoever_asks() -> None:
    closed = Window(closed_at=MON - timedelta(days=1))
    person = emailed(10)
    assert due(person, closed, MON, CADENCE).reason == "closed"
    assert chase(person, closed, MON, CADENCE).reason == "closed"
    past = Window(closes_on=date(2026, 11, 1))
    assert chase(person, past, MON, CADENCE).reason == "closed"


# --- working hours ---------------------------------------------------------------------------


def test_working_hours_are_london_hours_on_weekdays() -> None:
    assert working_hours(at(2026, 11, 2, 9, 0), CADENCE)
    assert not working_hours(at(2026, 11, 2, 8, 59), CADENCE)
    assert working_hours(at(2026, 11, 2, 16, 59), CADENCE)
    assert not working_hours(at(2026, 11, 2, 17, 0), CADENCE)
    assert not working_hours(at(2026, 11, 7, 11, 0), CADENCE)  # Saturday
    assert not working_hours(at(2026, 11, 8, 11, 0), CADENCE)  # Sunday


def test_working_hours_follow_summer_time() -> None:
    # 08:30 UTC is 09:30 in London in July (BST) but 08:30 in January (GMT).
    assert working_hours(datetime(2026, 7, 6, 8, 30, tzinfo=UTC), CADENCE)
    assert not working_hours(datetime(2026, 1, 5, 8, 30, tzinfo=UTC), CADENCE)


def test_schedule_sends_nothing_outside_working_hours() -> None:
    assert due(emailed(10), OPEN, at(2026, 11, 2, 18), CADENCE).reason == "outside_hours"
    assert due(emailed(10), OPEN, at(2026, 11, 7, 11), CADENCE).reason == "outside_hours"


# --- the cadence -----------------------------------------------------------------------------


def test_finished_and_unreachable_people_get_nothing() -> None:
    assert due(emailed(10, submitted=True), OPEN, MON, CADENCE).reason == "submitted"
    assert chase(emailed(10, submitted=True), OPEN, MON, CADENCE).reason == "submitted"
    assert due(emailed(10, unreachable="bounced"), OPEN, MON, CADENCE).reason == "unreachable"
    assert chase(emailed(10, unreachable="blocked"), OPEN, MON, CADENCE).reason == "unreachable"


def test_nobody_to_write_to() -> None:
    assert due(Progress(), OPEN, MON, CADENCE).reason == "no_channel"


def test_the_invitation_goes_first_by_email() -> None:
    decision = due(Progress(email=True), OPEN, MON, CADENCE)
    assert (decision.step, decision.channel) == ("invite", "email")


def test_telegram_is_used_once_they_opened_the_bot() -> None:
    person = Progress(telegram=True, email=True, opened_at=MON - timedelta(days=4))
    decision = due(person, OPEN, MON, CADENCE)
    assert (decision.step, decision.channel) == ("r1", "telegram")


def test_first_reminder_after_a_few_days_without_progress() -> None:
    assert due(emailed(2.9), OPEN, MON, CADENCE).reason == "not_yet"
    assert due(emailed(3), OPEN, MON, CADENCE).step == "r1"


def test_progress_puts_the_reminder_off() -> None:
    person = Progress(
        telegram=True,
        opened_at=MON - timedelta(days=10),
        started_at=MON - timedelta(days=10),
        updated_at=MON - timedelta(days=1),
    )
    assert due(person, OPEN, MON, CADENCE).reason == "not_yet"
    assert due(person, OPEN, MON + timedelta(days=2), CADENCE).step == "r1"


def test_then_at_a_fixed_gap_up_to_the_maximum() -> None:
    sent: tuple[Sent, ...] = (Sent("r1", MON - timedelta(days=6)),)
    assert due(emailed(20, sent=sent), OPEN, MON, CADENCE).reason == "not_yet"
    sent = (Sent("r1", MON - timedelta(days=7)),)
    assert due(emailed(20, sent=sent), OPEN, MON, CADENCE).step == "r2"
    sent = tuple(Sent(f"r{i}", MON - timedelta(days=30 - 7 * i)) for i in (1, 2, 3))
    assert due(emailed(40, sent=sent), OPEN, MON, CADENCE).reason == "max_reached"


def test_last_call_two_days_before_closing_even_after_the_maximum() -> None:
    sent = tuple(Sent(f"r{i}", MON - timedelta(days=30 - 7 * i)) for i in (1, 2, 3))
    person = emailed(40, sent=sent)
    assert due(person, Window(closes_on=date(2026, 11, 5)), MON, CADENCE).reason == "max_reached"
    last = due(person, Window(closes_on=date(2026, 11, 4)), MON, CADENCE)
    assert (last.step, last.channel) == ("last", "email")
    again = emailed(40, sent=(*sent, Sent("last", MON - timedelta(days=1))))
    assert due(again, Window(closes_on=date(2026, 11, 3)), MON, CADENCE).reason == "max_reached"


def test_never_twice_in_one_day() -> None:
    this_morning = at(2026, 11, 2, 9, 5)
    person = emailed(10, sent=(Sent("r1", this_morning),))
    # Even the last call waits for tomorrow.
    assert due(person, Window(closes_on=date(2026, 11, 3)), MON, CADENCE).reason == (
        "today_already"
    )
    # An invitation emailed this morning counts too.
    fresh = Progress(email=True, invited_at=this_morning)
    assert due(fresh, Window(closes_on=date(2026, 11, 3)), MON, CADENCE).reason == ("today_already")


# --- the deliberate chase --------------------------------------------------------------------


def test_chase_ignores_cadence_and_hours_but_not_the_last_24_hours() -> None:
    sunday_night = at(2026, 11, 8, 23, 0)
    person = emailed(0.5 + (sunday_night - MON).days, sent=())
    assert chase(person, OPEN, sunday_night, CADENCE).step == "chase1"
    recent = emailed(10, sent=(Sent("r1", MON - timedelta(hours=23)),))
    assert chase(recent, OPEN, MON, CADENCE).reason == "recent"
    older = emailed(
        10, sent=(Sent("r1", MON - timedelta(hours=25)), Sent("chase1", MON - timedelta(days=3)))
    )
    assert chase(older, OPEN, MON, CADENCE).step == "chase2"


def test_chase_invites_first_and_not_again_within_a_day() -> None:
    assert chase(Progress(email=True), OPEN, MON, CADENCE).step == "invite"
    invited = Progress(email=True, invited_at=MON - timedelta(hours=2))
    assert chase(invited, OPEN, MON, CADENCE).reason == "recent"


# --- properties over any timeline --------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    ticks=st.lists(st.integers(min_value=0, max_value=60 * 24 * 40), min_size=1, max_size=80),
    closes_in=st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    telegram=st.booleans(),
)
def test_schedule_keeps_its_promises_on_any_timeline(
    ticks: list[int], closes_in: int | None, telegram: bool
) -> None:
    """Whenever the schedule happens to look, it never sends twice in a London day, never
    outside working hours or after closing, never more than the maximum plus a last call, and
    never repeats a step."""
    start = at(2026, 10, 5, 8, 0)
    window = Window(closes_on=None if closes_in is None else start.date() + timedelta(closes_in))
    base = Progress(telegram=telegram, email=not telegram, opened_at=start if telegram else None)
    sent: list[Sent] = []
    invited: datetime | None = None
    for minutes in sorted(set(ticks)):
        now = start + timedelta(minutes=minutes)
        person = Progress(
            telegram=base.telegram,
            email=base.email,
            opened_at=base.opened_at,
            invited_at=invited,
            sent=tuple(sent),
        )
        decision = due(person, window, now, CADENCE)
        if decision.step is None:
            continue
        assert working_hours(now, CADENCE)
        assert window_open(window, now, LONDON)
        if decision.step == "invite":
            invited = now
        sent.append(Sent(decision.step, now))
    days = [s.at.astimezone(LONDON).date() for s in sent]
    assert len(days) == len(set(days))
    steps = [s.step for s in sent]
    assert len(steps) == len(set(steps))
    assert sum(1 for s in steps if s.startswith("r")) <= CADENCE.remind_max
