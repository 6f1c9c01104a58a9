"""``datatool``: the operator's command line (see the interface contract for the commands).

Every failure a person can cause (a missing setting, a bad roster line, an unknown council) ends
with one clear line on stderr and a non-zero exit, never a traceback.

This module holds the parser and nothing else of ours: each command lives in its group's module
(``bot.cli.roster``, ``bot.cli.survey``, ...), named here as ``module:function`` and imported
only once it is chosen. So ``datatool --help`` loads argparse alone, a command that never talks
to Telegram never loads aiogram, and no command module imports another.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Any

DEMO_OUT = "demo-output"

SubParsers = Any  # argparse's _SubParsersAction is private


def _add(parent: SubParsers, name: str, target: str, help_: str) -> argparse.ArgumentParser:
    """A command whose function ``target`` (``module:function`` under ``bot.cli``) runs it."""
    p: argparse.ArgumentParser = parent.add_parser(name, help=help_, description=help_)
    p.set_defaults(target=target)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datatool", description="Audit Wales' use-of-data survey on Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add(
        sub,
        "run",
        "run:cmd_run",
        "run the bot (long polling, or a webhook with WEBHOOK_URL, and the reminder schedule)",
    )

    roster = sub.add_parser("roster", help="invitees").add_subparsers(
        dest="roster_command", required=True
    )
    _add(
        roster,
        "import",
        "roster:cmd_roster_import",
        "load invitees from a CSV file (all rows or none)",
    ).add_argument("file")

    p = _add(sub, "invites", "invites:cmd_invites", "one personal invitation link per invitee")
    p.add_argument("council")
    p.add_argument("--out", help="write the CSV here instead of standard output")

    p = _add(sub, "auditors", "auditors:cmd_auditors", "who may use the auditor commands")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("telegram_id", nargs="?", type=int)
    p.add_argument("--council", help="limit to one council (default: every council)")

    p = _add(
        sub,
        "status",
        "survey:cmd_status",
        "invited / emailed / opened / started / submitted, by group",
    )
    p.add_argument("council")

    survey = sub.add_parser("survey", help="the survey window").add_subparsers(
        dest="survey_command", required=True
    )
    p = _add(survey, "open", "survey:cmd_survey", "open a council's survey")
    p.add_argument("council")
    p.add_argument("--closes", help="last day open, YYYY-MM-DD")
    p.add_argument("--opens", help="first day open, YYYY-MM-DD (default: now)")
    p.set_defaults(action="open")
    p = _add(survey, "close", "survey:cmd_survey", "close a council's survey now")
    p.add_argument("council")
    p.set_defaults(action="close")

    p = _add(
        sub,
        "backup",
        "backup:cmd_backup",
        "a consistent copy of the database, even while the bot runs",
    )
    p.add_argument("file")

    p = _add(
        sub, "report", "reports:cmd_report", "a council's report as one self-contained HTML file"
    )
    p.add_argument("council")
    p.add_argument("--lang", choices=("en", "cy"), default="en")
    p.add_argument("--out", help="the HTML file (default: datatool-COUNCIL-DATE.html)")
    p = _add(
        sub,
        "export",
        "reports:cmd_export",
        "the final figures' answers as CSV (k-anonymous), comments in FILE-comments.csv",
    )
    p.add_argument("council")
    p.add_argument("--out", required=True)

    p = _add(
        sub,
        "remind",
        "reminders:cmd_remind",
        "remind now every unfinished invitee not reminded in the last 24 hours",
    )
    p.add_argument("council", nargs="?", help="one council (default: every council)")
    p.add_argument(
        "--dry-run", action="store_true", help="show who would be reminded; send nothing"
    )

    p = _add(
        sub,
        "demo",
        "demo:cmd_demo",
        "the whole journey offline, with no token: simulated respondents, then Powys's report",
    )
    p.add_argument("--chat", action="store_true", help="take the survey yourself in the terminal")
    p.add_argument(
        "--out",
        default=DEMO_OUT,
        help=f"folder for the demo database and reports (default: ./{DEMO_OUT}/)",
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer councils besides Powys (for the tests)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from bot.telegram.logs import quiet_aiogram  # plain logging: aiogram itself is not loaded

    quiet_aiogram()
    module, _, function = args.target.partition(":")
    command = getattr(importlib.import_module(f"bot.cli.{module}"), function)
    # Past the parser, so that --help never waits for pydantic and the database layer.
    from bot.cli.common import execute

    return execute(command, args)


if __name__ == "__main__":
    sys.exit(main())
