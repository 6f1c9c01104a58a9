"""What every ``datatool`` command shares: the one-line failure, the database and repository,
the council.

Every command module imports this one and nothing else of ``bot.cli``, so the command groups
cannot import each other in a circle. Nothing here imports aiogram: commands that never talk to
Telegram (``roster import``, ``report``, ``export``, ``status``) start in a blink.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.cli.roster_csv import RosterFileError
from bot.cli.words import from_english, t
from bot.config import ConfigError, Settings, load_settings
from storage.councils import names_wales
from storage.database import Database, SchemaBehind
from storage.faults import STORAGE_ERRORS, cause_at
from storage.models import Council
from storage.repository import Repository

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


class Failure(Exception):
    """A one-line reason for the operator; exit code 1 (2 for a setting to fix)."""

    def __init__(self, reason: str, *, code: int = 1) -> None:
        super().__init__(reason)
        self.code = code


class DatabaseFailure(Failure):
    """The database could not be opened, read or written: names the file and the cause."""


async def open_database(settings: Settings, *, read_only: bool = False) -> Database:
    """The database, opened for writing (migrations applied) or, for the commands that only
    read, with SQLite's ``mode=ro``: those work on a read-only copy and never change a file."""
    path, label = settings.datatool_db, settings.database_label
    try:
        if read_only:
            return await Database.open_read_only(path)
        return await Database.open(path)
    except SchemaBehind as exc:
        raise DatabaseFailure(str(exc)) from None
    except FileNotFoundError:
        raise DatabaseFailure(
            f"cannot open the database {label}: no such file"
            " (check DATATOOL_DB, or import a roster first)"
        ) from None
    except STORAGE_ERRORS as exc:
        verb = "open" if read_only else "open or write"
        raise DatabaseFailure(
            f"cannot {verb} the database {label}: {cause_at(Path(path), exc)}"
        ) from None


@asynccontextmanager
async def open_repo(settings: Settings, *, read_only: bool = False) -> AsyncIterator[Repository]:
    async with await open_database(settings, read_only=read_only) as db:
        yield Repository(db)


async def council_or_fail(repo: Repository, query: str) -> Council:
    if names_wales(query):
        raise Failure(f"{query!r} names every council; this command needs one council")
    council = await repo.find_council(query)
    if council is None:
        suggestions = await repo.suggest_councils(query)
        if suggestions:
            names = ", ".join(c.slug for c in suggestions)
            raise Failure(t("err.unknown_council_hint", query=repr(query), names=names))
        raise Failure(t("err.unknown_council", query=repr(query)))
    return council


def _setting(reason: str) -> str:
    """A setting's error in the operator's language: the settings (shared with the bot) say it
    in English, in one of a few fixed forms that the catalog holds."""
    name, sep, rest = reason.partition(" is malformed: ")
    if sep and " " not in name:
        return t(
            "config.malformed", name=name, reason=from_english(rest.removeprefix("Value error, "))
        )
    return from_english(reason)


def execute(command: Command, args: argparse.Namespace) -> int:
    """Runs one command; whatever a person can cause ends as one line on stderr (a roster with
    several bad lines: one line each)."""
    settings: Settings | None = None
    try:
        settings = load_settings()
        return asyncio.run(command(args, settings))
    except ConfigError as exc:
        print(f"datatool: {_setting(str(exc))}", file=sys.stderr)
        return 2
    except (Failure, RosterFileError) as exc:
        for line in str(exc).splitlines():
            print(f"datatool: {line}", file=sys.stderr)
        return exc.code if isinstance(exc, Failure) else 1
    except STORAGE_ERRORS as exc:
        # A database that failed part-way (the disk filled, the file became read-only), or an
        # output file that could not be written: one line naming the file and the cause.
        if settings is None:
            raise
        filename = getattr(exc, "filename", None)
        path = Path(filename) if filename else Path(settings.datatool_db)
        name = filename or f"the database {settings.database_label}"
        print(f"datatool: cannot write {name}: {cause_at(path, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
