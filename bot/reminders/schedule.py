"""The reminder schedule inside ``datatool run``: every ``REMIND_CHECK_SECONDS`` it sends the
reminders the cadence says are due (in working hours only), and sends each council's report to
its auditors once its survey has closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.auditor.access import auditor_scope, reader_covers
from bot.auditor.delivery import deliver_report
from bot.auditor.report_files import advance_releases
from bot.config import Settings
from bot.reminders.sender import TelegramSender
from bot.reminders.service import Summary, new_owner, run_reminders
from flows.cadence import working_hours
from rubric.catalog import Messages
from rubric.models import Questionnaire
from storage.database import utcnow
from storage.repository import Repository

log = logging.getLogger(__name__)


@dataclass
class Round:
    """What one round of the schedule did."""

    summary: Summary | None = None
    """None outside working hours (nothing was looked at)."""
    reports: list[int] = field(default_factory=list)
    """Councils whose report went to their auditors in this round."""


async def send_closed_reports(
    bot: Bot,
    repo: Repository,
    questionnaire: Questionnaire,
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
                await deliver_report(
                    bot, repo, questionnaire, settings, council, chat_id, lang or "cy", "pdf", known
                )
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                log.warning("report for %s not delivered to %s: %s", council.slug, chat_id, exc)
            except Exception:
                log.exception("report for %s failed; trying again next round", council.slug)
                complete = False
        if complete:
            await book.mark_report_sent(council_id)
            done.append(council_id)
    return done


async def schedule_round(
    bot: Bot,
    repo: Repository,
    settings: Settings,
    questionnaire: Questionnaire,
    *,
    sender: TelegramSender,
    texts: Messages,
    clock: Callable[[], datetime] = utcnow,
) -> Round:
    # A closing date that has passed makes the council's final release now, whoever reads it.
    await advance_releases(repo, questionnaire, settings)
    result = Round(
        reports=await send_closed_reports(bot, repo, questionnaire, settings, clock=clock)
    )
    if working_hours(clock(), settings.cadence()):
        result.summary = await run_reminders(
            repo, bot, settings, deliberate=False, clock=clock, sender=sender, texts=texts
        )
        if result.summary.sent or result.summary.unreachable or result.summary.failed:
            log.info("reminder round: %s", "; ".join(result.summary.lines()))
    return result


SCHEDULE_LEASE = "reminder-schedule"
LEASE_SLACK = timedelta(minutes=2)
"""A lease lasts two rounds and this: a round that sends for a while is not taken over."""


async def reminder_loop(
    *,
    bot: Bot,
    dp: Dispatcher,
    repo: Repository,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rounds: int | None = None,
    owner: str | None = None,
) -> None:
    """For ``run_polling(settings, background=[reminder_loop])``: runs until cancelled (or for
    `rounds` rounds, in tests). A failed round is logged and the next one tries again.

    Each round runs only under the schedule's lease, so of several workers sharing a database
    one at a time sends reminders; the lease is renewed every round and given up on a clean
    stop, and a worker that died hands it on once it lapses."""
    settings: Settings = dp["settings"]
    questionnaire: Questionnaire = dp["questionnaire"]
    sender: TelegramSender = dp["reminder_sender"]
    texts: Messages = dp["reminder_texts"]
    me = owner or new_owner()
    leases = repo.leases(clock=clock)
    ttl = 2 * timedelta(seconds=settings.remind_check_seconds) + LEASE_SLACK
    done = 0
    try:
        while rounds is None or done < rounds:
            try:
                if await leases.hold(SCHEDULE_LEASE, me, ttl):
                    await schedule_round(
                        bot, repo, settings, questionnaire, sender=sender, texts=texts, clock=clock
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
