"""``datatool``: the operator's command line (see the interface contract for the commands).

Every failure a person can cause (a missing setting, a bad roster line, an unknown council) ends
with one clear line on stderr and a non-zero exit, never a traceback.

This module holds the parser and nothing else of ours: each command lives in its group's module
(``bot.cli.roster``, ``bot.cli.survey_status``, ...), named here as ``module:function`` and imported
only once it is chosen. So ``datatool --help`` loads argparse alone, a command that never talks
to Telegram never loads aiogram, and no command module imports another.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from bot.cli.words import Parser, operator_lang, t

DEMO_OUT = "demo-output"

SubParsers = Any  # argparse's _SubParsersAction is private


def _add(parent: SubParsers, name: str, target: str, help_: str) -> argparse.ArgumentParser:
    """A command whose function ``target`` (``module:function`` under ``bot.cli``) runs it."""
    p: argparse.ArgumentParser = parent.add_parser(name, help=help_, description=help_)
    p.set_defaults(target=target)
    return p


def _meta(name: str) -> str:
    """A placeholder in the operator's language, in capitals: CYNGOR, FFEIL, DYDDIAD."""
    return t(f"cli.meta.{name}")


def _council(p: argparse.ArgumentParser, help_: str | None = None, **kwargs: Any) -> None:
    p.add_argument("council", metavar=_meta("council"), help=help_ or t("help.council"), **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="datatool", description=t("cli.description"), epilog=t("cli.language_note")
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=t("cli.verbose"))
    parser.add_argument(
        "-V", "--version", action="version", version=version_line(), help=t("cli.version")
    )
    sub = parser.commands(
        dest="command",
        required=True,
        metavar=t("cli.command"),
    )

    p = _add(sub, "run", "run:cmd_run", t("help.run"))
    p.add_argument("--allow-empty", action="store_true", help=t("help.allow_empty"))

    roster = sub.add_parser("roster", help=t("help.roster")).commands(
        dest="roster_command", required=True, metavar=t("cli.command")
    )
    p = _add(
        roster,
        "import",
        "roster:cmd_roster_import",
        t("help.roster_import"),
    )
    p.epilog = t("csv.roster")
    p.add_argument("file", metavar=_meta("file"))
    p = _add(roster, "remove", "roster:cmd_roster_remove", t("help.roster_remove"))
    _council(p)
    p.add_argument("emails", nargs="+", metavar=_meta("email"))

    p = _add(sub, "invites", "invites:cmd_invites", t("help.invites"))
    p.epilog = t("csv.invites")
    _council(p)
    p.add_argument("--out", metavar=_meta("file"), help=t("help.invites_out"))

    p = _add(sub, "auditors", "auditors:cmd_auditors", t("help.auditors"))
    p.add_argument(
        "action",
        choices=("add", "remove", "list"),
        metavar=_meta("action"),
        help=t("help.auditors_action"),
    )
    p.add_argument(
        "telegram_id", nargs="?", type=int, metavar=_meta("telegram_id"), help=t("help.telegram_id")
    )
    p.add_argument("--council", metavar=_meta("council"), help=t("help.auditors_council"))
    p.add_argument("--json", action="store_true", help=t("help.json"))

    p = _add(
        sub,
        "status",
        "survey_status:cmd_status",
        t("help.status"),
    )
    _council(p, t("help.status_council"))
    p.add_argument("--json", action="store_true", help=t("help.json"))

    survey = sub.add_parser("survey", help=t("help.survey")).commands(
        dest="survey_command", required=True, metavar=t("cli.command")
    )
    p = _add(survey, "open", "survey_status:cmd_survey", t("help.survey_open"))
    _council(p)
    p.add_argument("--closes", metavar=_meta("date"), help=t("help.closes"))
    p.add_argument("--opens", metavar=_meta("date"), help=t("help.opens"))
    p.add_argument("--round", metavar=_meta("round"), help=t("help.round"))
    p.set_defaults(action="open")
    p = _add(survey, "close", "survey_status:cmd_survey", t("help.survey_close"))
    _council(p)
    p.set_defaults(action="close")

    questionnaire = sub.add_parser("questionnaire", help=t("help.questionnaire"))
    q_sub = questionnaire.commands(
        dest="questionnaire_command", required=True, metavar=t("cli.command")
    )
    p = _add(
        q_sub, "export", "questionnaire:cmd_questionnaire_export", t("help.questionnaire_export")
    )
    p.add_argument("file", metavar=_meta("file"))
    p = _add(
        q_sub, "import", "questionnaire:cmd_questionnaire_import", t("help.questionnaire_import")
    )
    p.add_argument("file", metavar=_meta("file"))
    p.add_argument("--draft", action="store_true", help=t("help.questionnaire_draft"))
    p = _add(
        q_sub,
        "publish",
        "questionnaire:cmd_questionnaire_publish",
        t("help.questionnaire_publish"),
    )
    p.add_argument("number", type=int, metavar=_meta("number"), help=t("help.version_number"))

    p = _add(
        sub,
        "backup",
        "backup:cmd_backup",
        t("help.backup"),
    )
    p.add_argument("file", metavar=_meta("file"))

    p = _add(sub, "migrate-to", "migrate:cmd_migrate_to", t("help.migrate_to"))
    p.add_argument("url", metavar="postgresql://…")

    p = _add(sub, "report", "reports:cmd_report", t("help.report"))
    _council(p)
    # No default here: the report is in the operator's language unless they ask for another.
    p.add_argument(
        "--lang",
        choices=("cy", "en"),
        metavar="{cy,en}",
        help=t("help.report_lang", default=operator_lang()),
    )
    p.add_argument("--out", metavar=_meta("file"), help=t("help.report_out"))
    p.add_argument("--final", action="store_true", help=t("help.report_final"))
    p.add_argument("--csv", metavar=_meta("file") + ".csv", help=t("help.report_csv"))
    p = _add(sub, "export", "reports:cmd_export", t("help.export"))
    p.epilog = t("csv.export")
    _council(p)
    p.add_argument("--out", required=True, metavar=_meta("file"), help=t("help.export_out"))

    notes = sub.add_parser("notes", help=t("help.notes")).commands(
        dest="notes_command", required=True, metavar=t("cli.command")
    )
    p = _add(notes, "export", "notes:cmd_notes_export", t("help.notes_export"))
    _council(p)
    p.add_argument("file", metavar=_meta("file"), help=t("help.notes_file"))
    p = _add(notes, "import", "notes:cmd_notes_import", t("help.notes_import"))
    _council(p)
    p.add_argument("file", metavar=_meta("file"), help=t("help.notes_file"))

    p = _add(
        sub,
        "remind",
        "reminders:cmd_remind",
        t("help.remind"),
    )
    _council(p, t("help.remind_council"), nargs="?")
    p.add_argument("--dry-run", action="store_true", help=t("help.dry_run"))
    p.add_argument("--json", action="store_true", help=t("help.remind_json"))

    p = _add(
        sub,
        "demo",
        "demo:cmd_demo",
        t("help.demo"),
    )
    p.add_argument("--chat", action="store_true", help=t("help.chat"))
    p.add_argument(
        "--out",
        default=DEMO_OUT,
        metavar=_meta("folder"),
        help=t("help.demo_out", out=DEMO_OUT),
    )
    p.add_argument("--quick", action="store_true", help=t("help.quick"))
    return parser


def version_line() -> str:
    """``datatool 0.1.0``: the installed package's version (the source tree's, unpackaged)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"datatool {version('datatool')}"
    except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
        return "datatool (not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.cli.log_format import configure_logging, default_level

    # Until the settings are read (LOG_LEVEL, LOG_FORMAT may be in .env): the defaults.
    configure_logging(level=None, log_format="text", default_level=default_level(args))
    from bot.telegram.logs import quiet_aiogram  # plain logging: aiogram itself is not loaded

    quiet_aiogram()
    module, _, function = args.target.partition(":")
    command = getattr(importlib.import_module(f"bot.cli.{module}"), function)
    # Past the parser, so that --help never waits for pydantic and the database layer.
    from bot.cli.common import execute

    return execute(command, args)


if __name__ == "__main__":
    sys.exit(main())
