"""`datatool remind [COUNCIL] [--dry-run]`: a person's deliberate chase, from the command line.

It reminds, now, every unfinished invitee who has had nothing in the last 24 hours, whatever the
cadence or the hour; a progress bar on stderr, the summary on stdout: what was sent, who was not
reached and why, who was skipped and why. One person's failure never stops the others; the exit
status is 1 only when messages were tried and not one of them went out.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import council_or_fail, open_repo
from bot.cli.telegram import open_bot
from bot.cli.words import t
from bot.config import Settings
from bot.reminders.service import run_reminders
from storage.councils import names_wales


async def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    async with open_bot(settings) as bot, open_repo(settings, read_only=args.dry_run) as repo:
        council_ids = None
        scope = t("msg.every_council")
        if args.council and not names_wales(args.council):
            council = await council_or_fail(repo, args.council)
            council_ids = [council.id]
            scope = council.slug
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
            task = progress.add_task(t("msg.reminding", scope=scope), total=None)
            summary = await run_reminders(
                repo,
                bot,
                settings,
                council_ids=council_ids,
                deliberate=True,
                dry_run=args.dry_run,
                on_total=lambda n: progress.update(task, total=n),
                on_done=lambda: progress.advance(task),
            )
    print(t("msg.dry_run" if args.dry_run else "msg.reminders", scope=scope))
    for line in summary.lines():
        print(line)
    if summary.failures:
        print("not reached this time:")
        for line in summary.people_lines():
            print(line)
    if summary.nothing_sent:
        print(f"datatool: nothing could be sent ({scope}): see the reasons above", file=sys.stderr)
        return 1
    return 0
