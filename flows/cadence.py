"""The reminder rules, as pure functions of what is known about a person and the time now.

Nothing here reads a clock or a database: the schedule, the deliberate chase and the tests all
pass `now` in, so every rule can be checked at any hour of any day.

Steps are named so that each is sent at most once: 'invite' (the invitation email), 'r1'..'rN'
(the cadence's reminders, at most `remind_max`), 'last' (the last call before closing) and
'chase1', 'chase2'.. (reminders someone asked for with `datatool remind` or `/remind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from flows.window import Window, window_open

Channel = Literal["telegram", "email"]
SkipReason = Literal[
    "submitted",
    "unreachable",
    "closed",
    "no_channel",
    "outside_hours",
    "today_already",
    "recent",
    "not_yet",
    "max_reached",
    "in_progress",
    "email_off",
]
CHASE_GAP = timedelta(hours=24)


@dataclass(frozen=True)
class Cadence:
    """The reminder settings as plain values (the bot builds one from its ``Settings``)."""

    remind_after: timedelta
    remind_every: timedelta
    remind_max: int
    last_call_days: int
    work_start: time
    work_end: time
    work_days: frozenset[int]
    tz: ZoneInfo

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


@dataclass(frozen=True)
class Sent:
    step: str
    at: datetime


@dataclass(frozen=True)
class Progress:
    """What is known about one invitee. `telegram`: the bot can write to them (they opened it
    and their account is bound); `email`: an invitation email can be sent to them."""

    submitted: bool = False
    unreachable: str | None = None
    telegram: bool = False
    email: bool = False
    invited_at: datetime | None = None
    opened_at: datetime | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    sent: tuple[Sent, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Decision:
    step: str | None = None
    channel: Channel | None = None
    reason: SkipReason | None = None

    @property
    def due(self) -> bool:
        return self.step is not None


def skip(reason: SkipReason) -> Decision:
    return Decision(reason=reason)


def working_hours(now: datetime, cadence: Cadence) -> bool:
    local = cadence.local(now)
    return (
        local.weekday() in cadence.work_days
        and cadence.work_start <= local.time().replace(tzinfo=None) < cadence.work_end
    )


def _channel(progress: Progress) -> Channel | None:
    if progress.telegram:
        return "telegram"
    if progress.email:
        return "email"
    return None


def _all_sent(progress: Progress) -> list[Sent]:
    """The steps sent, with an invitation emailed outside this bookkeeping counted too."""
    sent = list(progress.sent)
    if progress.invited_at is not None and not any(s.step == "invite" for s in sent):
        sent.append(Sent("invite", progress.invited_at))
    return sent


def _gate(progress: Progress, window: Window, now: datetime, cadence: Cadence) -> Decision | None:
    """The reasons that hold whoever asks: finished, unreachable, closed, no way to write."""
    if progress.submitted:
        return skip("submitted")
    if progress.unreachable is not None:
        return skip("unreachable")
    if not window_open(window, now, cadence.tz):
        return skip("closed")
    if _channel(progress) is None:
        return skip("no_channel")
    return None


def _needs_invite(progress: Progress, channel: Channel, sent: list[Sent]) -> bool:
    return channel == "email" and not any(s.step == "invite" for s in sent)


def due(progress: Progress, window: Window, now: datetime, cadence: Cadence) -> Decision:
    """The schedule's rule: which step (if any) is due for this person now."""
    gate = _gate(progress, window, now, cadence)
    if gate is not None:
        return gate
    channel = _channel(progress)
    assert channel is not None
    if not working_hours(now, cadence):
        return skip("outside_hours")
    sent = _all_sent(progress)
    today = cadence.local(now).date()
    if any(cadence.local(s.at).date() == today for s in sent):
        return skip("today_already")
    if _needs_invite(progress, channel, sent):
        return Decision("invite", channel)
    steps = {s.step for s in sent}
    if (
        window.closes_on is not None
        and "last" not in steps
        and window.closes_on - timedelta(days=cadence.last_call_days) <= today
    ):
        return Decision("last", channel)
    regular = [s for s in sent if s.step.startswith("r")]
    if len(regular) >= cadence.remind_max:
        return skip("max_reached")
    moments = [
        m
        for m in (progress.invited_at, progress.opened_at, progress.started_at, progress.updated_at)
        if m is not None
    ]
    moments += [s.at for s in sent if s.step == "invite"]
    if moments and now - max(moments) < cadence.remind_after:
        return skip("not_yet")
    reminders = [s.at for s in sent if s.step != "invite"]
    gap = cadence.remind_after if not regular else cadence.remind_every
    if reminders and now - max(reminders) < gap:
        return skip("not_yet")
    return Decision(f"r{len(regular) + 1}", channel)


def chase(progress: Progress, window: Window, now: datetime, cadence: Cadence) -> Decision:
    """A person's deliberate chase: remind now, whatever the cadence or the hour, everyone
    unfinished who has had nothing from us in the last 24 hours."""
    gate = _gate(progress, window, now, cadence)
    if gate is not None:
        return gate
    channel = _channel(progress)
    assert channel is not None
    sent = _all_sent(progress)
    if any(now - s.at < CHASE_GAP for s in sent):
        return skip("recent")
    if _needs_invite(progress, channel, sent):
        return Decision("invite", channel)
    chases = sum(1 for s in sent if s.step.startswith("chase"))
    return Decision(f"chase{chases + 1}", channel)
