"""``datatool``: the operator's command line (see the interface contract for the commands).

Every failure a person can cause (a missing setting, a bad roster line, an unknown council) ends
with one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

from bot.cli.roster_csv import Problem, RosterFileError, read_roster, write_invitations
from bot.config import ConfigError, Settings, load_settings
from storage.database import Database, SchemaBehind
from storage.faults import cause_at
from storage.models import Council
from storage.repository import Repository, RosterError


class Failure(Exception):
    """A one-line reason for the operator; exit code 1."""


class DatabaseFailure(Failure):
    """The database could not be opened, read or written: names the file and the cause."""


async def open_database(settings: Settings, *, read_only: bool = False) -> Database:
    """The database, opened for writing (migrations applied) or, for the commands that only
    read, with SQLite's ``mode=ro``: those work on a read-only copy and never change a file."""
    path = settings.datatool_db
    try:
        if read_only:
            return await Database.open_read_only(path)
        return await Database.open(path)
    except SchemaBehind as exc:
        raise DatabaseFailure(str(exc)) from None
    except FileNotFoundError:
        raise DatabaseFailure(
            f"cannot open the database {path}: no such file"
            " (check DATATOOL_DB, or import a roster first)"
        ) from None
    except (sqlite3.Error, OSError) as exc:
        verb = "open" if read_only else "open or write"
        raise DatabaseFailure(f"cannot {verb} the database {path}: {cause_at(path, exc)}") from None


@asynccontextmanager
async def open_repo(settings: Settings, *, read_only: bool = False) -> AsyncIterator[Repository]:
    async with await open_database(settings, read_only=read_only) as db:
        yield Repository(db)


async def council_or_fail(repo: Repository, query: str) -> Council:
    council = await repo.find_council(query)
    if council is None:
        suggestions = await repo.suggest_councils(query)
        hint = f"; did you mean {', '.join(c.slug for c in suggestions)}?" if suggestions else ""
        raise Failure(f"unknown council {query!r}{hint}")
    return council


# --- commands ---------------------------------------------------------------------------


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reminders.schedule import reminder_loop
    from bot.telegram.dispatcher import run_polling

    settings.token()
    await run_polling(settings, background=[reminder_loop])
    return 0


async def cmd_roster_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    lines = read_roster(path)
    async with open_repo(settings) as repo:
        try:
            result = await repo.import_roster([row for _, row in lines])
        except RosterError as exc:
            raise RosterFileError(
                path,
                [
                    Problem(
                        lines[p.index][0],
                        p.reason
                        + (
                            ""
                            if p.also_index is None
                            else f", also on line {lines[p.also_index][0]}"
                        ),
                    )
                    for p in exc.problems
                ],
            ) from None
    print(
        f"imported {path}: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
    return 0


async def cmd_invites(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram.dispatcher import create_bot

    bot = create_bot(settings, attempts=4)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    if not me.username:
        raise Failure("the bot has no username: set one with @BotFather")
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        invitations = await repo.ensure_tokens(council.id)
    text = write_invitations(invitations, me.username)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(invitations)} invitations for {council.slug} to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


async def cmd_auditors(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council) if args.council else None
        council_id = council.id if council else None
        if args.action == "list":
            for telegram_id, slug in await repo.list_auditors():
                print(f"{telegram_id}\t{slug or 'all councils'}")
            for telegram_id in sorted(settings.auditor_ids):
                print(f"{telegram_id}\tall councils (AUDITOR_IDS)")
            return 0
        if args.telegram_id is None:
            raise Failure(f"auditors {args.action} needs a Telegram user id")
        scope = council.slug if council else "all councils"
        if args.action == "add":
            added = await repo.add_auditor(args.telegram_id, council_id)
            print(f"{'added' if added else 'already there'}: {args.telegram_id} for {scope}")
        else:
            removed = await repo.remove_auditor(args.telegram_id, council_id)
            print(f"{'removed' if removed else 'not found'}: {args.telegram_id} for {scope}")
    return 0


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings, read_only=True) as repo:
        council = await council_or_fail(repo, args.council)
        rows = await repo.status(council.id)
    columns = ("invited", "emailed", "opened", "started", "submitted", "unreachable")
    print(council.name_en)
    print(f"{'group':<10}" + "".join(f"{c:>12}" for c in columns))
    for row in rows:
        print(f"{row.group:<10}" + "".join(f"{getattr(row, c):>12}" for c in columns))
    totals = [sum(getattr(r, c) for r in rows) for c in columns]
    print(f"{'total':<10}" + "".join(f"{t:>12}" for t in totals))
    return 0


async def cmd_survey(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        if args.action == "open":
            closes = _date(args.closes) if args.closes else None
            opens = _date(args.opens) if args.opens else None
            if opens and closes and opens > closes:
                raise Failure("--opens must not be after --closes")
            await repo.set_window(council.id, closes, opens)
            since = f" from {opens.isoformat()}" if opens else ""
            until = f" until the end of {closes.isoformat()}" if closes else ""
            print(f"{council.slug}: survey open{since}{until}")
        else:
            await repo.close_survey(council.id)
            print(f"{council.slug}: survey closed")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(f"dates must look like 2026-12-31, not {text!r}") from None


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.file)
    if dest.resolve() == Path(settings.datatool_db).resolve():
        raise Failure("the backup file must not be the database itself")
    async with await open_database(settings, read_only=True) as db:
        try:
            await db.backup(dest)
        except (sqlite3.Error, OSError) as exc:
            raise Failure(f"cannot write the backup {dest}: {cause_at(dest, exc)}") from None
    print(f"backed up {settings.datatool_db} to {dest}")
    return 0


# --- parsing ----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datatool", description="Audit Wales' use-of-data survey on Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Command, help_: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    add("run", cmd_run, "run the bot (long polling and the reminder schedule)")

    roster = sub.add_parser("roster", help="invitees").add_subparsers(
        dest="roster_command", required=True
    )
    add(
        "import", cmd_roster_import, "load invitees from a CSV file (all rows or none)", roster
    ).add_argument("file")

    p = add("invites", cmd_invites, "one personal invitation link per invitee")
    p.add_argument("council")
    p.add_argument("--out", help="write the CSV here instead of standard output")

    p = add("auditors", cmd_auditors, "who may use the auditor commands")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("telegram_id", nargs="?", type=int)
    p.add_argument("--council", help="limit to one council (default: every council)")

    p = add("status", cmd_status, "invited / emailed / opened / started / submitted, by group")
    p.add_argument("council")

    survey = sub.add_parser("survey", help="the survey window").add_subparsers(
        dest="survey_command", required=True
    )
    p = add("open", cmd_survey, "open a council's survey", survey)
    p.add_argument("council")
    p.add_argument("--closes", help="last day open, YYYY-MM-DD")
    p.add_argument("--opens", help="first day open, YYYY-MM-DD (default: now)")
    p.set_defaults(action="open")
    p = add("close", cmd_survey, "close a council's survey now", survey)
    p.add_argument("council")
    p.set_defaults(action="close")

    p = add("backup", cmd_backup, "a consistent copy of the database, even while the bot runs")
    p.add_argument("file")

    from bot.cli import demo, reminders, reports

    for module in (reports, reminders, demo):
        module.register(sub, add)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings()
        return asyncio.run(args.func(args, settings))
    except (ConfigError, Failure, RosterFileError) as exc:
        for line in str(exc).splitlines():
            print(f"datatool: {line}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except (sqlite3.Error, OSError) as exc:
        # A database that failed part-way (the disk filled, the file became read-only), or an
        # output file that could not be written: one line naming the file and the cause.
        filename = getattr(exc, "filename", None)
        path = Path(filename) if filename else settings.datatool_db
        name = filename or f"the database {settings.datatool_db}"
        print(f"datatool: cannot write {name}: {cause_at(path, exc)}", file=sys.stderr)
        return 1
    except TelegramUnauthorizedError:
        print("datatool: the Bot API refused BOT_TOKEN: check it with @BotFather", file=sys.stderr)
        return 2
    except TelegramNetworkError:
        print(
            f"datatool: cannot reach the Bot API at {settings.telegram_api_url} (TELEGRAM_API_URL)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
