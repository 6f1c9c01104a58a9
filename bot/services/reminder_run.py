"""One reminder run, for the schedule (cadence and working hours) and for a person's deliberate
chase (``datatool remind``, ``/remind``: everyone unfinished not reminded in the last 24 hours).

Crash safety is *claim, then send, then record*. Each (invitee, step) is claimed in the database
('sending', naming this run) before the message goes out and marked 'sent' after. Why this way:
a claim is what stops two runs (the schedule inside ``datatool run`` and a ``datatool remind``
beside it) from sending the same step twice, and a run that dies leaves its claims behind with
its process id, so the next run knows they are orphaned and sends them again: nobody is skipped.
The one message that can go twice is one that was on the wire at the instant of the crash, and
with a handful of sends in flight that is a handful of people once per crash. Sending *before*
recording nothing would instead risk skipping those people silently, which no one would notice.

One person's failure never stops the run: whatever goes wrong with one message (a refused
address, a refused SMTP command, a 400 from Telegram, a name that cannot go in a header) is
recorded against that (invitee, step) with its reason, and the run goes on to the next person.
Later runs try that step again, the schedule no sooner than `RETRY_GAP` after the failure, and
give up after `FAILURE_CAP` such failures (a fault of the whole channel is not counted).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Protocol

from pydantic import BaseModel, Field

from bot.config import Settings
from bot.services.mail import Mailer, compose, invite_link, kind_of, sender_address
from bot.services.reminder_words import load_texts
from bot.survey_window import load_window
from flows.cadence import (
    Channel,
    Decision,
    Progress,
    Sent,
    SkipReason,
    chase,
    due,
)
from flows.outcome import SendResult, refused
from rubric.catalog import Messages
from rubric.schema import Lang
from storage.database import utcnow
from storage.reminders import Candidate, Claim, ReminderBook, ReminderRecord
from storage.repository import Repository
from storage.rows import Council

log = logging.getLogger(__name__)
CLAIM_LEASE = timedelta(minutes=15)
"""A claim older than this is orphaned even if a process with its id still runs (id reuse)."""
FAILURE_CAP = 3
"""Tries of one step that failed for the person's own reasons before the runs stop trying."""
RETRY_GAP = timedelta(hours=1)
"""How long the schedule waits before trying a failed step again (a chase tries at once)."""

SKIP_WORDS: dict[str, str] = {
    "submitted": "already submitted",
    "unreachable": "unreachable (blocked the bot or email bounced)",
    "closed": "survey closed",
    "no_channel": "no way to reach them",
    "email_off": "not opened the bot, and email is not set up (no SMTP_HOST)",
    "outside_hours": "outside working hours",
    "today_already": "already reminded today",
    "recent": "reminded in the last 24 hours",
    "not_yet": "not due yet",
    "max_reached": "had every reminder",
    "in_progress": "being sent by another run",
    "gave_up": f"failed {FAILURE_CAP} times, not tried again (correct their roster row)",
    "retry_later": "failed within the last hour, tried again later",
    "mail_down": "not tried: the mail server could not be reached (the next run tries them)",
}


@dataclass(frozen=True)
class FailedSend:
    """One message that did not go out in this run, and why."""

    invitee_id: int
    email: str
    channel: Channel
    step: str
    reason: str
    code: str = ""
    """Why, for the command line to word (`SendResult.code`); `detail`: the outside world's."""
    detail: str = ""


class Planned(BaseModel):
    """One message a dry run would send (``remind --dry-run --json`` lists them)."""

    council: str
    email: str
    channel: Channel
    step: str


class Summary(BaseModel):
    """What a run did (or, with ``dry_run``, would do)."""

    telegram: int = 0
    email: int = 0
    unreachable: int = 0
    """People found unreachable in this run (blocked the bot, mail bounced)."""
    failed: int = 0
    """Sends that failed for now; the next run tries them again."""
    failures: list[FailedSend] = Field(default_factory=list)
    """Each failed send, with its reason (the email is for the operator's eyes, never a log)."""
    skipped: dict[str, int] = Field(default_factory=dict)
    email_enabled: bool = True
    dry_run: bool = False
    retry_afters: int = 0
    planned: list[Planned] = Field(default_factory=list)
    """With ``dry_run``: who would be sent what (the operator's eyes only, never a log)."""
    mail_down: str | None = None
    """The mail server's fault, when the run stopped emailing (see `bot.services.mail`)."""

    @property
    def sent(self) -> int:
        return self.telegram + self.email

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def nothing_sent(self) -> bool:
        """Messages were tried and not one went out: the run as a whole failed."""
        return not self.dry_run and self.sent == 0 and bool(self.failed or self.unreachable)

    def lines(self) -> list[str]:
        """The summary, with reasons but without anyone's name or address, in English for the
        log (``datatool remind`` words the same numbers and codes in the operator's language:
        ``bot.cli.reminders``)."""
        verb = "would send" if self.dry_run else "sent"
        lines = [f"{verb} by Telegram: {self.telegram}", f"{verb} by email: {self.email}"]
        if not self.email_enabled:
            lines.append("email channel skipped: SMTP_HOST is not set")
        if self.mail_down:
            lines.append(f"email stopped, the mail server could not be reached: {self.mail_down}")
        lines.append(f"unreachable: {self.unreachable}")
        if self.failed:
            lines.append(f"failed (tried again by a later run): {self.failed}")
            reasons: dict[str, int] = {}
            for failure in self.failures:
                reasons[failure.reason] = reasons.get(failure.reason, 0) + 1
            for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {reason}: {n}")
        lines.append(f"skipped: {self.skipped_total}")
        for reason, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {SKIP_WORDS.get(reason, reason)}: {n}")
        return lines


class TelegramChannel(Protocol):
    """How a run reaches Telegram, handed in by its caller (``bot.reminders.sender.
    TelegramReminders``): the reminder with its button, paced, never retried here (the bot's
    session retries); the bot's username, for the links in emails; and how many times Telegram
    has asked the bot to wait so far."""

    async def remind(
        self,
        chat_id: int,
        council: Council,
        lang: Lang | None,
        *,
        last_call: bool,
        closes_on: date | None,
    ) -> SendResult: ...

    async def username(self) -> str: ...

    def retry_afters(self) -> int: ...


@dataclass(frozen=True)
class Job:
    candidate: Candidate
    council: Council
    step: str
    channel: Channel
    closes_on: date | None


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # not us (our own claims carry our nonce): an earlier process with our id
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned(claims: Sequence[Claim], me: str, now: datetime) -> set[str]:
    """The owners whose claims nobody will settle: their process is gone, or the claim is older
    than the lease."""
    host = socket.gethostname()
    dead: set[str] = set()
    for claim in claims:
        if claim.owner == me:
            continue
        name, _, rest = claim.owner.partition(":")
        pid_text = rest.partition(":")[0]
        stale = now - claim.claimed_at > CLAIM_LEASE
        gone = name == host and pid_text.isdigit() and not _pid_alive(int(pid_text))
        if stale or gone:
            dead.add(claim.owner)
    return dead


def progress_of(
    candidate: Candidate, records: Sequence[ReminderRecord], email_enabled: bool
) -> Progress:
    return Progress(
        submitted=candidate.submitted_at is not None,
        unreachable=candidate.unreachable,
        telegram=candidate.telegram_id is not None and candidate.opened_at is not None,
        email=email_enabled and bool(candidate.email),
        invited_at=candidate.emailed_at,
        opened_at=candidate.opened_at,
        started_at=candidate.started_at,
        updated_at=candidate.updated_at,
        sent=tuple(Sent(r.step, r.sent_at) for r in records if r.status == "sent" and r.sent_at),
    )


def _reason(decision: Decision, email_enabled: bool) -> SkipReason:
    assert decision.reason is not None
    if decision.reason == "no_channel" and not email_enabled:
        return "email_off"
    return decision.reason


async def plan(
    repo: Repository,
    book: ReminderBook,
    settings: Settings,
    council_ids: Sequence[int],
    *,
    deliberate: bool,
    now: datetime,
    live_claims: Callable[[ReminderRecord], bool],
    summary: Summary,
    make_tokens: bool,
) -> list[Job]:
    """The jobs due now; everyone else is counted in `summary.skipped` with a reason."""
    cadence = settings.cadence()
    rule = chase if deliberate else due
    jobs: list[Job] = []
    for council_id in council_ids:
        council = await repo.council(council_id)
        if council is None:
            continue
        window = await load_window(repo, council_id)
        candidates = await book.candidates(council_id)
        if make_tokens and any(c.token is None and c.submitted_at is None for c in candidates):
            await repo.ensure_tokens(council_id)
            candidates = await book.candidates(council_id)
        history = await book.history(council_id)
        for candidate in candidates:
            records = history.get(candidate.invitee_id, [])
            decision = rule(
                progress_of(candidate, records, settings.email_enabled), window, now, cadence
            )
            if decision.step is None or decision.channel is None:
                summary.skip(_reason(decision, settings.email_enabled))
                continue
            if any(r.step == decision.step and live_claims(r) for r in records):
                summary.skip("in_progress")
                continue
            failed = next(
                (r for r in records if r.step == decision.step and r.status == "failed"), None
            )
            if failed is not None and failed.failures >= FAILURE_CAP:
                summary.skip("gave_up")
                continue
            if failed is not None and not deliberate and now - failed.claimed_at < RETRY_GAP:
                summary.skip("retry_later")
                continue
            jobs.append(Job(candidate, council, decision.step, decision.channel, window.closes_on))
    return jobs


async def run_reminders(
    repo: Repository,
    telegram: TelegramChannel,
    settings: Settings,
    *,
    council_ids: Sequence[int] | None = None,
    deliberate: bool,
    dry_run: bool = False,
    clock: Callable[[], datetime] = utcnow,
    texts: Messages | None = None,
    on_total: Callable[[int], None] | None = None,
    on_done: Callable[[], None] | None = None,
    concurrency: int = 6,
) -> Summary:
    """Reminds whoever is due (cadence) or everyone unfinished (deliberate) in the councils
    given (default: every council with a roster), by Telegram where the person opened the bot
    and by email otherwise. Returns what was done."""
    now = clock()
    owner = new_owner()
    book = repo.reminder_book(clock=clock)
    summary = Summary(email_enabled=settings.email_enabled, dry_run=dry_run)
    ids = list(council_ids) if council_ids is not None else await book.council_ids()
    dead = orphaned(await book.open_claims(), owner, now)

    def live(record: ReminderRecord) -> bool:
        return record.status == "sending" and record.owner not in dead

    jobs = await plan(
        repo,
        book,
        settings,
        ids,
        deliberate=deliberate,
        now=now,
        live_claims=live,
        summary=summary,
        make_tokens=settings.email_enabled and not dry_run,
    )
    if on_total is not None:
        on_total(len(jobs))
    if dry_run:
        for job in jobs:
            setattr(summary, job.channel, getattr(summary, job.channel) + 1)
            summary.planned.append(
                Planned(
                    council=job.council.slug,
                    email=job.candidate.email,
                    channel=job.channel,
                    step=job.step,
                )
            )
            if on_done is not None:
                on_done()
        return summary

    texts = texts or load_texts()
    retry_afters_before = telegram.retry_afters()
    telegram_jobs = [j for j in jobs if j.channel == "telegram"]
    email_jobs = [j for j in jobs if j.channel == "email"]

    async def settle(job: Job, result: SendResult) -> None:
        invitee_id = job.candidate.invitee_id
        if result.outcome == "sent":
            await book.mark_sent(invitee_id, job.step, owner)
            setattr(summary, job.channel, getattr(summary, job.channel) + 1)
        else:
            await book.mark_failed(
                invitee_id,
                job.step,
                owner,
                result.error,
                unreachable=result.unreachable,
                personal=result.personal,
            )
            if result.unreachable:
                summary.unreachable += 1
            else:
                summary.failed += 1
                summary.failures.append(
                    FailedSend(
                        invitee_id,
                        job.candidate.email,
                        job.channel,
                        job.step,
                        result.reason,
                        result.code,
                        result.detail_shown,
                    )
                )
                log.warning("reminder to invitee %s failed: %s", invitee_id, result.reason)
        if on_done is not None:
            on_done()

    async def attempt(job: Job, send: Callable[[], Awaitable[SendResult]]) -> None:
        """One message, whatever happens to it: a failure is this person's, never the run's."""
        try:
            result = await send()
        except Exception as exc:  # recorded against the person, with its reason
            result = refused(f"{type(exc).__name__}: {exc}")
        await settle(job, result)

    async def claimed(job: Job) -> bool:
        ok = await book.claim(
            job.candidate.invitee_id, job.step, job.channel, owner, dead_owners=dead
        )
        if not ok:
            summary.skip("in_progress")
            if on_done is not None:
                on_done()
        return ok

    async def telegram_worker(queue: asyncio.Queue[Job]) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            if not await claimed(job):
                continue
            await attempt(job, partial(by_telegram, job))

    async def by_telegram(job: Job) -> SendResult:
        assert job.candidate.telegram_id is not None
        return await telegram.remind(
            job.candidate.telegram_id,
            job.council,
            job.candidate.language,
            last_call=job.step == "last",
            closes_on=job.closes_on,
        )

    async def email_worker() -> None:
        if not email_jobs:
            return
        no_link: SendResult | None = None
        try:
            username = await telegram.username()
        except Exception as exc:  # the links need it: no email can go
            username, no_link = "", SendResult("failed", f"no bot username: {type(exc).__name__}")
        async with Mailer(settings) as mailer:
            for job in email_jobs:
                if mailer.down is not None:
                    # The circuit opened: the rest wait for the next run, unclaimed, uncounted.
                    summary.mail_down = mailer.down
                    summary.skip("mail_down")
                    if on_done is not None:
                        on_done()
                    continue
                if not await claimed(job):
                    continue
                if no_link is not None:
                    await settle(job, no_link)
                    continue
                await attempt(job, partial(by_email, mailer, username, job))
            summary.mail_down = mailer.down

    async def by_email(mailer: Mailer, username: str, job: Job) -> SendResult:
        candidate = job.candidate
        assert candidate.token is not None
        message = compose(
            texts,
            sender=sender_address(settings),
            to=candidate.email,
            name=candidate.name,
            lang=candidate.language,
            kind=kind_of(job.step, job.closes_on),
            link=invite_link(username, candidate.token),
            council=job.council,
            closes_on=job.closes_on,
        )
        return await mailer.send(message)

    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in telegram_jobs:
        queue.put_nowait(job)
    async with asyncio.TaskGroup() as group:
        group.create_task(email_worker())
        for _ in range(max(1, min(concurrency, len(telegram_jobs)))):
            group.create_task(telegram_worker(queue))
    summary.retry_afters = telegram.retry_afters() - retry_afters_before
    return summary
