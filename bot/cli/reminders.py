"""`datatool remind [COUNCIL] [--dry-run]`: a person's deliberate chase, from the command line.

It reminds, now, every unfinished invitee who has had nothing in the last 24 hours, whatever the
cadence or the hour; a progress bar on stderr, the summary on stdout: what was sent, who was not
reached and why, who was skipped and why. One person's failure never stops the others; the exit
status is 1 only when messages were tried and not one of them went out.

The run's ``Summary`` carries numbers and codes (a skip's reason, a failed send's channel and
step); the lines are worded here in the operator's language. Why a send failed (Telegram's or
the mail server's answer) is shown as it came.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import council_label, council_or_fail, open_repo
from bot.cli.counting import count
from bot.cli.telegram import open_bot
from bot.cli.words import catalog, t
from bot.config import Settings
from bot.reminders.sender import TelegramReminders
from bot.services.reminder_run import FAILURE_CAP, FailedSend, Summary, run_reminders
from storage.councils import names_wales


async def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    async with open_bot(settings) as bot, open_repo(settings, read_only=args.dry_run) as repo:
        council_ids = None
        scope = t("msg.every_council")
        if args.council and not names_wales(args.council):
            council = await council_or_fail(repo, args.council)
            council_ids = [council.id]
            scope = council_label(council)
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        console = Console(stderr=True, quiet=args.json)
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(t("msg.reminding", scope=scope), total=None)
            summary = await run_reminders(
                repo,
                TelegramReminders.of(bot, settings),
                settings,
                council_ids=council_ids,
                deliberate=True,
                dry_run=args.dry_run,
                on_total=lambda n: progress.update(task, total=n),
                on_done=lambda: progress.advance(task),
            )
    if args.json:
        print(json.dumps(summary_json(summary), ensure_ascii=False, indent=2))
        return 1 if summary.nothing_sent else 0
    print(t("msg.dry_run" if args.dry_run else "msg.reminders", scope=scope))
    for line in summary_lines(summary):
        print(line)
    if summary.planned:
        print(t("remind.would_send"))
        for p in sorted(summary.planned, key=lambda p: (p.council, p.email)):
            print(f"  {p.council}\t{p.email}\t{t(f'remind.channel.{p.channel}')}\t{p.step}")
    if summary.failures:
        print(t("remind.not_reached"))
        for line in people_lines(summary):
            print(line)
    if summary.nothing_sent:
        print(f"datatool: {t('remind.nothing_sent', scope=scope)}", file=sys.stderr)
        return 1
    return 0


def summary_json(summary: Summary) -> dict[str, object]:
    """``remind --json``: the counts, the skips by code, who would be sent what (a dry run) or
    who was not reached and why; codes and keys in English in every language, for scripts."""
    return {
        "dry_run": summary.dry_run,
        "telegram": summary.telegram,
        "email": summary.email,
        "email_enabled": summary.email_enabled,
        "mail_down": summary.mail_down,
        "unreachable": summary.unreachable,
        "failed": summary.failed,
        "skipped": dict(_by_count(summary.skipped)),
        "planned": [p.model_dump() for p in summary.planned],
        "failures": [
            {"email": f.email, "channel": f.channel, "step": f.step, "reason": f.reason}
            for f in sorted(summary.failures, key=lambda f: (f.email, f.step))
        ],
    }


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def skip_reason(code: str) -> str:
    """Why a person was skipped, from the run's code (an unknown code as it is)."""
    key = f"remind.skip.{code}"
    return t(key, times=count(FAILURE_CAP, "time")) if key in catalog("en") else code


def summary_lines(summary: Summary) -> list[str]:
    """What the run did, without anyone's name or address."""
    dry = "_dry" if summary.dry_run else ""
    lines = [
        t(f"remind.telegram{dry}", n=summary.telegram),
        t(f"remind.email{dry}", n=summary.email),
    ]
    if not summary.email_enabled:
        lines.append(t("remind.email_off"))
    if summary.mail_down:
        lines.append(t("remind.mail_down", detail=summary.mail_down))
    lines.append(t("remind.unreachable", n=summary.unreachable))
    if summary.failed:
        lines.append(t("remind.failed", n=summary.failed))
        reasons = Counter(why(failure) for failure in summary.failures)
        lines += [f"  {reason}: {n}" for reason, n in _by_count(reasons)]
    lines.append(t("remind.skipped", n=summary.skipped_total))
    lines += [f"  {skip_reason(code)}: {n}" for code, n in _by_count(summary.skipped)]
    return lines


def why(failure: FailedSend) -> str:
    """Why a send failed, in the operator's language: our words by the failure's code around
    the outside world's own (an SMTP answer, Telegram's description); a fault that is only the
    outside world's words (a network error) as it came."""
    if failure.code:
        return t(f"remind.why.{failure.code}", detail=failure.detail)
    return failure.reason


def step_name(step: str) -> str:
    """A reminder step in the operator's words: "invite" / "gwahoddiad", "r2" / "nodyn
    atgoffa 2", "last" / "galwad olaf" (an unknown step as it is)."""
    if step in ("invite", "last"):
        return t(f"remind.step.{step}")
    if step[:1] == "r" and step[1:].isdigit():
        return t("remind.step.reminder", n=step[1:])
    return step


def people_lines(summary: Summary) -> list[str]:
    """Who was not reached and why, one line each (the operator's eyes only, never a log)."""
    return [
        f"  {f.email} ({t(f'remind.channel.{f.channel}')}, {step_name(f.step)}): {why(f)}"
        for f in sorted(summary.failures, key=lambda f: (f.email, f.step))
    ]
