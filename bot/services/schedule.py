"""The one schedule inside ``datatool run``: every ``REMIND_CHECK_SECONDS`` it sends the
reminders the cadence says are due (in working hours only), and sends each council's report to
its auditors once its survey has closed. No aiogram: the composition (``bot.app.run_schedule``)
hands in the way to Telegram (a ``TelegramChannel`` for reminders, a ``Deliver`` for reports)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.services.access import auditor_scope, reader_covers
from bot.services.reminder_run import Summary, TelegramChannel, new_owner, run_reminders
from bot.services.report_builder import advance_releases
from flows.cadence import working_hours
from rubric.catalog import Messages
from rubric.loader import load_questionnaire
from rubric.schema import Lang
from storage.database import utcnow
from storage.repository import Repository
from storage.rows import Council

log = logging.getLogger(__name__)


class Undeliverable(Exception):
    """The report cannot reach this auditor (they blocked the bot or never opened it): passed
    over, not tried again."""


Deliver = Callable[[Council, int, Lang, frozenset[str]], Awaitable[None]]
"""Sends a council's report (PDF) to a chat in a language, as a reader covering these councils
may see it (``bot.auditor.delivery``); raises ``Undeliverable`` for an auditor it cannot reach."""


@dataclass
class Round:
    """What one round of the schedule did."""

    summary: Summary | None = None
    """None outside working hours (nothing was looked at)."""
    reports: list[int] = field(default_factory=list)
    """Councils whose report went to their auditors in this round."""


async def send_closed_reports(
    deliver: Deliver,
    repo: Repository,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> list[int]:
    """Sends every newly closed council's report to each of its auditors, then records it as
    sent. An auditor who blocked the bot or never opened it is passed over; any other failure
    leaves the report unsent, to be tried again next round."""
    book = repo.reminder_book(clock=clock)
    today = settings.cadence().local(clock()).date()
    done: list[int] = []
    for council_id in await book.closed_unreported(today):
        council = await repo.council(council_id)
        if council is None:
            continue
        complete = True
        for chat_id, lang in await book.auditor_chats(council_id, settings.auditor_ids):
            try:
                known = await reader_covers(repo, await auditor_scope(repo, settings, chat_id))
                await deliver(council, chat_id, lang or "cy", known)
            except Undeliverable as exc:
                log.warning("report for %s not delivered to %s: %s", council.slug, chat_id, exc)
            except Exception:
                log.exception("report for %s failed; trying again next round", council.slug)
                complete = False
        if complete:
            await book.mark_report_sent(council_id)
            done.append(council_id)
    return done


async def schedule_round(
    telegram: TelegramChannel,
    deliver: Deliver,
    repo: Repository,
    settings: Settings,
    *,
    texts: Messages,
    clock: Callable[[], datetime] = utcnow,
) -> Round:
    # A closing date that has passed makes the council's final release now, whoever reads it.
    await advance_releases(repo, load_questionnaire(), settings)
    result = Round(reports=await send_closed_reports(deliver, repo, settings, clock=clock))
    if working_hours(clock(), settings.cadence()):
        result.summary = await run_reminders(
            repo, telegram, settings, deliberate=False, clock=clock, texts=texts
        )
        if result.summary.sent or result.summary.unreachable or result.summary.failed:
            log.info("reminder round: %s", "; ".join(result.summary.lines()))
    return result


SCHEDULE_LEASE = "reminder-schedule"
LEASE_SLACK = timedelta(minutes=2)
"""A lease lasts two rounds and this: a round that sends for a while is not taken over."""


async def reminder_loop(
    *,
    telegram: TelegramChannel,
    deliver: Deliver,
    repo: Repository,
    settings: Settings,
    texts: Messages,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rounds: int | None = None,
    owner: str | None = None,
) -> None:
    """For ``bot.app.run_schedule``: runs until cancelled (or for
    `rounds` rounds, in tests). A failed round is logged and the next one tries again.

    Each round runs only under the schedule's lease, so of several workers sharing a database
    one at a time sends reminders; the lease is renewed every round and given up on a clean
    stop, and a worker that died hands it on once it lapses."""
    me = owner or new_owner()
    leases = repo.leases(clock=clock)
    ttl = 2 * timedelta(seconds=settings.remind_check_seconds) + LEASE_SLACK
    done = 0
    try:
        while rounds is None or done < rounds:
            try:
                if await leases.hold(SCHEDULE_LEASE, me, ttl):
                    await schedule_round(
                        telegram, deliver, repo, settings, texts=texts, clock=clock
                    )
                else:
                    log.debug("another worker holds the reminder schedule")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reminder round failed; the next round tries again")
            done += 1
            if rounds is None or done < rounds:
                await sleep(settings.remind_check_seconds)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.shield(leases.release(SCHEDULE_LEASE, me))
